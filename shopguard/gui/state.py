"""AppState: what every view shares (home, settings, language, job runner) and the dialog hooks.

Views get the state object instead of reaching for globals. ``AppState.dialogs`` holds every place
the app would ask the user for a file or folder and every hand-off to the desktop (open a PDF, show
a folder); tests and the screenshot script replace it with a scripted ``Dialogs`` subclass, so no
modal dialog ever blocks them.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLocale, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from shopguard.checks.context import CaseFacts
from shopguard.gui.file_dialogs import make_file_dialog
from shopguard.gui.jobs import JobFailure, JobRunner
from shopguard.gui.language import QtTranslations, resolve_ui_language
from shopguard.i18n import normalize_language, text
from shopguard.paths import Home
from shopguard.settings import Settings, load_settings, save_settings

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter

log = logging.getLogger(__name__)

IMAGE_FILTER_SUFFIXES = (
    "*.jpg *.jpeg *.png *.webp *.heic *.heif *.avif *.tif *.tiff *.bmp *.gif *.mp4 *.mov *.m4v *.3gp *.3g2 *.webm *.mkv"
)


def _file_dialog(parent: QWidget, title: str, name_filter: str = "", directory: str = "") -> QFileDialog:
    """The platform's file dialog, or Qt's tidied one (gui/file_dialogs.py), in the window's language."""
    return make_file_dialog(parent, title, normalize_language(QLocale().name()), directory, name_filter)


class Dialogs:
    """Questions to the user and hand-offs to the desktop; replaceable as a whole in tests."""

    def open_photos(self, parent: QWidget, title: str, filter_name: str) -> list[Path]:
        dialog = _file_dialog(parent, title, f"{filter_name} ({IMAGE_FILTER_SUFFIXES})")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        return [Path(f) for f in dialog.selectedFiles()] if dialog.exec() else []

    def save_report_path(self, parent: QWidget, title: str, suggested: Path) -> Path | None:
        dialog = _file_dialog(parent, title, "PDF (*.pdf)", str(suggested))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("pdf")
        if not dialog.exec() or not dialog.selectedFiles():
            return None
        path = Path(dialog.selectedFiles()[0])
        return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")

    def save_archive_path(self, parent: QWidget, title: str, suggested: Path) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), "ZIP (*.zip)")
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == ".zip" else path.with_suffix(".zip")

    def open_archive(self, parent: QWidget, title: str) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, title, "", "ZIP (*.zip)")
        return Path(name) if name else None

    def choose_folder(self, parent: QWidget, title: str) -> Path | None:
        dialog = _file_dialog(parent, title)
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        return Path(dialog.selectedFiles()[0]) if dialog.exec() and dialog.selectedFiles() else None

    def choose_logo(self, parent: QWidget, title: str) -> Path | None:
        dialog = _file_dialog(parent, title, "Images (*.png *.jpg *.jpeg)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        return Path(dialog.selectedFiles()[0]) if dialog.exec() and dialog.selectedFiles() else None

    def choose_printer(self, parent: QWidget, title: str) -> QPrinter | None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(title)
        return printer if dialog.exec() == QPrintDialog.DialogCode.Accepted else None

    def open_url(self, url: QUrl) -> bool:
        return bool(QDesktopServices.openUrl(url))

    def edit_facts(self, parent: QWidget, state: AppState, facts: CaseFacts) -> CaseFacts | None:
        """The order facts for checking a case again (the stored ones, as the seller left or changed them);
        None when cancelled."""
        from shopguard.gui.views.recheck_dialog import RecheckDialog  # the dialog's form needs AppState

        dialog = RecheckDialog(state, facts, parent)
        return dialog.facts() if dialog.exec() == RecheckDialog.DialogCode.Accepted else None


class AppState(QObject):
    """Shared state of one window.

    Signals:
        language_changed(str): the UI language switched ("en" or "zh_CN").
        settings_changed(): settings were saved.
        case_stored(str): a case was created or changed (its id).
        library_changed(): photos were added to or removed from the library.
        status_message(str): a short note for the status bar.
    """

    language_changed = Signal(str)
    settings_changed = Signal()
    case_stored = Signal(str)
    library_changed = Signal()
    status_message = Signal(str)

    def __init__(self, home: Home, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.home = home
        self.runner = JobRunner(self)
        self.dialogs = Dialogs()
        self.settings: Settings = load_settings(home)
        self.lang = resolve_ui_language(self.settings.ui_language)
        self._qt_translations = QtTranslations()
        self._qt_translations.apply(self.lang)

    def t(self, key: str, **fields: Any) -> str:
        """A catalogue text in the current UI language."""
        return text(key, self.lang, **fields)

    def update_settings(self, **changes: Any) -> None:
        """Save changed settings; switches the UI language when ``ui_language`` changed.

        Raises:
            HomeError: when the settings file cannot be written.
        """
        self.settings = replace(self.settings, **changes)
        save_settings(self.home, self.settings)
        self.settings_changed.emit()
        self.set_language(resolve_ui_language(self.settings.ui_language))

    def set_language(self, lang: str) -> None:
        if lang == self.lang:
            return
        self.lang = lang
        self._qt_translations.apply(lang)
        self.language_changed.emit(lang)

    def show_failure(self, parent: QWidget, failure: JobFailure) -> QMessageBox:
        """Tell the user what went wrong in plain words; the technical details are folded away."""
        from shopguard.errors import ShopGuardError

        if isinstance(failure.error, ShopGuardError):
            message = failure.error.message(self.lang)
        else:
            message = self.t("gui.error.unexpected", log=str(self.home.log_file))
        return self.show_error(parent, message, failure.details)

    def show_error(self, parent: QWidget, message: str, details: str = "") -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Warning, self.t("gui.error.title"), message, QMessageBox.StandardButton.Ok, parent
        )
        if details:
            box.setDetailedText(details)
        box.setObjectName("errorDialog")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # window-modal but non-blocking: the event loop keeps running
        log.info("error shown: %s", message)
        return box
