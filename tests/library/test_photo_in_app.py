"""A crop of the listing photo shown in a phone app and screenshotted: no changed region on the untouched copy, and a
defect painted before is outlined (region_diff: ``_enlarged``, the polish on the photo's place, the rim beside the
app's lines).

A small listing photo (240-480 px) fills a 1080 px screen: the app enlarges it with its own resizer (here Lanczos-3,
which overshoots beside every edge) and the check decodes the 1080 x 2340 screenshot at 1600 px, then works at 1024.
The listing's footprint runs on past the crop under the app's title bar, grey page and caption text.
"""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from shopguard.imaging import decode, read_source
from shopguard.library import region_diff
from shopguard.library.region_diff import ChangeMap, change_map
from tests.library.photo_library import box_iou
from tests.library.test_change_map_defects import Box, _photo, _union

JERSEY = "product-photos-more/spree__spree_jersey__1.jpeg"
CARTON = "product-photos-more/grocerystore__Garant-Ecological-Medium-Fat-Milk__3.jpg"
BAG = "product-photos-more/spree__spree_bag__1.jpeg"


def _in_app(photo: Image.Image, width: int) -> tuple[Image.Image, tuple[int, int]]:
    """``photo`` enlarged (Lanczos) to ``width`` px in a 1080 x 2340 phone screenshot, with the app's bars, grey page
    and caption text; returns where its top-left corner sits."""
    canvas = Image.new("RGB", (1080, 2340), (246, 246, 246))
    d = ImageDraw.Draw(canvas)
    d.rectangle((0, 0, 1080, 90), fill=(20, 20, 20))
    d.text((40, 30), "9:41   4G  87%", fill=(255, 255, 255))
    d.rectangle((0, 90, 1080, 260), fill=(255, 255, 255))
    d.text((60, 150), "Order detail  <  Refund request", fill=(0, 0, 0))
    shown = photo.resize((width, round(photo.height * width / photo.width)), Image.Resampling.LANCZOS)
    x, y = (1080 - width) // 2, 300
    canvas.paste(shown, (x, y))
    for i in range(4):
        d.text((60, y + shown.height + 40 + 50 * i), "The item arrived damaged, please refund. " * 2, fill=(60, 60, 60))
    d.rectangle((0, 2160, 1080, 2340), fill=(255, 255, 255))
    return canvas, (x, y)


def _compare_in_app(
    source: Path, im: Image.Image, crop: Box, width: int, tmp_path: Path, nudge: tuple[float, float] = (0.1, -0.6)
) -> tuple[ChangeMap, float, tuple[int, int]]:
    """(The change map of ``im`` cropped to ``crop`` (x, y, w, h) and shown ``width`` px wide in an app, saved at q75
    and decoded as a check decodes it; the enlargement; where the photo sits in the screenshot)."""
    x0, y0, cw, ch = crop
    shot, (x, y) = _in_app(im.crop((x0, y0, x0 + cw, y0 + ch)), width)
    path = tmp_path / "complaint.jpg"
    buf = io.BytesIO()
    shot.save(buf, "JPEG", quality=75)
    path.write_bytes(buf.getvalue())
    complaint = decode(read_source(path), max_side=1600)
    listing = decode(read_source(source), max_side=1024)
    k = width / cw
    # Up to 0.7 px off, as keypoints leave it (ECC polishes it).
    matrix = np.array([[k, 0, x - k * x0 + nudge[0]], [0, k, y - k * y0 + nudge[1]], [0, 0, 1.0]])
    change = change_map(complaint.image, complaint.scale, listing.image, listing.scale, matrix)
    return change, k, (x, y)


def test_untouched_enlarged_crop_of_a_jersey_in_an_app_has_no_region(testdata: Path, tmp_path: Path) -> None:
    """The 480 px jersey enlarged 2.2 times: the app's Lanczos overshoot along the navy sleeves' edges read as
    strokes against a bilinear warp of the listing, and ECC, polished over the app's bars and caption text too,
    scaled the listing 0.4% off (1.8 px at the far sleeve)."""
    source, im = _photo(testdata, JERSEY)
    change, _, _ = _compare_in_app(source, im, (53, 20, 387, 455), 864, tmp_path)
    assert change.regions == ()


def test_untouched_enlarged_crop_of_a_carton_in_an_app_has_no_region(testdata: Path, tmp_path: Path) -> None:
    """A 348 px carton held in a shop, cropped to its right edge and enlarged 3.4 times: the print's every edge rang,
    and the photo's top and bottom edges, blended with the app's grey by the resize and JPEG, were compared."""
    source, im = _photo(testdata, CARTON)
    change, _, _ = _compare_in_app(source, im, (45, 7, 253, 290), 864, tmp_path)
    assert change.regions == ()


def test_scratch_on_an_enlarged_crop_in_an_app_is_outlined(testdata: Path, tmp_path: Path) -> None:
    """A light 1 px scratch across the carton's green band under the cap, in the same enlarged crop: the only region
    (on main before, the app's edges and the print's ringing gave three more, and the box around them missed it)."""
    source, im = _photo(testdata, CARTON)
    painted = im.copy()
    line = [(42, 110), (100, 113), (150, 111)]
    ImageDraw.Draw(painted).line(line, fill=(80, 185, 100), width=1)
    crop = (45, 7, 253, 290)
    change, k, (x, y) = _compare_in_app(source, painted, crop, 864, tmp_path)
    truth = (round(x + k * (42 - crop[0])), round(y + k * (110 - crop[1])), round(k * 108), round(k * 5))
    assert box_iou(_union(change), truth) > 0.3


def test_step_from_the_apps_grey_to_a_white_backdrop_cuts_the_photo(testdata: Path) -> None:
    """The bag on a white backdrop, cropped and shown across the whole screen: the title bar (255), the grey page (246)
    and the photo's backdrop (255) are all flat rows over the listing's white. A colour map fitted with the app's
    white and grey both on the listing's white put that white at 251 (measured on the benchmark's cracked bag), and no
    row was 6 levels off: the caption's first line joined the photo. The steps between them, which the listing
    does not take, are the app's edges."""
    _, im = _photo(testdata, BAG)
    x0, y0, cw, ch = 41, 48, 439, 408
    shot, (x, y) = _in_app(im.crop((x0, y0, x0 + cw, y0 + ch)), 1080)
    work = 1024 / shot.height
    small = shot.resize((round(shot.width * work), round(shot.height * work)), Image.Resampling.BOX)
    c_grey = cv2.GaussianBlur(np.asarray(small.convert("L"), np.float32), (0, 0), 1.2)
    k = 1080 / cw * work
    to_work = np.array([[k, 0, x * work - k * x0], [0, k, y * work - k * y0]])
    listing = cv2.warpAffine(np.asarray(im.convert("L"), np.float32), to_work, c_grey.shape[::-1])
    l_grey = cv2.GaussianBlur(listing, (0, 0), 1.2) - 4.0  # the skewed map: the listing's white at 251
    footprint = cv2.warpAffine(np.ones(im.size[::-1], np.uint8), to_work, c_grey.shape[::-1]) > 0
    ui = region_diff._ui_lines(c_grey, l_grey, footprint, 1)
    top = round(y * work)  # the photo's first row: the grey page above it, the white bar above that
    assert ui[top - 4 : top + 4].any()
    assert not ui[top + 20 : top + 200].any()  # the photo's own rows: the bag and its backdrop
