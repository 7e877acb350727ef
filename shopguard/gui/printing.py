"""Print a report PDF: each page rendered by QtPdf at the printer's resolution."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter


def print_pdf(path: Path, printer: QPrinter) -> int:
    """Send every page of ``path`` to ``printer``; returns the number of pages printed."""
    document = QPdfDocument()
    document.load(str(path))
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    target = painter.viewport()
    pages = document.pageCount()
    for index in range(pages):
        if index:
            printer.newPage()
        size = document.pagePointSize(index)
        scale = min(target.width() / size.width(), target.height() / size.height())
        image = document.render(index, QSize(int(size.width() * scale), int(size.height() * scale)))
        painter.drawImage(0, 0, image)
    painter.end()
    return pages
