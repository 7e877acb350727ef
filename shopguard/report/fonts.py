"""Register the bundled CJK TrueType font with reportlab (embedded and subset in every PDF)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from shopguard.paths import resource_path

FONT_NAME = "WQYMicroHei"


def font_file() -> Path:
    """The bundled WenQuanYi Micro Hei collection (Latin + CJK glyphs, Apache-2.0)."""
    return resource_path("fonts", "wqy-microhei.ttc")


@cache
def register_fonts() -> str:
    """Register the bundled font once per process; returns its reportlab name.

    reportlab's built-in CID fonts (STSong-Light) are not embedded and vanish on viewers without
    CJK fonts, so a TrueType font with Latin and CJK glyphs is embedded instead (see SETUP.md §5).
    The font has one weight; bold and italic are mapped onto it so that a ``<b>`` in a paragraph
    can never pull in a non-embedded standard font such as Helvetica-Bold.
    """
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_file()), subfontIndex=0))
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(FONT_NAME, bold, italic, FONT_NAME)
    return FONT_NAME
