"""A colour edit that deepens a line the listing already has gives no changed region; a line drawn on the same edited
copy is still outlined (``faint_changes._deepened``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageEnhance

from tests.library.photo_library import box_iou
from tests.library.test_change_map_defects import _compare, _line_box, _photo, _union

STREET = "exif-camera/gps__DSCN0025.jpg"
"""A street under a bright sky, dark wires across it."""


def _edited(im: Image.Image, brightness: float, contrast: float, gains: tuple[float, float, float]) -> Image.Image:
    """A buyer's global edit: brightness, contrast and a white balance, clipped as an editor clips."""
    edited = ImageEnhance.Contrast(ImageEnhance.Brightness(im).enhance(brightness)).enhance(contrast)
    return Image.merge(
        "RGB",
        [c.point(lambda v, k=k: min(255, round(v * k))) for c, k in zip(edited.split(), gains, strict=True)],
    )


EDITS = [
    # The benchmark's colour-shifted copies of this photo (seeds 11 and 23): the sky brightened towards clipping,
    # the wire across it deepened 1.7 times (the residual 0.7 of the listing's own line, the same polarity).
    (1.25, 0.8, (0.948, 0.984, 0.993)),
    (1.25, 1.2, (0.924, 1.146, 1.117)),
]


@pytest.mark.parametrize(("brightness", "contrast", "gains"), EDITS)
def test_colour_edit_deepening_a_wire_has_no_region(
    testdata: Path, brightness: float, contrast: float, gains: tuple[float, float, float]
) -> None:
    source, im = _photo(testdata, STREET)
    assert _compare(source, _edited(im, brightness, contrast, gains), quality=85).regions == ()


@pytest.mark.parametrize(("brightness", "contrast", "gains"), EDITS)
def test_crack_drawn_across_the_sky_of_a_colour_edited_copy_is_outlined(
    testdata: Path, brightness: float, contrast: float, gains: tuple[float, float, float]
) -> None:
    source, im = _photo(testdata, STREET)
    edited = _edited(im, brightness, contrast, gains)
    crack = [(215, 20), (225, 60), (222, 100), (232, 140), (228, 180)]  # 2 px, down the sky across both wires
    ImageDraw.Draw(edited).line(crack, fill=(40, 36, 30), width=2, joint="curve")
    change = _compare(source, edited, quality=85)
    assert box_iou(_union(change), _line_box(crack, 2)) >= 0.3
