"""CheckPage: the main flow: empty state → check running (progress, cancel) → result → report."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from shopguard.cases.model import Case, CasePhoto
from shopguard.cases.service import CheckRequest
from shopguard.cases.store import CaseStore
from shopguard.errors import ShopGuardError
from shopguard.gui import check_jobs
from shopguard.gui.jobs import JobFailure
from shopguard.gui.state import AppState
from shopguard.gui.views.result_view import ResultView
from shopguard.gui.views.start_view import StartView
from shopguard.gui.widgets.drop_zone import image_paths_from_mime
from shopguard.gui.widgets.live_check_bar import show_fraction
from shopguard.progress import CancelToken, Progress, ProgressFn
from shopguard.report.options import ReportOptions

log = logging.getLogger(__name__)


class BusyView(QWidget):
    """A check in progress: what is happening, how far, and a Cancel button."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("pageTitle")
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("muted")
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setFixedWidth(420)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setTextVisible(False)
        self.cancel_button = QPushButton(self)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        for widget in (self.title_label, self.progress_bar, self.message_label):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(row)
        self.state = state
        state.language_changed.connect(self.retranslate)
        self.retranslate()

    def retranslate(self) -> None:
        self.title_label.setText(self.state.t("gui.busy.title"))
        self.cancel_button.setText(self.state.t("gui.busy.cancel"))

    def show_progress(self, progress: Progress, message: str) -> None:
        show_fraction(self.progress_bar, progress)
        self.message_label.setText(message)


class CheckPage(QStackedWidget):
    """Runs checks and reports for the window.

    Signals:
        photo_checked(object): one photo of a running check is done and shown (its CasePhoto).
        case_checked(object): a new case was checked and stored (its Case).
        report_created(str): a report PDF was written (its path).
        check_cancelled(): the user cancelled a running check.
        case_link_activated(str): a finding links to another case.
    """

    photo_checked = Signal(object)
    case_checked = Signal(object)
    report_created = Signal(str)
    check_cancelled = Signal()
    case_link_activated = Signal(str)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.start_view = StartView(state, self)
        self.busy_view = BusyView(state, self)
        self.result_view = ResultView(state, self)
        for view in (self.start_view, self.busy_view, self.result_view):
            self.addWidget(view)
        self.case: Case | None = None
        self._check_token: CancelToken | None = None
        self._checking: CheckRequest | None = None
        self._checked_photos: list[CasePhoto] = []
        self.start_view.files_chosen.connect(self.check_files)
        self.start_view.open_requested.connect(self.open_photos)
        self.start_view.paste_requested.connect(self.paste)
        self.start_view.demo_complaint_chosen.connect(lambda p: self.check_files([p]))
        self.busy_view.cancel_button.clicked.connect(self.cancel_check)
        self.result_view.live_bar.cancel_button.clicked.connect(self.cancel_check)
        rv = self.result_view
        rv.new_check_requested.connect(self.new_check)
        rv.report_requested.connect(self.create_report)
        rv.open_report_requested.connect(self.open_report)
        rv.print_requested.connect(self.print_report)
        rv.show_report_folder_requested.connect(self.show_report_folder)
        rv.export_images_requested.connect(self.export_images)
        rv.recheck_requested.connect(self.recheck)
        rv.case_link_activated.connect(self.case_link_activated)
        rv.set_export_available(check_jobs.report_image_exporter() is not None)

    @property
    def is_checking(self) -> bool:
        return self._check_token is not None

    # --- starting a check -----------------------------------------------------------------------
    def open_photos(self) -> None:
        t = self.state.t
        paths = self.state.dialogs.open_photos(self, t("gui.start.open_title"), t("gui.start.photo_filter"))
        if paths:
            self.check_files(paths)

    def paste(self) -> bool:
        """Check the photo on the clipboard (copied files or a copied image); False if there is none."""
        mime = QGuiApplication.clipboard().mimeData()
        paths = image_paths_from_mime(mime) if mime is not None else []
        if paths:
            self.check_files(paths)
            return True
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.state.show_error(self, self.state.t("gui.start.paste_empty"))
            return False
        name = f"clipboard-{datetime.now():%Y%m%d-%H%M%S}.png"
        target = self.state.home.cache_dir / "pasted" / name
        self._start_check(
            CheckRequest(photos=(target,), facts=self.start_view.order_form.facts()), pasted=QImage(image)
        )
        return True

    def check_files(self, paths: list[Path]) -> None:
        if self.is_checking or not paths:
            return
        request = CheckRequest(
            photos=tuple(Path(p).absolute() for p in paths), facts=self.start_view.order_form.facts()
        )
        self._start_check(request)

    def recheck(self) -> None:
        """*Check again*: the shown case, with the order facts the seller confirms, updated in place."""
        case = self.case
        if case is None or self.is_checking or self.currentWidget() is not self.result_view:
            return
        facts = self.state.dialogs.edit_facts(self, self.state, case.facts)
        if facts is None:
            return
        home, case_id = self.state.home, case.id

        def job(progress: ProgressFn, cancel: CancelToken, photo_checked: Callable[[CasePhoto], None]) -> Case:
            return check_jobs.run_recheck(home, case_id, facts, progress, cancel, photo_checked=photo_checked)

        shown = CheckRequest(photos=tuple(Path(p.original_path) for p in case.photos), facts=facts)
        self._start_check(shown, job=job)

    def _start_check(
        self,
        request: CheckRequest,
        pasted: QImage | None = None,
        job: Callable[[ProgressFn, CancelToken, Callable[[CasePhoto], None]], Case] | None = None,
    ) -> None:
        """Run ``job`` (default: check ``request`` as a new case) with progress, live results and cancel;
        ``request`` names the photos shown while it runs."""
        home = self.state.home

        def check(progress: ProgressFn, cancel: CancelToken, photo_checked: Callable[[CasePhoto], None]) -> Case:
            if pasted is not None:
                check_jobs.save_pasted_image(pasted, request.photos[0])
            return check_jobs.run_check(home, request, progress, cancel, photo_checked=photo_checked)

        self._checking, self._checked_photos = request, []
        self.busy_view.show_progress(Progress(0, 0), self.state.t("gui.busy.starting"))
        self.setCurrentWidget(self.busy_view)
        self._check_token = self.state.runner.submit_streaming(
            job or check,
            on_partial=self._on_check_photo_checked,
            on_success=self._on_check_succeeded,
            on_failure=self._on_check_failed,
            on_progress=self._on_check_progressed,
            on_cancel=self._on_check_cancelled,
        )

    def cancel_check(self) -> None:
        if self._check_token is not None:
            self._check_token.cancel()
            cancelling = self.state.t("gui.busy.cancelling")
            self.busy_view.message_label.setText(cancelling)
            self.result_view.live_bar.message_label.setText(cancelling)
            self.result_view.live_bar.cancel_button.setEnabled(False)

    def _on_check_progressed(self, progress: Progress) -> None:
        message = self.state.t(progress.message_key, **progress.fields) if progress.message_key else ""
        self.busy_view.show_progress(progress, message)
        self.result_view.live_bar.show_progress(progress, message)

    def _on_check_photo_checked(self, photo: CasePhoto) -> None:
        """One photo is done: show it now, the others marked as still being checked."""
        request = self._checking
        if request is None:
            return
        self._checked_photos.append(photo)
        names = tuple(p.name for p in request.photos)
        self.result_view.show_checking(names, request.facts, tuple(self._checked_photos))
        if self.currentWidget() is self.busy_view:
            self.result_view.live_bar.cancel_button.setEnabled(True)
            self.result_view.live_bar.show_progress(Progress(0, 0), self.busy_view.message_label.text())
            self.setCurrentWidget(self.result_view)
        self.photo_checked.emit(photo)

    def _end_check(self) -> None:
        self._check_token, self._checking, self._checked_photos = None, None, []

    def _on_check_succeeded(self, case: Case) -> None:
        is_recheck = self.case is not None and self.case.id == case.id
        self._end_check()
        if not is_recheck:  # the form holds the facts of a new check; a re-check took its own
            self.start_view.order_form.clear()
        self.show_case(case)
        self.case_checked.emit(case)
        self.state.case_stored.emit(case.id)

    def _on_check_failed(self, failure: JobFailure) -> None:
        self._end_check()
        self.result_view.abandon_checking()
        self.setCurrentWidget(self.start_view)
        self.state.show_failure(self, failure)

    def _on_check_cancelled(self) -> None:
        self._end_check()
        self.result_view.abandon_checking()
        self.setCurrentWidget(self.start_view)
        self.check_cancelled.emit()

    # --- showing a case -------------------------------------------------------------------------
    def show_case(self, case: Case) -> None:
        self.case = case
        self.result_view.show_case(case)
        self.setCurrentWidget(self.result_view)

    def open_case(self, case_id: str) -> bool:
        """Reopen a stored case (its stored results; nothing is re-checked)."""
        try:
            case = CaseStore(self.state.home.cases_dir).load(case_id)
        except ShopGuardError as exc:
            self.state.show_error(self, exc.message(self.state.lang))
            return False
        self.show_case(case)
        return True

    def new_check(self) -> None:
        self.setCurrentWidget(self.start_view)

    # --- reports --------------------------------------------------------------------------------
    def suggested_report_path(self, case: Case) -> Path:
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return Path(docs or Path.home()) / f"ShopGuard-{case.id}.pdf"

    def create_report(self) -> None:
        """Ask where to save, write the PDF in a job, then open it in the system viewer."""
        case = self.case
        if case is None or self.is_checking or self.currentWidget() is not self.result_view:
            return  # while a check runs the result view shows its photos, not ``self.case``
        t = self.state.t
        path = self.state.dialogs.save_report_path(self, t("gui.report.save_title"), self.suggested_report_path(case))
        if path is None:
            return
        home, options = self.state.home, ReportOptions.from_settings(self.state.settings)
        self.result_view.report_button.setEnabled(False)
        self.state.runner.submit(
            lambda progress, cancel: check_jobs.write_report(home, case, path, options),
            on_success=self._on_report_succeeded,
            on_failure=self._on_report_failed,
            on_cancel=lambda: self.result_view.report_button.setEnabled(True),
        )

    def _on_report_succeeded(self, case: Case) -> None:
        self.result_view.report_button.setEnabled(True)
        self.case = case
        path = case.reports[-1]
        is_opened = self.state.dialogs.open_url(QUrl.fromLocalFile(path))
        if not self.result_view.is_live:  # a check started meanwhile owns the result view now
            self.result_view.case = case
            self.result_view.show_report_created(path, is_opened=is_opened)
        self.report_created.emit(path)
        self.state.case_stored.emit(case.id)

    def _on_report_failed(self, failure: JobFailure) -> None:
        self.result_view.report_button.setEnabled(True)
        self.state.show_failure(self, failure)

    def report_path(self) -> Path | None:
        if self.case is None or not self.case.reports:
            return None
        return Path(self.case.reports[-1])

    def open_report(self) -> None:
        path = self.report_path()
        if path is not None and not self.state.dialogs.open_url(QUrl.fromLocalFile(str(path))):
            self.result_view.show_report_not_opened()

    def show_report_folder(self) -> None:
        path = self.report_path()
        if path is not None and not self.state.dialogs.open_url(QUrl.fromLocalFile(str(path.parent))):
            self.result_view.show_report_not_opened(folder=True)

    def print_report(self) -> None:
        """Print the latest report (Ctrl+P); creates one first when the case has none."""
        path = self.report_path()
        if self.is_checking:
            return
        if path is None:
            self.create_report()
            return
        from shopguard.gui.printing import print_pdf

        printer = self.state.dialogs.choose_printer(self, self.state.t("gui.report.print_title"))
        if printer is not None:
            print_pdf(path, printer)

    def export_images(self) -> None:
        exporter = check_jobs.report_image_exporter()
        path = self.report_path()
        if exporter is None or path is None:
            return
        folder = self.state.dialogs.choose_folder(self, self.state.t("gui.report.export_title"))
        if folder is None:
            return
        # The platform chosen in the order form picks its upload preset (count, width, bytes per
        # picture, and a long image first); a case without one gets every page as PNG, as before.
        platform = self.case.facts.platform if self.case is not None else None
        if platform:
            work = functools.partial(check_jobs.export_for_upload, path, folder, platform)
        else:
            work = functools.partial(exporter, path, folder, "png")
        self.state.runner.submit(
            lambda progress, cancel: work(progress=progress, cancel=cancel),
            on_success=lambda _r: self.state.dialogs.open_url(QUrl.fromLocalFile(str(folder))),
            on_failure=lambda f: self.state.show_failure(self, f),
        )
