"""Export a report's pages as PNG or JPEG files, for appeal forms that accept only images.

Pages are rendered with PDFium through pypdfium2 (a pip wheel that bundles the PDFium binary):
no Qt, no poppler, nothing to install on Windows or macOS, and the same renderer as Chrome.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pypdfium2 as pdfium

from shopguard.errors import ReportError
from shopguard.progress import CancelToken, ProgressFn, report

log = logging.getLogger(__name__)

IMAGE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG"}
JPEG_QUALITY_PCT = 90
MIN_DPI, MAX_DPI = 36, 600
POINTS_PER_INCH = 72.0
# PDFium is not thread-safe (pypdfium2 docs, "Thread incompatibility"): the GUI's pool may run two
# exports at once, so rendering is serialised process-wide (upload_images.py shares the lock).
PDFIUM_LOCK = threading.Lock()


@contextmanager
def opened_pdf(pdf_path: Path, out_dir: Path) -> Iterator[pdfium.PdfDocument]:
    """The report PDF opened for rendering into ``out_dir`` (created), under the process-wide PDFium lock.

    Raises:
        ReportError: the PDF cannot be read, or the pictures cannot be written.
    """
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(str(pdf_path))
        except (pdfium.PdfiumError, OSError) as exc:
            raise ReportError(path=str(pdf_path), reason=str(exc)) from exc
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            yield document
        except OSError as exc:
            raise ReportError(path=str(out_dir), reason=exc.strerror or str(exc)) from exc
        finally:
            document.close()


def page_image_name(pdf_path: Path, page: int, fmt: str) -> str:
    """``report.pdf`` page 3 as PNG -> ``report-page-03.png``."""
    return f"{pdf_path.stem}-page-{page:02d}.{'jpg' if fmt == 'jpeg' else fmt}"


def export_report_images(
    pdf_path: Path,
    out_dir: Path,
    fmt: str = "png",
    dpi: int = 150,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> list[Path]:
    """Render every page of ``pdf_path`` into ``out_dir`` as one image file per page.

    Args:
        pdf_path: a report written by ``build_report``.
        out_dir: folder for the images (created); existing files of the same name are replaced.
        fmt: "png" or "jpeg" ("jpg").
        dpi: resolution; 150 is sharp on screen and under ~1 MB per PNG page.
        progress: called after each page.
        cancel: checked before each page.

    Returns:
        The image paths, in page order.

    Raises:
        ReportError: unknown format or dpi, unreadable PDF, or the images cannot be written.
        Cancelled: when ``cancel`` is set (pages written so far are kept).
    """
    fmt = fmt.lower()
    if fmt not in IMAGE_FORMATS:
        raise ReportError(path=str(out_dir), reason=f"unknown image format {fmt!r} (use png or jpeg)")
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise ReportError(path=str(out_dir), reason=f"dpi {dpi} outside {MIN_DPI}-{MAX_DPI}")
    written: list[Path] = []
    with opened_pdf(pdf_path, out_dir) as document:
        total = len(document)
        for index in range(total):
            if cancel is not None:
                cancel.raise_if_cancelled()
            page = document[index]
            try:
                image = page.render(scale=dpi / POINTS_PER_INCH).to_pil().convert("RGB")
            finally:
                page.close()
            target = out_dir / page_image_name(pdf_path, index + 1, "jpeg" if fmt == "jpg" else fmt)
            if IMAGE_FORMATS[fmt] == "JPEG":
                image.save(target, "JPEG", dpi=(dpi, dpi), quality=JPEG_QUALITY_PCT)
            else:
                image.save(target, "PNG", dpi=(dpi, dpi))
            written.append(target)
            report(progress, index + 1, total, "progress.report_page", page=index + 1, pages=total)
    log.info("exported %d page images of %s to %s", len(written), pdf_path, out_dir)
    return written
