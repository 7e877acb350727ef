"""Plain-words errors, unreadable photos, printing, and starting the app as the ``shopguard`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from shopguard.cases.store import CaseStore
from shopguard.gui.main_window import MainWindow
from tests.gui.conftest import ScriptedDialogs, dialogs, drop_files

TIMEOUT_MS = 30_000
REPO = Path(__file__).resolve().parents[2]


def _check(qtbot: QtBot, window: MainWindow, photo: Path) -> None:
    with qtbot.waitSignal(window.check_page.case_checked, timeout=TIMEOUT_MS):
        assert drop_files(window.check_page.start_view.drop_zone, [photo])


def test_unwritable_report_path_gives_a_plain_words_dialog(
    qtbot: QtBot, window: MainWindow, demo: Path, tmp_path: Path
) -> None:
    _check(qtbot, window, demo / "complaints" / "complaint-bag-stain.jpg")
    blocker_file = tmp_path / "not-a-folder"
    blocker_file.write_text("x", encoding="utf-8")
    dialogs(window).save_path = blocker_file / "report.pdf"
    window.check_page.result_view.report_button.click()
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "errorDialog") is not None, timeout=TIMEOUT_MS)
    box = window.findChild(QMessageBox, "errorDialog")
    assert box is not None and box.isVisible()
    assert "Could not write the report" in box.text() and "Traceback" not in box.text()
    assert box.detailedText(), "technical details are folded away, not lost"
    box.close()
    assert window.check_page.result_view.report_button.isEnabled()


def test_unreadable_photo_says_so_without_accusing(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    """No photo could be read: a plain-words message, and no case (issue 15: nothing stored)."""
    empty = tmp_path / "微信图片_20260101.jpg"
    empty.write_bytes(b"")
    assert drop_files(window.check_page.start_view.drop_zone, [empty])
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "errorDialog") is not None, timeout=TIMEOUT_MS)
    box = window.findChild(QMessageBox, "errorDialog")
    assert box is not None and box.isVisible()
    assert str(empty) in box.text() and "no case was created" in box.text() and "Traceback" not in box.text()
    box.close()
    assert window.check_page.currentWidget() is window.check_page.start_view
    assert CaseStore(window.state.home.cases_dir).list() == []


class PdfPrinterDialogs(ScriptedDialogs):
    """The user picks "print to file" in the print dialog."""

    def __init__(self, target: Path) -> None:
        super().__init__()
        self.target = target

    def choose_printer(self, parent: QWidget, title: str) -> QPrinter | None:
        printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(self.target))
        return printer


def test_print_report_renders_every_page(qtbot: QtBot, window: MainWindow, demo: Path, tmp_path: Path) -> None:
    window.state.dialogs = PdfPrinterDialogs(tmp_path / "printed.pdf")
    dialogs(window).save_path = tmp_path / "report.pdf"
    _check(qtbot, window, demo / "complaints" / "complaint-bag-stain.jpg")
    with qtbot.waitSignal(window.check_page.report_created, timeout=TIMEOUT_MS):
        window.print_action.trigger()  # Ctrl+P without a report creates one first
    window.print_action.trigger()
    assert (tmp_path / "printed.pdf").read_bytes()[:5] == b"%PDF-"


def test_shopguard_command_opens_and_closes_the_window(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "SHOPGUARD_QUIT_AFTER_MS": "300",
        "PYTHONPATH": str(REPO),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    home = tmp_path / "home"
    proc = subprocess.run(
        [sys.executable, "-m", "shopguard", "--home", str(home)],
        env=env,
        timeout=60,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (home / "logs" / "shopguard.log").read_text("utf-8").count("started with home") == 1
    no_display = {k: v for k, v in env.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run(
        [sys.executable, "-m", "shopguard", "--home", str(home)],
        env=no_display,
        timeout=60,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2, "a clear message instead of Qt's abort"
    assert "needs a desktop session" in proc.stderr and "shopguard check" in proc.stderr
    assert "offscreen" not in proc.stderr, "never advise a person to start a window nobody can see"


def test_about_shows_version_and_licences(qtbot: QtBot, window: MainWindow) -> None:
    from shopguard import __version__
    from shopguard.gui.views.about_dialog import AboutDialog

    window.about_action.trigger()
    dialog = window.findChild(AboutDialog)
    assert dialog is not None and dialog.isVisible()
    text = dialog.text_label.text()
    assert __version__ in text and "Apache License 2.0" in text and "CC BY 4.0" in text
    dialog.close()
