"""``exif-thumbnail`` on every photo with an EXIF thumbnail in the shared test data: findings by strength
for the untouched files, for honest re-saves (re-compressed, downscaled, cropped by the buyer) and for
edits that keep the old thumbnail (a painted stain, a painted block, a different picture).

Usage: python benchmarks/thumbnail_accuracy.py [testdata folder]   (default: $SHOPGUARD_TESTDATA)
Prints Markdown tables. Edited copies are written to a temporary folder and deleted afterwards.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from shopguard.checks.context import CheckContext
from shopguard.checks.registry import builtin_checks
from shopguard.errors import ImageReadError
from shopguard.imaging import probe, read_source
from shopguard.imaging.decode import decode
from shopguard.imaging.photo_metadata import read_metadata

SETS = ("exif-camera", "heic-avif", "product-photos", "product-photos-more", "c2pa", "ai-metadata", "bad-inputs")
STRENGTHS = ("none", "info", "weak", "moderate", "strong")
Edit = Callable[[Image.Image, Image.Image, int], Image.Image]


def _stain(im: Image.Image, other: Image.Image, seed: int) -> Image.Image:
    """A dark stain (ellipse, ~5 % of the frame) somewhere in the middle half of the photo."""
    out = im.copy()
    w, h = im.size
    cx, cy = w * (0.3 + 0.4 * (seed % 97) / 96), h * (0.3 + 0.4 * (seed % 89) / 88)
    rx, ry = w * 0.13, h * 0.12
    ImageDraw.Draw(out).ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=(60, 40, 25))
    return out


def _block(im: Image.Image, other: Image.Image, seed: int) -> Image.Image:
    """A painted block over about a tenth of the frame (the unit test's edit, at a varying place)."""
    out = im.copy()
    w, h = im.size
    x, y = w * (0.1 + 0.5 * (seed % 83) / 82), h * (0.1 + 0.5 * (seed % 79) / 78)
    ImageDraw.Draw(out).rectangle((x, y, x + w * 0.3, y + h * 0.35), fill=(20, 20, 20))
    return out


def _swap(im: Image.Image, other: Image.Image, seed: int) -> Image.Image:
    """Another photo of the test data under this photo's EXIF."""
    return other.resize(im.size)


def _resave(im: Image.Image, other: Image.Image, seed: int) -> Image.Image:
    return im


def _downscale(im: Image.Image, other: Image.Image, seed: int) -> Image.Image:
    return im.resize((max(1, im.width // 2), max(1, im.height // 2)), Image.Resampling.LANCZOS)


def _crop(im: Image.Image, other: Image.Image, seed: int) -> Image.Image:
    """The buyer crops 15 % off the left and bottom edges."""
    w, h = im.size
    return im.crop((round(w * 0.15), 0, w, round(h * 0.85)))


def _straighten(im: Image.Image, other: Image.Image, seed: int) -> Image.Image:
    """The buyer straightens the photo by 1.5 degrees (rotated, corners cropped away)."""
    w, h = im.size
    turned = im.rotate(1.5, resample=Image.Resampling.BICUBIC)
    return turned.crop((round(w * 0.03), round(h * 0.03), round(w * 0.97), round(h * 0.97)))


def _strip(im: Image.Image, other: Image.Image, seed: int) -> Image.Image:
    """The buyer keeps a quarter of the photo across its longer side (a strip showing one detail)."""
    w, h = im.size
    if w >= h:
        return im.crop((round(w * 0.35), 0, round(w * 0.6), h))
    return im.crop((0, round(h * 0.35), w, round(h * 0.6)))


def _smooth(im: Image.Image, other: Image.Image, seed: int) -> Image.Image:
    """A beauty/denoise filter: Gaussian blur of 0.4 % of the width."""
    return im.filter(ImageFilter.GaussianBlur(max(0.5, im.width * 0.004)))


def _colour(im: Image.Image, other: Image.Image, seed: int) -> Image.Image:
    """A colour filter: more contrast, saturation and brightness."""
    im = ImageEnhance.Contrast(im).enhance(1.3)
    return ImageEnhance.Brightness(ImageEnhance.Color(im).enhance(1.4)).enhance(1.1)


HONEST: dict[str, Edit] = {
    "re-saved q80": _resave,
    "downscaled 1/2": _downscale,
    "cropped 15 %": _crop,
    "straightened 1.5°": _straighten,
    "strip 25 %": _strip,
    "smoothed": _smooth,
    "colour filter": _colour,
}
EDITED: dict[str, Edit] = {"stain 5 %": _stain, "block 10 %": _block, "other picture": _swap}


def _strength(path: Path) -> str:
    check = next(c for c in builtin_checks() if c.id == "exif-thumbnail")
    source = read_source(path)
    findings = check.run(CheckContext(source=source, facts=probe(source)))
    ranks = [f.strength.value for f in findings]
    return max(ranks, key=STRENGTHS.index) if ranks else "none"


def _with_thumbnail(root: Path) -> list[tuple[str, Path]]:
    found = []
    for name in SETS:
        for path in sorted((root / name).glob("*")):
            if path.suffix in (".csv", ".md", ".txt"):
                continue
            try:
                source = read_source(path)
                if read_metadata(source).exif.thumbnail:
                    decode(source, max_side=64)  # leave out files whose pixels cannot be read
                    found.append((name, path))
            except ImageReadError:
                continue
    return found


def _row(label: str, counts: Counter[str]) -> str:
    return f"| {label} | " + " | ".join(str(counts[s]) for s in STRENGTHS) + " |"


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SHOPGUARD_TESTDATA", "../shared/testdata"))
    photos = _with_thumbnail(root)
    header = "| photos | " + " | ".join(STRENGTHS) + " |\n|---|" + "---|" * len(STRENGTHS)
    print(f"{len(photos)} files with an EXIF thumbnail under {root}\n\nUntouched files, by set:\n\n{header}")
    for name in SETS:
        counts = Counter(_strength(p) for s, p in photos if s == name)
        if counts:
            print(_row(name, counts))
    jpegs = [p for s, p in photos if s != "bad-inputs" and probe(read_source(p)).format == "jpeg"]
    print(f"\nRe-saved JPEGs ({len(jpegs)}) keeping the original EXIF block (so the old thumbnail):\n\n{header}")
    with tempfile.TemporaryDirectory() as tmp:
        for group in (HONEST, EDITED):
            for label, edit in group.items():
                counts: Counter[str] = Counter()
                for i, path in enumerate(jpegs):
                    with Image.open(path) as im:
                        exif = im.info.get("exif", b"")
                        pixels = im.convert("RGB")
                    with Image.open(jpegs[(i + len(jpegs) // 2) % len(jpegs)]) as other_im:
                        other = other_im.convert("RGB")
                    seed = int(hashlib.sha256(path.name.encode()).hexdigest()[:8], 16)
                    out = Path(tmp) / f"{i}.jpg"
                    edit(pixels, other, seed).save(out, "JPEG", quality=80, exif=exif)
                    counts[_strength(out)] += 1
                print(_row(("honest: " if group is HONEST else "edited: ") + label, counts))


if __name__ == "__main__":
    main()
