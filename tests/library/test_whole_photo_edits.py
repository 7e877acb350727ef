"""A filter's vignette gives no changed region; a defect painted before it is still outlined.

A "film" filter's vignette (a smooth gain falling towards the corners, ``gain_field.py``) changes every pixel of an
untouched copy in a way one global colour map cannot follow. Photos from the shared test data, each one that showed
false regions before.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from shopguard.library.gain_field import gain_field
from tests.library.photo_library import box_iou
from tests.library.test_change_map_defects import _compare, _line_box, _photo, _union

TOTE = "product-photos-more/spree__spree_tote__1.jpeg"
"""A printed canvas tote on white."""
TEE = "product-photos-more/solidus__long-sleeve-tee__1.png"
"""A dark long-sleeved tee on a light backdrop."""
CARPET = "product-photos/ukbench__ukbench09268.jpg"
"""A CD case on a patterned carpet."""


def _vignetted(im: Image.Image, strength: float) -> Image.Image:
    """``im`` with its corners darkened by ``strength`` (gain 1 - strength * r^2, r = 1 at the corners)."""
    a = np.asarray(im, np.float32)
    h, w = a.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w]
    r2 = (((xs - w / 2) / (w / 2)) ** 2 + ((ys - h / 2) / (h / 2)) ** 2) / 2
    return Image.fromarray(np.clip(a * (1 - strength * r2)[..., None], 0, 255).astype(np.uint8))


@pytest.mark.parametrize("name", [TOTE, TEE])
@pytest.mark.parametrize("strength", [0.2, 0.4])
def test_untouched_vignetted_copy_has_no_region(testdata: Path, name: str, strength: float) -> None:
    source, im = _photo(testdata, name)
    assert _compare(source, _vignetted(im, strength), quality=85).regions == ()


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


def _grey(im: Image.Image) -> np.ndarray:
    return np.asarray(im.convert("L"), np.float32)


def test_no_field_on_a_plain_resave(testdata: Path) -> None:
    _, im = _photo(testdata, CARPET)
    overlap = np.ones((im.height, im.width), bool)
    resaved = im.filter(ImageFilter.GaussianBlur(0.4))  # a re-save's loss of the finest detail
    assert gain_field(_grey(resaved), np.asarray(im, np.float32), overlap) is None


def test_the_field_and_the_amount_are_measured(testdata: Path) -> None:
    _, im = _photo(testdata, CARPET)
    overlap = np.ones((im.height, im.width), bool)
    field = gain_field(_grey(_vignetted(im, 0.3)), np.asarray(im, np.float32), overlap)
    assert field is not None
    corner, centre = float(field[2, 2]), float(field[im.height // 2, im.width // 2])
    assert corner / centre == pytest.approx(0.7, abs=0.05)
