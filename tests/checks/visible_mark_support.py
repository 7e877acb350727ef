"""Draw visible AI marks on photos the way generators do (tests and benchmarks/visible_marks.py).

A mark is white text with a soft dark shadow, at a chosen height and opacity, in a corner with a
margin of half its height, as Doubao/Jimeng/Meta marks are drawn. Fonts: the bundled CJK font
(WenQuanYi Micro Hei) and Bitstream Vera (shipped inside reportlab) for a second, Latin-only design.
"""

from __future__ import annotations

import io
from pathlib import Path

import reportlab
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parents[2]
CJK_FONT = REPO / "resources" / "fonts" / "wqy-microhei.ttc"
LATIN_FONT = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
CORNERS = ("bottom-right", "bottom-left", "top-right", "top-left")


def font_for(text: str, px: int, latin: bool = False) -> ImageFont.FreeTypeFont:
    """The CJK font for text with Chinese characters; Vera for Latin text when ``latin``."""
    path = LATIN_FONT if latin and text.isascii() else CJK_FONT
    return ImageFont.truetype(str(path), px)


def draw_mark(
    photo: Image.Image, text: str, px: int, opacity: float, corner: str = "bottom-right", latin: bool = False
) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A copy of ``photo`` with ``text`` drawn ``px`` tall in ``corner``; returns it and the text box."""
    font = font_for(text, px, latin)
    layer = Image.new("RGBA", photo.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    w, h = right - left, bottom - top
    margin = max(6, px // 2)
    x = margin if corner.endswith("left") else photo.width - w - margin
    y = margin if corner.startswith("top") else photo.height - h - margin
    alpha = round(255 * opacity)
    draw.text((x - left + 1, y - top + 1), text, font=font, fill=(0, 0, 0, alpha // 2))  # soft shadow
    draw.text((x - left, y - top), text, font=font, fill=(255, 255, 255, alpha))
    marked = Image.alpha_composite(photo.convert("RGBA"), layer).convert("RGB")
    return marked, (x, y, w, h)


def cut_half(photo: Image.Image, box: tuple[int, int, int, int], corner: str) -> Image.Image:
    """Crop ``photo`` so that the frame's side edge runs through the middle of the mark in ``box``."""
    x, _, w, _ = box
    middle = x + w // 2
    if corner.endswith("right"):
        return photo.crop((0, 0, middle, photo.height))
    return photo.crop((middle, 0, photo.width, photo.height))


def jpeg_roundtrip(photo: Image.Image, quality: int) -> Image.Image:
    """``photo`` after a JPEG save at ``quality`` (a chat app's recompression)."""
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    with Image.open(buf) as im:
        return im.convert("RGB")
