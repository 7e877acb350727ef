"""Paper, margins and the footer on every page (report id, time, version, page x of y).

"Page x of y" needs the page count before any page is written, so the canvas keeps each page's
drawing state and writes all footers when the document is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from shopguard.errors import ReportError
from shopguard.report.writer import MUTED, RULE

PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": A4, "Letter": letter}
MARGIN_PT = 15 * mm
FOOTER_PT = 14 * mm
FOOTER_FONT_PT = 7.0
FRAME_PADDING_PT = 6.0

FooterLines = Callable[[int, int], Sequence[str]]
"""(page, pages) -> the footer's lines."""


def frame_size(paper: tuple[float, float]) -> tuple[float, float]:
    """Width and height available to the page content (reportlab frames pad 6 pt on every side)."""
    pad = 2 * FRAME_PADDING_PT
    return paper[0] - 2 * MARGIN_PT - pad, paper[1] - 2 * MARGIN_PT - FOOTER_PT - pad


def page_size(name: str) -> tuple[float, float]:
    """The paper size in points for "A4" or "Letter" (case-insensitive).

    Raises:
        ReportError: for any other name.
    """
    for known, size in PAGE_SIZES.items():
        if name.lower() == known.lower():
            return size
    raise ReportError(path="", reason=f"unknown paper size {name!r} (use A4 or Letter)")


def footer_canvas(font: str, lines: FooterLines) -> type[Canvas]:
    """A canvas class whose pages get ``lines(page, pages)`` as a footer once the count is known.

    The initial font is the embedded one: reportlab's default (Helvetica) would otherwise be named
    on every page and listed as a non-embedded font.
    """

    class FooterCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no type hints
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # BaseDocTemplate passes initialFontName=None explicitly, so setdefault is not enough.
            if not kwargs.get("initialFontName"):
                kwargs["initialFontName"] = font
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's API name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._draw_footer(lines(number, total))
                super().showPage()
            super().save()

        def _draw_footer(self, footer: Sequence[str]) -> None:
            width, _height = self._pagesize
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            top = MARGIN_PT * 0.5 + FOOTER_FONT_PT * 1.35 * len(footer) + 2
            self.line(MARGIN_PT, top, width - MARGIN_PT, top)
            self.setFont(font, FOOTER_FONT_PT)
            self.setFillColor(MUTED)
            y = top - FOOTER_FONT_PT - 2
            for line in footer:
                self.drawString(MARGIN_PT, y, line)
                y -= FOOTER_FONT_PT * 1.35
            self.restoreState()

    return FooterCanvas
