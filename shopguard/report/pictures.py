"""Pictures for the report: downsampled JPEG copies, outlined regions, side-by-side pairs.

Every picture is made from a decoded copy (``shopguard.imaging``); originals are never written.
Anything drawn on a picture (an outline, a pair, a check's heat map) carries an "annotated copy"
label, so no reader can mistake it for the photo the buyer sent. The label is PDF text drawn over
the picture's corner (``content.picture_flowable``), in the report's language and at a fixed
printed size, not pixels burnt in at a size that depends on the picture. It is the only marking:
the English labels the checks burn into their images (the library-match check's caption band
under its pictures, the forensic maps' strip along their top) are cut off first.
Pictures are passed to reportlab as JPEG bytes: a decoded Pillow image would be re-encoded
losslessly, 10-50x larger and slower (PERFORMANCE.md, PDF section).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from shopguard.checks.findings import Region
from shopguard.checks.forensic_maps import stamp_band_px
from shopguard.checks.match_evidence import band_height_px
from shopguard.errors import ImageReadError
from shopguard.imaging import DecodedImage, decode, read_source

log = logging.getLogger(__name__)

# 1200 px across ~180 mm of paper is ~170 dpi: sharp on print, and eight such JPEGs stay near
# 2.5 MB (PERFORMANCE.md measured 2.1-2.6 MB); page-1 thumbnails need far less.
EXHIBIT_MAX_SIDE_PX = 1200
THUMB_MAX_SIDE_PX = 520
JPEG_QUALITY_PCT = 82
OUTLINE_RGB = (230, 0, 0)
PAIR_GAP_PX = 12
# The check's band is near-black (30, 30, 30) with a little white text: cut only what looks like it.
BAND_MAX_MEAN_LEVEL = 90


@dataclass(frozen=True)
class Picture:
    """A JPEG ready to embed, with its pixel size (for the aspect ratio)."""

    jpeg: bytes
    width_px: int
    height_px: int
    is_annotated: bool
    stamp: str = ""
    """The "annotated copy" label to print over the picture's corner ("" for an unmarked photo)."""
    stamp_font: str = ""


def _encode(im: Image.Image, stamp: str = "", font: str = "") -> Picture:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=JPEG_QUALITY_PCT, optimize=False)
    return Picture(buf.getvalue(), im.width, im.height, bool(stamp), stamp, font)


def _outline(im: Image.Image, regions: Sequence[Region], scale: float) -> None:
    draw = ImageDraw.Draw(im)
    width = max(2, round(max(im.size) / 250))
    for x, y, w, h in regions:
        box = (x * scale, y * scale, (x + w) * scale, (y + h) * scale)
        draw.rectangle(box, outline=OUTLINE_RGB, width=width)


class PictureMaker:
    """Makes the report's pictures; decodes each file once per size (a case repeats photos)."""

    def __init__(self, stamp: str = "annotated copy", font: str = "") -> None:
        """``stamp``: the "annotated copy" label in the report's language(s), printed in ``font``
        (a registered reportlab font; "" prints no label, for pictures that never reach a PDF)."""
        self.stamp = stamp
        self.font = font
        self._decoded: dict[tuple[str, int], DecodedImage | None] = {}

    def _decode(self, path: str | None, max_side: int) -> DecodedImage | None:
        if not path:
            return None
        key = (path, max_side)
        if key not in self._decoded:
            try:
                self._decoded[key] = decode(read_source(path), max_side=max_side)
            except ImageReadError as exc:
                log.warning("report: cannot show %s: %s", path, exc.message("en"))
                self._decoded[key] = None
        return self._decoded[key]

    def plain(self, path: str | None, max_side: int) -> Picture | None:
        """A downsampled, unmarked copy of a photo (as received, or the shop's listing photo)."""
        decoded = self._decode(path, max_side)
        return _encode(decoded.image) if decoded else None

    def outlined(self, path: str | None, regions: Sequence[Region], max_side: int) -> Picture | None:
        """The photo with ``regions`` (full-size oriented coordinates) outlined in red, labelled."""
        decoded = self._decode(path, max_side)
        if decoded is None:
            return None
        im = decoded.image.copy()
        _outline(im, regions, decoded.scale)
        return _encode(im, self.stamp, self.font)

    def pair(
        self, left_path: str | None, right_path: str | None, regions: Sequence[Region], max_side: int
    ) -> Picture | None:
        """Complaint photo (left, regions outlined) and listing photo (right) at one height, labelled."""
        left = self._decode(left_path, max_side)
        right = self._decode(right_path, max_side)
        if left is None or right is None:
            return None
        height = min(left.image.height, right.image.height)
        parts: list[Image.Image] = []
        for index, decoded in enumerate((left, right)):
            factor = height / decoded.image.height
            im = decoded.image.resize((max(1, round(decoded.image.width * factor)), height), Image.Resampling.BILINEAR)
            if index == 0:
                _outline(im, regions, decoded.scale * factor)
            parts.append(im)
        canvas = Image.new("RGB", (parts[0].width + PAIR_GAP_PX + parts[1].width, height), (255, 255, 255))
        canvas.paste(parts[0], (0, 0))
        canvas.paste(parts[1], (parts[0].width + PAIR_GAP_PX, 0))
        if max(canvas.size) > max_side * 1.5:
            canvas.thumbnail((round(max_side * 1.5), round(max_side * 1.5)), Image.Resampling.BILINEAR)
        return _encode(canvas, self.stamp, self.font)

    def evidence(
        self, path: str | None, max_side: int, has_band: bool = False, has_strip: bool = False
    ) -> Picture | None:
        """A check's evidence image (heat map, outline, thumbnail...), downsampled and labelled.

        ``has_band``: the image was written by the library-match check with its caption band,
        which is cut off (the report's label replaces it). ``has_strip``: a forensic map with the
        label strip ``annotate_stamp`` burns along its top, also cut off.
        """
        decoded = self._decode(path, max_side)
        if decoded is None:
            return None
        im = _without_band(decoded) if has_band else decoded.image.copy()
        if has_strip:
            im = _without_strip(decoded, im)
        return _encode(im, self.stamp, self.font)


def _without_band(decoded: DecodedImage) -> Image.Image:
    """The picture above the library-match check's caption band (the whole picture if none is found)."""
    im = decoded.image
    band_px = band_height_px(decoded.height)
    cut = round(im.height * (decoded.height - band_px) / decoded.height) if band_px else im.height
    if not 0 < cut < im.height:
        return im.copy()
    band = im.crop((0, cut, im.width, im.height)).convert("L")
    histogram = band.histogram()
    mean_level = sum(level * count for level, count in enumerate(histogram)) / max(1, sum(histogram))
    if mean_level > BAND_MAX_MEAN_LEVEL:
        log.debug("report: an evidence image has no caption band where one was expected")
        return im.copy()
    return im.crop((0, 0, im.width, cut))


def _without_strip(decoded: DecodedImage, im: Image.Image) -> Image.Image:
    """The map below the strip a forensic check burnt along its top rows (forensic_maps.annotate_stamp)."""
    strip_px = stamp_band_px(decoded.width)
    cut = round(strip_px * im.height / decoded.height)
    if not 0 < cut < im.height // 4:
        return im
    corner = im.crop((0, 0, min(im.width, 4 * cut), cut)).convert("L")
    histogram = corner.histogram()
    mean_level = sum(level * count for level, count in enumerate(histogram)) / max(1, sum(histogram))
    if mean_level > BAND_MAX_MEAN_LEVEL:
        return im  # no strip there (an older map, or a map written without one)
    return im.crop((0, cut, im.width, im.height))
