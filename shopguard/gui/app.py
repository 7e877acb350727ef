"""Start the desktop app: ``shopguard`` with no subcommand, or ``shopguard-gui``.

Sets the Qt application up once (names for QSettings, the bundled CJK font, the stylesheet, logging to
the home's log file), then opens the main window. Photos named on the command line are checked as if
dropped on it; when a window is already open on the same data home, they are handed to it instead.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFileOpenEvent, QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from shopguard import __version__
from shopguard.errors import EXIT_HOME, EXIT_USAGE, HomeError
from shopguard.gui.photo_inbox import PhotoInbox
from shopguard.gui.single_instance import PhotoReceiver, hand_over, server_name
from shopguard.i18n import normalize_language, text
from shopguard.paths import Home, resolve_home, resource_path

if TYPE_CHECKING:
    from shopguard.cases.model import Case
    from shopguard.gui.main_window import MainWindow

log = logging.getLogger(__name__)

ORG_NAME = "ShopGuard"
APP_NAME = "ShopGuard"


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="shopguard", add_help=True)
    parser.add_argument(
        "photos", nargs="*", metavar="PHOTO", help="buyer's photos to check, as if dropped on the window"
    )
    parser.add_argument("--home", help="data folder (default: per-user app data, or $SHOPGUARD_HOME)")
    parser.add_argument(
        "--quit-after", type=float, default=None, metavar="SECONDS", help="close the window after SECONDS (smoke tests)"
    )
    parser.add_argument(
        "--quit-when-checked",
        metavar="FILE.png",
        help="smoke tests: once the PHOTOs are checked, save a picture of the window to FILE.png and quit",
    )
    return parser.parse_args(argv)


def _has_display() -> bool:
    """Qt aborts the process (SIGABRT) without a display; say so in words instead (SETUP.md §1)."""
    if os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _attach_log_file(home: Home) -> None:
    handler = logging.FileHandler(home.log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def setup_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with names, bundled font and stylesheet (reuses an existing instance)."""
    from shopguard.gui.language import load_bundled_font
    from shopguard.gui.style import stylesheet

    QCoreApplication.setOrganizationName(ORG_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    existing = QApplication.instance()
    if existing is None:
        # Fractional scale factors (150 %) render crisply instead of rounding to 100 % or 200 %.
        QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = existing if isinstance(existing, QApplication) else QApplication(argv or [APP_NAME])
    load_bundled_font(app)
    app.setStyleSheet(stylesheet())
    app.setWindowIcon(app_icon())
    # Wayland shows the icon of the desktop entry with this name (installers/shopguard.desktop), not the window's.
    QGuiApplication.setDesktopFileName("shopguard")
    return app


def app_icon() -> QIcon:
    """The ShopGuard icon in every size rendered from resources/icons/shopguard.svg (installers/make-icons.py)."""
    icon = QIcon()
    for png in sorted(resource_path("icons").glob("shopguard-*.png")):
        icon.addFile(str(png))
    return icon


QUIT_AFTER_ENV = "SHOPGUARD_QUIT_AFTER_MS"  # used by installers/smoke-test.sh


def _terminal_language() -> str:
    """The language of the terminal's locale, for the few messages printed before a window exists."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(var):
            return normalize_language(os.environ[var])
    return normalize_language(None)


class FileOpenFilter(QObject):
    """macOS hands "Open with" files to the running app as FileOpen events, not on the command line."""

    def __init__(self, inbox: PhotoInbox) -> None:
        super().__init__(inbox)
        self.inbox = inbox

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QFileOpenEvent) and event.file():
            self.inbox.add([Path(event.file())])
            return True
        return super().eventFilter(watched, event)


def _quit_when_checked(window: MainWindow, inbox: PhotoInbox, shot: Path) -> None:
    """Smoke tests: after the first check of handed-over photos, save a picture of the window and close it."""

    def save_and_close(case: Case) -> None:
        if not window.state.runner.is_idle:  # the evidence pictures are still being drawn
            QTimer.singleShot(100, lambda: save_and_close(case))
            return
        window.grab().save(str(shot), "PNG")
        names = ", ".join(photo.name for photo in case.photos)
        sys.stdout.write(f"checked: {names}; case {case.id}; window saved to {shot}\n")
        sys.stdout.flush()
        window.close()

    window.check_page.case_checked.connect(save_and_close)
    if not inbox.pending:
        sys.stderr.write("shopguard: --quit-when-checked needs at least one photo\n")
        QTimer.singleShot(0, lambda: QApplication.exit(EXIT_USAGE))


def open_window(home: Home, photos: list[Path], receiver: PhotoReceiver | None) -> tuple[MainWindow, PhotoInbox]:
    """Show the main window and queue ``photos`` (and those later launches hand over) for checking."""
    from shopguard.gui.main_window import MainWindow

    window = MainWindow(home)
    window.show()
    window.start()
    inbox = PhotoInbox(window)
    app = QApplication.instance()
    if app is not None:
        app.installEventFilter(FileOpenFilter(inbox))
    if receiver is not None:
        receiver.setParent(window)
        receiver.photos_received.connect(inbox.add)
    if photos:
        inbox.add(photos)
    return window, inbox


def main(argv: list[str] | None = None) -> int:
    """Open the window (or hand the photos to the one already open); returns the process exit code.

    Args:
        argv: arguments after the program name (``["--home", DIR, PHOTO, ...]`` or ``[]``); None reads sys.argv.
    """
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = _parse(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else 0
    if not _has_display():
        # Never advise QT_QPA_PLATFORM=offscreen here: it starts a window nobody can see.
        sys.stderr.write(f"shopguard: {text('gui.launch.no_display', _terminal_language())}\n")
        return EXIT_USAGE
    try:
        home = Home(resolve_home(args.home)).ensure()
    except HomeError as exc:
        sys.stderr.write(f"shopguard: {exc.message('en')}\n")
        return EXIT_HOME
    _attach_log_file(home)
    photos = [Path(p).expanduser().absolute() for p in args.photos]
    app = setup_application([sys.argv[0], *argv])
    name = server_name(home.root)
    if args.quit_when_checked is None and hand_over(name, photos):
        log.info("handed %d photo(s) to the ShopGuard window already open on %s", len(photos), home.root)
        return 0
    # A smoke test (--quit-when-checked) may run beside the seller's own window: it neither hands over nor listens.
    receiver = PhotoReceiver(name) if args.quit_when_checked is None else None
    if receiver is not None and not receiver.listen():
        # Another launch started listening since hand_over found nobody: hand over to it after all.
        if hand_over(name, photos):
            return 0
        receiver.listen(remove_stale=True)
    window, inbox = open_window(home, photos, receiver)
    if args.quit_when_checked is not None:
        _quit_when_checked(window, inbox, Path(args.quit_when_checked).expanduser().absolute())
    quit_after_ms = int(args.quit_after * 1000) if args.quit_after is not None else None
    if os.environ.get(QUIT_AFTER_ENV, "").isdigit():
        quit_after_ms = int(os.environ[QUIT_AFTER_ENV])
    if quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, window.close)
    log.info("ShopGuard %s started with home %s", __version__, home.root)
    return int(app.exec())
