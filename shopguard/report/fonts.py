"""Register the bundled CJK TrueType font with reportlab (embedded and subset in every PDF)."""

from __future__ import annotations

from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from shopguard.paths import resource_path

FONT_NAME = "WQYMicroHei"


@cache
def register_fonts() -> str:
    """Register the bundled font once per process; returns its reportlab name.

    reportlab's built-in CID fonts (STSong-Light) are not embedded and vanish on viewers without
    CJK fonts, so a TrueType font with Latin and CJK glyphs is embedded instead (see SETUP.md §5).
    """
    font_file = resource_path("fonts", "wqy-microhei.ttc")
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_file), subfontIndex=0))
    return FONT_NAME
