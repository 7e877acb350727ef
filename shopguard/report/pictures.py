"""Pictures for the report: downsampled JPEG copies, outlined regions, side-by-side pairs.

Every picture is made from a decoded copy (``shopguard.imaging``); originals are never written.
Anything drawn on a picture (an outline, a pair, a check's heat map) is stamped "annotated copy"
in both languages, so no reader can mistake it for the photo the buyer sent. It is the only
marking: the English caption band the library-match check puts under its images is cut off first
(a picture with two "annotated copy" marks reads as two pictures stacked).
Pictures are passed to reportlab as JPEG bytes: a decoded Pillow image would be re-encoded
losslessly, 10-50x larger and slower (PERFORMANCE.md, PDF section).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from shopguard.checks.findings import Region
from shopguard.checks.match_evidence import band_height_px
from shopguard.errors import ImageReadError
from shopguard.i18n import text
from shopguard.imaging import DecodedImage, decode, read_source
from shopguard.report.fonts import font_file

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


def _encode(im: Image.Image, is_annotated: bool) -> Picture:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=JPEG_QUALITY_PCT, optimize=False)
    return Picture(buf.getvalue(), im.width, im.height, is_annotated)


@cache
def _stamp_font(size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_file()), size_px, index=0)


def stamp_text() -> str:
    """The in-picture mark, always in both languages (pictures are shared by every report language)."""
    return f"{text('report.stamp', 'zh_CN')} · {text('report.stamp', 'en')}"


def _stamp(im: Image.Image) -> Image.Image:
    """Write "annotated copy" in a white band along the picture's top-left corner."""
    size = max(11, min(28, im.width // 28))
    font = _stamp_font(size)
    draw = ImageDraw.Draw(im)
    label = stamp_text()
    left, top, right, bottom = draw.textbbox((0, 0), label, font=font)
    pad = max(3, size // 4)
    draw.rectangle((0, 0, right - left + 2 * pad, bottom - top + 2 * pad), fill=(255, 255, 255))
    draw.text((pad - left, pad - top), label, fill=OUTLINE_RGB, font=font)
    return im


def _outline(im: Image.Image, regions: Sequence[Region], scale: float) -> None:
    draw = ImageDraw.Draw(im)
    width = max(2, round(max(im.size) / 250))
    for x, y, w, h in regions:
        box = (x * scale, y * scale, (x + w) * scale, (y + h) * scale)
        draw.rectangle(box, outline=OUTLINE_RGB, width=width)


class PictureMaker:
    """Makes the report's pictures; decodes each file once per size (a case repeats photos)."""

    def __init__(self) -> None:
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
        return _encode(decoded.image, is_annotated=False) if decoded else None

    def outlined(self, path: str | None, regions: Sequence[Region], max_side: int) -> Picture | None:
        """The photo with ``regions`` (full-size oriented coordinates) outlined in red, stamped."""
        decoded = self._decode(path, max_side)
        if decoded is None:
            return None
        im = decoded.image.copy()
        _outline(im, regions, decoded.scale)
        return _encode(_stamp(im), is_annotated=True)

    def pair(
        self, left_path: str | None, right_path: str | None, regions: Sequence[Region], max_side: int
    ) -> Picture | None:
        """Complaint photo (left, regions outlined) and listing photo (right) at one height, stamped."""
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
        return _encode(_stamp(canvas), is_annotated=True)

    def evidence(self, path: str | None, max_side: int, has_band: bool = False) -> Picture | None:
        """A check's evidence image (heat map, outline, thumbnail...), downsampled and stamped.

        ``has_band``: the image was written by the library-match check with its caption band,
        which is cut off (the stamp replaces it).
        """
        decoded = self._decode(path, max_side)
        if decoded is None:
            return None
        im = _without_band(decoded) if has_band else decoded.image.copy()
        return _encode(_stamp(im), is_annotated=True)


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
