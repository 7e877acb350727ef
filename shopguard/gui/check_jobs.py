"""Job functions for the check flow (run on the pool; Qt-free except for saving a pasted QImage)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage

from shopguard.cases.model import Case, CasePhoto
from shopguard.cases.service import CheckRequest, check_photos, recheck_case
from shopguard.cases.store import CaseStore
from shopguard.checks.context import CaseFacts
from shopguard.errors import HomeError
from shopguard.library.store import LibraryStore
from shopguard.paths import Home
from shopguard.progress import CancelToken, ProgressFn
from shopguard.report.builder import build_report
from shopguard.report.options import ReportOptions
from shopguard.report.upload_images import export_upload_images, preset_for_platform


def run_check(
    home: Home,
    request: CheckRequest,
    progress: ProgressFn,
    cancel: CancelToken,
    photo_checked: Callable[[CasePhoto], None] | None = None,
) -> Case:
    """Check the photos of ``request`` as one new case (a fresh DB connection for this thread).

    ``photo_checked`` gets each photo's result as soon as it is ready (called on this worker thread).
    """
    library = LibraryStore(home.library_db)
    try:
        case = check_photos(home, request, library, progress=progress, cancel=cancel, photo_checked=photo_checked)
        library.record_verified()  # the next check need not read the whole library file again
        return case
    finally:
        library.close()


def run_recheck(
    home: Home,
    case_id: str,
    facts: CaseFacts,
    progress: ProgressFn,
    cancel: CancelToken,
    photo_checked: Callable[[CasePhoto], None] | None = None,
) -> Case:
    """Check a stored case again with ``facts``, updating it in place (a fresh DB connection for this thread)."""
    library = LibraryStore(home.library_db)
    try:
        return recheck_case(
            home, case_id, library, facts=facts, progress=progress, cancel=cancel, photo_checked=photo_checked
        )
    finally:
        library.close()


def save_pasted_image(image: QImage, target: Path) -> Path:
    """Write a pasted clipboard image as PNG (QImage may be used off the GUI thread).

    Raises:
        HomeError: when the file cannot be written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target)):  # format from the .png suffix
        raise HomeError("error.case.write", path=str(target), reason="PNG")
    return target


def write_report(home: Home, case: Case, out_path: Path, options: ReportOptions) -> Case:
    """Build the PDF and record it in the stored case; returns the updated case.

    Raises:
        ReportError: when the PDF cannot be written.
    """
    build_report(case, out_path, options)
    store = CaseStore(home.cases_dir)
    updated = store.load(case.id).with_report(str(out_path))
    store.save(updated)
    return updated


def report_image_exporter() -> Callable[..., Any] | None:
    """``export_report_images(pdf_path, out_dir, fmt)`` from shopguard.report, if this build has it."""
    for module_name in ("shopguard.report.page_images", "shopguard.report", "shopguard.report.export"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        exporter = getattr(module, "export_report_images", None)
        if callable(exporter):
            return exporter  # type: ignore[no-any-return]  # checked callable above
    return None


def export_for_upload(
    pdf_path: Path, folder: Path, platform: str, progress: ProgressFn, cancel: CancelToken
) -> list[Path]:
    """The report's pictures within the upload limits of ``platform``'s preset (generic if it has none)."""
    return export_upload_images(pdf_path, folder, preset_for_platform(platform), progress=progress, cancel=cancel)
