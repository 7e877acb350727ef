"""Our numpy pHash gives the very bits imagehash (SciPy's DCT) gives, so sellers' stored hashes stay comparable."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from shopguard.errors import ShopGuardError
from shopguard.imaging import decode, read_source
from shopguard.imaging.phash import dct_ii, phash
from shopguard.library.fingerprint import HASH_DECODE_SIDE, image_hashes

imagehash = pytest.importorskip("imagehash")  # the reference: imagehash 4.3 on scipy.fftpack
fftpack = pytest.importorskip("scipy.fftpack")

SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".avif", ".tif", ".tiff", ".bmp", ".gif"}


def _reference(image: Image.Image) -> int:
    return int(str(imagehash.phash(image)), 16)


def test_dct_coefficients_are_scipys_to_the_last_bit() -> None:
    rng = np.random.default_rng(14)
    for pixels in (rng.integers(0, 256, (200, 32, 32)), rng.normal(0, 1e3, (200, 32, 32))):
        ours = dct_ii(dct_ii(pixels, axis=1), axis=2)
        theirs = fftpack.dct(fftpack.dct(pixels, axis=1), axis=2)
        assert np.array_equal(ours, theirs)  # equal floats, not merely close


def _ties() -> list[Image.Image]:
    """Pictures whose DCT has many exact zeros (flat, mirrored, striped): the median falls among coefficients that
    are 0 in exact arithmetic, so only identical rounding gives identical bits."""
    flat = Image.new("L", (640, 480), 200)
    mirrored = Image.linear_gradient("L").resize((300, 300))
    mirrored.paste(mirrored.transpose(Image.Transpose.FLIP_LEFT_RIGHT).crop((0, 0, 150, 300)), (150, 0))
    stripes = Image.new("RGB", (320, 320), "white")
    draw = ImageDraw.Draw(stripes)
    for x in range(0, 320, 40):
        draw.rectangle((x, 0, x + 19, 319), fill=(30, 60, 90))
    return [flat, mirrored, stripes, Image.new("RGB", (64, 64), "black"), Image.linear_gradient("L")]


def test_degenerate_pictures_hash_alike() -> None:
    for image in _ties():
        assert phash(image) == _reference(image)


def _photos(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())


def test_every_test_and_demo_photo_hashes_alike(testdata: Path, demo: Path) -> None:
    """Both the way the library hashes (reduced decode -> 64 px grey) and straight on the decoded photo."""
    checked = 0
    for path in _photos(testdata) + _photos(demo):
        try:
            decoded = decode(read_source(path), max_side=HASH_DECODE_SIDE, draft_only=True)
        except ShopGuardError:
            continue  # bad-inputs/: unreadable on purpose
        image = decoded.image
        small = image.convert("L").resize((64, 64), Image.Resampling.BILINEAR) if max(image.size) > 64 else image
        assert phash(small) == _reference(small), path
        assert phash(image) == _reference(image), path
        assert int(image_hashes(image)[0]) == _reference(small), path
        checked += 1
    assert checked >= 300  # ~330 readable photos in ../shared/testdata and the demo shop
