"""Start the desktop app: ``shopguard`` with no subcommand, or ``shopguard-gui``.

Sets the Qt application up once (names for QSettings, the bundled CJK font, the stylesheet, logging to
the home's log file), then opens the main window.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QApplication

from shopguard import __version__
from shopguard.errors import EXIT_HOME, EXIT_USAGE, HomeError
from shopguard.paths import Home, resolve_home

log = logging.getLogger(__name__)

ORG_NAME = "ShopGuard"
APP_NAME = "ShopGuard"


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="shopguard", add_help=True)
    parser.add_argument("--home", help="data folder (default: per-user app data, or $SHOPGUARD_HOME)")
    parser.add_argument(
        "--quit-after", type=float, default=None, metavar="SECONDS", help="close the window after SECONDS (smoke tests)"
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
    return app


QUIT_AFTER_ENV = "SHOPGUARD_QUIT_AFTER_MS"  # used by installers/smoke-test.sh


def main(argv: list[str] | None = None) -> int:
    """Open the window; returns the process exit code.

    Args:
        argv: arguments after the program name (``["--home", DIR]`` or ``[]``); None reads sys.argv.
    """
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = _parse(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else 0
    if not _has_display():
        sys.stderr.write(
            "shopguard: no display found; use the command line (shopguard --help) or set QT_QPA_PLATFORM=offscreen\n"
        )
        return EXIT_USAGE
    try:
        home = Home(resolve_home(args.home)).ensure()
    except HomeError as exc:
        sys.stderr.write(f"shopguard: {exc.message('en')}\n")
        return EXIT_HOME
    _attach_log_file(home)
    app = setup_application([sys.argv[0], *argv])
    from shopguard.gui.main_window import MainWindow

    window = MainWindow(home)
    window.show()
    window.start()
    quit_after_ms = int(args.quit_after * 1000) if args.quit_after is not None else None
    if os.environ.get(QUIT_AFTER_ENV, "").isdigit():
        quit_after_ms = int(os.environ[QUIT_AFTER_ENV])
    if quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, window.close)
    log.info("ShopGuard %s started with home %s", __version__, home.root)
    return int(app.exec())
