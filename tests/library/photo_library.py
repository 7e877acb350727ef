"""Shared helpers for the matching tests: a small shop library of real photos, the app's listing loader, a
complaint photo saved and matched, a painted stain, and box overlap."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from shopguard.imaging import DecodedImage, decode, read_source
from shopguard.library.indexer import index_paths
from shopguard.library.matcher import Match, find_sources
from shopguard.library.store import LibraryStore, PhotoRecord


def loader(record: PhotoRecord) -> tuple[Image.Image, float] | None:
    """A library photo's pixels for the dense comparison, decoded as the app does (1024 px)."""
    d = decode(read_source(record.path), max_side=1024)
    return d.image, d.scale


def library(paths: list[Path], tmp_path: Path) -> LibraryStore:
    """A library of copies of ``paths`` (indexed with one worker, so photo ids repeat) under ``tmp_path``."""
    folder = tmp_path / "shop"
    folder.mkdir()
    for p in paths:
        shutil.copy(p, folder / p.name)
    store = LibraryStore(tmp_path / "library.db")
    index_paths(store, [folder], workers=1)
    return store


def match_photo(
    store: LibraryStore, im: Image.Image, tmp_path: Path, fmt: str = "JPEG", quality: int = 75
) -> list[Match]:
    """``im`` saved as a buyer's file (JPEG at ``quality``, or PNG), decoded as the app decodes a complaint
    (1600 px), and matched against ``store``."""
    d = complaint_decode(im, tmp_path, fmt, quality)
    return find_sources(store, d.image, d.scale, loader)


def complaint_decode(im: Image.Image, tmp_path: Path, fmt: str = "JPEG", quality: int = 75) -> DecodedImage:
    """``im`` saved as a buyer's file (JPEG at ``quality``, or PNG) and decoded as the app decodes a complaint
    (1600 px)."""
    buf = io.BytesIO()
    im.save(buf, fmt, **({"quality": quality} if fmt == "JPEG" else {}))
    path = tmp_path / f"complaint.{fmt.lower()}"
    path.write_bytes(buf.getvalue())
    return decode(read_source(path), max_side=1600)


Box = tuple[int, int, int, int]


def stain(
    im: Image.Image,
    box: Box,
    opacity: int,
    colour: tuple[int, int, int] = (90, 60, 30),
    blur: float = 4,
    crack: bool = True,
) -> Image.Image:
    """A brown stain painted over ``box`` (x, y, w, h) at ``opacity`` (0-255), edges softened by ``blur`` px,
    with a dark crack across it unless ``crack`` is off."""
    x, y, w, h = box
    mask = Image.new("L", im.size, 0)
    ImageDraw.Draw(mask).ellipse((x, y, x + w, y + h), fill=opacity)
    out = Image.composite(Image.new("RGB", im.size, colour), im, mask.filter(ImageFilter.GaussianBlur(blur)))
    if crack:
        ImageDraw.Draw(out).line([(x + w // 10, y + h // 2), (x + w * 9 // 10, y + h // 3)], fill=(15, 10, 5), width=5)
    return out


def box_iou(a: Box, b: Box) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    inter = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])) * max(
        0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    )
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)
