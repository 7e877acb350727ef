"""A clipping colour edit of a real photo gives no changed region: the blob test's colour distance compares the
listing mapped first and blurred after (``region_diff.change_map``), as the buyer's editor worked on sharp pixels."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.library.test_change_map_defects import _colour_edited, _compare, _photo


@pytest.mark.parametrize(
    ("name", "gains"),
    [
        # A soy-sauce label: its red lettering on white, brightened until the white clips; blurred first, the mix
        # of clipped white and red mapped 20-35 levels brighter than the mix of the mapped colours.
        ("product-photos/ukbench__ukbench09380.jpg", (1.142, 0.894, 0.927)),
        # A waterfall in foliage: bright specks among dark leaves, the same concave tone curve.
        ("exif-camera/orientation__landscape_2.jpg", (0.858, 0.917, 0.883)),
    ],
)
def test_untouched_clipping_colour_edit_of_fine_detail_has_no_region(
    testdata: Path, name: str, gains: tuple[float, float, float]
) -> None:
    source, im = _photo(testdata, name)
    assert _compare(source, _colour_edited(im, gains), quality=85).regions == ()
