"""Untouched tilted crops of real photos give no changed region (region_diff._tilt_fill).

A buyer's phone crops the listing photo, straightens it by a few degrees and fills the canvas' corners white. The
wedges of fill are told apart from the photo by the strip just inside each cut, which must show the listing: the
strip is measured from the cut (where the fill falls under half of a band) and leaves out the JPEG blocks around the
fill that covers the listing; a wedge of white over a light grey backdrop is fill, not a faint patch.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.library.test_change_map_defects import _compare_under, _crop_and_tilt, _photo


@pytest.mark.parametrize(
    ("name", "keep", "degrees"),
    [
        # A carton held in a shop: the cut's bicubic blend and the other wedges' ends spoilt the strip's correlation.
        ("product-photos-more/grocerystore__Arla-Standard-Milk__3.jpg", (0.1, 0.08, 0.8, 0.84), 4.0),
        ("product-photos-more/grocerystore__Garant-Ecological-Medium-Fat-Milk__2.jpg", (0.0, 0.1, 0.9, 0.8), -3.0),
        # A camera test shot and a large photo of a white toy (the fill's ringing reaches a JPEG block into both).
        ("exif-camera/exif-org__sony-cybershot.jpg", (0.05, 0.06, 0.85, 0.86), -5.0),
        ("product-photos-more/jskapc__munchkin_white_hot_duck_bath_toy__1.jpg", (0.0, 0.1, 0.9, 0.8), -3.0),
        # A t-shirt render on a light grey backdrop: the white wedge at the bottom stood 12 levels above it.
        ("product-photos-more/spree__spree_ringer_t__1.jpeg", (0.0, 0.1, 0.9, 0.8), -3.0),
    ],
)
def test_untouched_tilted_crop_has_no_region(
    testdata: Path, name: str, keep: tuple[float, float, float, float], degrees: float
) -> None:
    source, im = _photo(testdata, name)
    w, h = im.size
    box = (round(keep[0] * w), round(keep[1] * h), round(keep[2] * w), round(keep[3] * h))
    untouched, matrix = _crop_and_tilt(im, box, degrees)
    assert _compare_under(source, untouched, matrix, nudge=(0.4, -0.3)).regions == ()
