"""A photo shown in a phone screenshot: its cut edges are no change, and a small dent's shadow in it is outlined
tightly.

The buyer's screenshot app draws the photo over its own background; the screenshot's resize and JPEG blend the two
over the photo's outermost pixels. When the buyer cropped the photo first, the listing's footprint runs on past
those edges (``region_diff._inside_cuts``). A dent a few px across at the screenshot's working size is found by the
line test as a short arc, whose ridge reaches a halo beyond the shadow (``faint_changes._spot_to_core``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.library.photo_library import box_iou
from tests.library.test_change_map_defects import _compare_under, _photo, _union

WIDTH, HEIGHT, TOP = 1080, 2340, 300
"""A phone screenshot (px) and the row where the app shows the photo."""


def _screenshot(photo: Image.Image, keep: tuple[float, float, float, float]) -> tuple[Image.Image, np.ndarray]:
    """``photo`` cropped to ``keep`` (shares of its width and height: x0, y0, x1, y1), shown across a screenshot's
    width under the app's bars, with caption text below; and the transform photo px -> screenshot px."""
    w, h = photo.size
    x0, y0, x1, y1 = round(keep[0] * w), round(keep[1] * h), round(keep[2] * w), round(keep[3] * h)
    crop = photo.crop((x0, y0, x1, y1))
    scale = WIDTH / crop.width
    shown = crop.resize((WIDTH, round(crop.height * scale)), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (WIDTH, HEIGHT), (246, 246, 246))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, WIDTH, 90), fill=(20, 20, 20))
    draw.rectangle((0, 90, WIDTH, 260), fill=(255, 255, 255))
    draw.text((60, 150), "Order detail  <  Refund request", fill=(0, 0, 0))
    canvas.paste(shown, (0, TOP))
    for i in range(4):
        draw.text(
            (60, TOP + shown.height + 40 + 50 * i), "The item arrived damaged, please refund. " * 2, fill=(60, 60, 60)
        )
    return canvas, np.array([[scale, 0, -scale * x0], [0, scale, TOP - scale * y0], [0, 0, 1.0]])


@pytest.mark.parametrize(
    ("name", "keep"),
    [
        # A CD case and a mailbox on a carpet, cropped on every side or on three: strips 7-16 px high along the
        # cuts (the app's grey blended into the photo's first rows) were changed regions.
        ("product-photos/ukbench__ukbench01380.jpg", (0.1, 0.05, 0.9, 0.95)),
        ("product-photos/ukbench__ukbench01380.jpg", (0.05, 0.1, 0.85, 0.9)),
        ("product-photos/ukbench__ukbench09040.jpg", (0.1, 0.1, 0.9, 0.9)),
    ],
)
def test_untouched_crop_in_a_screenshot_has_no_region(
    testdata: Path, name: str, keep: tuple[float, float, float, float]
) -> None:
    source, im = _photo(testdata, name)
    shot, matrix = _screenshot(im, keep)
    assert _compare_under(source, shot, matrix, quality=75).regions == ()


def _dent(
    im: Image.Image, centre: tuple[float, float], radii: tuple[float, float], angle: float, depth: float
) -> tuple[Image.Image, np.ndarray]:
    """``im`` with its shading changed over an ellipse, lit on the side ``angle`` points to and shadowed on the other,
    and the part of it a reviewer sees: at least half the strongest shading change, and 12 levels in some channel."""
    pixels = np.asarray(im, dtype=np.float32)
    h, w = pixels.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = (xx - centre[0]) / radii[0], (yy - centre[1]) / radii[1]
    rho = np.sqrt(u * u + v * v)
    bowl = np.where(rho < 1, np.cos(rho * math.pi / 2) ** 2, 0)
    gain = 1 + depth * (u * math.cos(angle) + v * math.sin(angle) - 0.35) * bowl * 1.6
    dented = np.clip(pixels * gain[..., None] + 0.5, 0, 255).astype(np.uint8)
    strong = np.abs(gain - 1) >= 0.5 * float(np.abs(gain - 1).max())
    seen = strong & (np.abs(dented.astype(np.int16) - pixels.astype(np.int16)).max(axis=2) >= 12)
    return Image.fromarray(dented), seen


def test_small_dent_on_a_dark_tee_in_a_screenshot_is_outlined_tightly(testdata: Path) -> None:
    # A dent on a black tee (the benchmark's seed-11 case): the shading multiplies dark levels, so only a corner of
    # it is seen, 12 px across at the working size. The line test finds it as a short arc and its ridge reached a
    # halo of ~6 px around it: a box twice as wide as the shadow's (box IoU 0.23).
    source, im = _photo(testdata, "product-photos-more/solidus__dark-tee__1.png")
    dented, seen = _dent(im, (220.9, 1095.2), (36.1, 42.6), 1.749, 0.244)
    shot, matrix = _screenshot(dented, (0.0, 0.0, 1.0, 1.0))
    ys, xs = np.nonzero(seen)
    corners = np.array([[xs.min(), ys.min(), 1.0], [xs.max() + 1, ys.max() + 1, 1.0]]) @ matrix.T
    truth = (
        round(corners[0, 0]),
        round(corners[0, 1]),
        round(corners[1, 0] - corners[0, 0]),
        round(corners[1, 1] - corners[0, 1]),
    )
    assert box_iou(_union(_compare_under(source, shot, matrix, quality=75)), truth) >= 0.3
