"""Reading a written PDF back (text, fonts, pages) the way a reviewer's viewer would."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pypdf import PdfReader


def pdf_text(path: Path) -> str:
    """All extracted text with whitespace removed (extraction may break lines anywhere)."""
    reader = PdfReader(str(path))
    return squash("".join(page.extract_text() or "" for page in reader.pages))


def squash(value: str) -> str:
    return re.sub(r"\s+", "", value)


def page_count(path: Path) -> int:
    return len(PdfReader(str(path)).pages)


def fonts(path: Path) -> list[dict[str, Any]]:
    """Every font dictionary used by any page (including those inside form XObjects)."""
    found: list[dict[str, Any]] = []
    for page in PdfReader(str(path)).pages:
        resources = page.get("/Resources") or {}
        font_dict = resources.get("/Font") or {}
        found += [font_dict[name].get_object() for name in font_dict]
    return found


def is_embedded(font: dict[str, Any]) -> bool:
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def text_runs(path: Path, page_index: int) -> list[tuple[str, float, float]]:
    """The text runs of one page as drawn: (text, font size in pt, baseline height from the bottom)."""
    runs: list[tuple[str, float, float]] = []

    def visit(text: str, cm: Any, tm: Any, _font: Any, size: float) -> None:
        if text.strip():
            # reportlab draws with an unscaled text matrix, so the Tf size is the printed size
            runs.append((text, float(size) * float(tm[3]), float(tm[5]) * float(cm[3]) + float(cm[5])))

    PdfReader(str(path)).pages[page_index].extract_text(visitor_text=visit)
    return runs
