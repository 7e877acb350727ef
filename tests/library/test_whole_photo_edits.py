"""Edits an app applies to a whole photo give no changed region; a defect painted before them is still outlined.

A "film" filter's vignette (a smooth gain falling towards the corners, ``gain_field.py``) and a phone's sharpening
(the listing's own detail added back, ``sharpening.py``) change every pixel of an untouched copy in a way one global
colour map cannot follow. Photos from the shared test data, each one that showed false regions before.

The sharpening model may only see a copy's own sharpening: the aligned listing is resampled once
(``region_diff._refine`` composes the ECC polish with the keypoint transform), so a plain copy's residual holds no
detail for it to give back.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from shopguard.library.gain_field import gain_field
from shopguard.library.sharpening import sharpening
from tests.library.photo_library import box_iou
from tests.library.test_change_map_defects import _compare, _line_box, _photo, _union

TOTE = "product-photos-more/spree__spree_tote__1.jpeg"
"""A printed canvas tote on white."""
TEE = "product-photos-more/solidus__long-sleeve-tee__1.png"
"""A dark long-sleeved tee on a light backdrop."""
CARPET = "product-photos/ukbench__ukbench09268.jpg"
"""A CD case on a patterned carpet."""
WATERFALL = "exif-camera/orientation__landscape_2.jpg"
"""A waterfall in foliage: bright specks among dark leaves."""
MAILBOX = "product-photos/ukbench__ukbench09040.jpg"
"""A mailbox on a patterned carpet (the change map's cost benchmark)."""


def _vignetted(im: Image.Image, strength: float) -> Image.Image:
    """``im`` with its corners darkened by ``strength`` (gain 1 - strength * r^2, r = 1 at the corners)."""
    a = np.asarray(im, np.float32)
    h, w = a.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w]
    r2 = (((xs - w / 2) / (w / 2)) ** 2 + ((ys - h / 2) / (h / 2)) ** 2) / 2
    return Image.fromarray(np.clip(a * (1 - strength * r2)[..., None], 0, 255).astype(np.uint8))


def _sharpened(im: Image.Image) -> Image.Image:
    return im.filter(ImageFilter.UnsharpMask(radius=2, percent=120, threshold=2))


@pytest.mark.parametrize("name", [TOTE, TEE])
@pytest.mark.parametrize("strength", [0.2, 0.4])
def test_untouched_vignetted_copy_has_no_region(testdata: Path, name: str, strength: float) -> None:
    source, im = _photo(testdata, name)
    assert _compare(source, _vignetted(im, strength), quality=85).regions == ()


@pytest.mark.parametrize("name", [CARPET, TOTE])
def test_untouched_sharpened_copy_has_no_region(testdata: Path, name: str) -> None:
    source, im = _photo(testdata, name)
    assert _compare(source, _sharpened(im), quality=85).regions == ()


def _cracked(im: Image.Image) -> tuple[Image.Image, tuple[int, int, int, int]]:
    w, h = im.size
    crack = [(int(w * f), int(h * (0.45 + 0.04 * ((i % 2) * 2 - 1)))) for i, f in enumerate((0.35, 0.42, 0.5, 0.58))]
    out = im.copy()
    ImageDraw.Draw(out).line(crack, fill=(35, 30, 25), width=2)
    return out, _line_box(crack, 3)


@pytest.mark.parametrize("name", [TOTE, CARPET])
def test_crack_painted_before_a_vignette_is_outlined(testdata: Path, name: str) -> None:
    source, im = _photo(testdata, name)
    cracked, truth = _cracked(im)
    assert box_iou(_union(_compare(source, _vignetted(cracked, 0.35), quality=85)), truth) >= 0.3


@pytest.mark.parametrize("name", [TOTE, CARPET])
def test_crack_painted_before_sharpening_is_outlined(testdata: Path, name: str) -> None:
    source, im = _photo(testdata, name)
    cracked, truth = _cracked(im)
    assert box_iou(_union(_compare(source, _sharpened(cracked), quality=85)), truth) >= 0.3


def _grey(im: Image.Image) -> np.ndarray:
    return np.asarray(im.convert("L"), np.float32)


def test_no_field_and_no_sharpening_on_a_plain_resave(testdata: Path) -> None:
    _, im = _photo(testdata, CARPET)
    overlap = np.ones((im.height, im.width), bool)
    resaved = im.filter(ImageFilter.GaussianBlur(0.4))  # a re-save's loss of the finest detail
    assert gain_field(_grey(resaved), np.asarray(im, np.float32), overlap) is None
    assert sharpening(_grey(resaved), _grey(im), overlap) is None


def test_the_field_and_the_amount_are_measured(testdata: Path) -> None:
    _, im = _photo(testdata, CARPET)
    overlap = np.ones((im.height, im.width), bool)
    field = gain_field(_grey(_vignetted(im, 0.3)), np.asarray(im, np.float32), overlap)
    assert field is not None
    corner, centre = float(field[2, 2]), float(field[im.height // 2, im.width // 2])
    assert corner / centre == pytest.approx(0.7, abs=0.05)
    found = sharpening(_grey(_sharpened(im)), _grey(im), overlap)
    assert found is not None and found.amount > 0.5


@pytest.mark.parametrize("name", [CARPET, TOTE, WATERFALL, MAILBOX])
def test_the_aligned_listing_keeps_its_detail(testdata: Path, name: str) -> None:
    """A plain copy at full size, half a pixel off (``_compare``'s nudge): the aligned, colour-mapped listing is as
    sharp as the complaint, so no unsharp mask fits their difference. Resampled twice with bilinear interpolation
    (keypoint warp, then the ECC polish: session 13), it lost so much fine detail that a mask of 100-210% at 0.7 px
    "fitted" every one of these (correlation 0.72-0.84) and the model fired on most plain copies."""
    source, im = _photo(testdata, name)
    change = _compare(source, im, quality=92)
    assert change.listing_shown is not None
    shown = change.overlap & (change.listing_shown.max(axis=2) > 0)
    complaint = np.asarray(Image.fromarray(change.complaint).convert("L"), np.float32)
    listing = np.asarray(Image.fromarray(change.listing_shown).convert("L"), np.float32)
    assert sharpening(complaint, listing, shown) is None
