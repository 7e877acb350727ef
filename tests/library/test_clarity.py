"""An editor's "clarity" (a wide unsharp mask on lightness) gives no changed region; a defect painted before it is
still outlined; the model is fitted to a clarity copy and not to a re-saved one.

Clarity moves each pixel by its difference from its wide surroundings' mean (``clarity.py``): a dark halo inside a
product's outline on white, every fold of a tee deepened. Neither the global colour map nor the field of tone curves
follows it (session 15: 4 and 5 of 16 untouched clarity copies clean on seeds 11 and 23). Photos from the shared test
data, each one that showed false regions before.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from shopguard.library.clarity import clarity
from tests.library.photo_library import box_iou
from tests.library.test_change_map_defects import _compare, _photo, _union
from tests.library.test_local_contrast import _cracked, _moulded

BAG = "product-photos-more/spree__spree_bag__1.jpeg"
"""A yellow bag with black straps on white: a saturated colour whose lightened parts leave the RGB gamut."""
TEE = "product-photos-more/solidus__long-sleeve-tee__1.png"
"""A red long-sleeved tee on white, folds all over it."""
DARK_TEE = "product-photos-more/solidus__dark-tee__1.png"
"""A black tee on white: its outline's halo pushes it to black."""
CARPET = "product-photos/ukbench__ukbench09268.jpg"
"""A toothbrush pack on a patterned carpet, its blue carton saturated."""


def _clarity(im: Image.Image, share: float, amount: float) -> Image.Image:
    """``im`` with clarity as the benchmark's ``clarity`` gives it: L + amount * (L - its Gaussian mean at ``share`` of
    the long side), on 8-bit Lab lightness, colours kept."""
    lab = cv2.cvtColor(np.asarray(im.convert("RGB")), cv2.COLOR_RGB2LAB)
    light = lab[..., 0].astype(np.float32)
    blurred = cv2.GaussianBlur(light, (0, 0), share * max(im.size))
    lab[..., 0] = np.clip(light + amount * (light - blurred) + 0.5, 0, 255)
    return Image.fromarray(cv2.cvtColor(lab, cv2.COLOR_LAB2RGB))


@pytest.mark.parametrize(
    ("name", "share", "amount"),
    [(BAG, 0.04, 0.6), (TEE, 0.03, 0.5), (DARK_TEE, 0.05, 0.7), (CARPET, 0.02, 0.8)],
)
def test_untouched_clarity_copy_has_no_region(testdata: Path, name: str, share: float, amount: float) -> None:
    source, im = _photo(testdata, name)
    assert _compare(source, _clarity(im, share, amount), quality=85).regions == ()


@pytest.mark.parametrize("name", [TEE, CARPET])
def test_crack_painted_before_clarity_is_outlined(testdata: Path, name: str) -> None:
    source, im = _photo(testdata, name)
    cracked, truth = _cracked(im)
    assert box_iou(_union(_compare(source, _clarity(cracked, 0.03, 0.6), quality=85)), truth) >= 0.3


@pytest.mark.parametrize("name", [TEE, CARPET])
def test_mould_painted_before_clarity_is_outlined(testdata: Path, name: str) -> None:
    source, im = _photo(testdata, name)
    moulded, truth = _moulded(im)
    assert box_iou(_union(_compare(source, _clarity(moulded, 0.03, 0.6), quality=85)), truth) >= 0.3


def _rgb(im: Image.Image) -> np.ndarray:
    return cv2.GaussianBlur(np.asarray(im.convert("RGB"), np.float32), (0, 0), 1.2)


def test_the_model_is_fitted_to_a_clarity_copy_and_not_to_a_resaved_one(testdata: Path) -> None:
    _, im = _photo(testdata, BAG)
    im = im.convert("RGB")
    everywhere = np.ones((im.height, im.width), bool)
    fitted = clarity(_rgb(_clarity(im, 0.04, 0.6)), _rgb(im), everywhere)
    assert fitted is not None
    assert 0.4 <= fitted.amount <= 0.8
    assert 0.025 * max(im.size) <= fitted.sigma <= 0.065 * max(im.size)
    assert clarity(_rgb(im), _rgb(im), everywhere) is None
