"""PhotoInbox: photos handed to the app from outside (its command line, a later launch) become one check.

They are treated as a drop on the window: the check page shows and the photos are checked as one case.
Photos that arrive close together are gathered first, because "Open with ShopGuard" on three files may
start ShopGuard three times (one photo each) and the seller means one complaint, not three.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from shopguard.imaging.video_sniff import VIDEO_SUFFIXES
from shopguard.library.indexer import IMAGE_SUFFIXES

if TYPE_CHECKING:
    from shopguard.gui.main_window import MainWindow

log = logging.getLogger(__name__)

# Gather photos for this long after the last one arrived. A later launch needs ~0.3-1 s to start Python and
# Qt before it can hand its photo over (SETUP.md §10: 0.2-0.5 s from source, 2-3 s frozen cold start on
# this machine, mostly before the hand-over); one second of quiet catches a file manager's burst.
GATHER_QUIET_MS = 1000


def checkable_photos(paths: list[Path]) -> list[Path]:
    """The existing photo files among ``paths``, absolute, in order, without repeats (what a drop accepts)."""
    seen: list[Path] = []
    for path in paths:
        full = Path(path).expanduser().absolute()
        if full.suffix.lower() in IMAGE_SUFFIXES | VIDEO_SUFFIXES and full.is_file() and full not in seen:
            seen.append(full)
    return seen


class PhotoInbox(QObject):
    """Collects photos from outside and starts one check for them on ``window``'s check page.

    Signals:
        check_started(list[Path]): a check of these photos started.
    """

    check_started = Signal(list)

    def __init__(self, window: MainWindow, quiet_ms: int = GATHER_QUIET_MS) -> None:
        super().__init__(window)
        self.window = window
        self.pending: list[Path] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(quiet_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    def add(self, paths: list[Path]) -> None:
        """Bring the window to the front and queue the photos among ``paths`` (other files are ignored)."""
        self._raise_window()
        new = [p for p in checkable_photos(paths) if p not in self.pending]
        if len(new) < len(paths):
            log.info("ignored %d of %d handed-over files (not photos, or missing)", len(paths) - len(new), len(paths))
        if not new:
            return
        self.pending.extend(new)
        self._timer.start()

    def _raise_window(self) -> None:
        window = self.window
        if QGuiApplication.platformName() in ("offscreen", "minimal"):
            return  # nothing to bring forward (smoke tests, pytest); Qt would warn that it cannot raise
        if window.isMinimized():
            window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        window.show()
        window.raise_()
        window.activateWindow()

    def _on_timer_timeout(self) -> None:
        self.check_now()

    def check_now(self) -> None:
        """Start checking the gathered photos now (the quiet time ends early); later when a check is running."""
        self._timer.stop()
        if not self.pending:
            return
        page = self.window.check_page
        if page.is_checking:
            self._timer.start()  # one check at a time (as with a drop): these become the next case
            return
        photos, self.pending = self.pending, []
        self.window.show_page(self.window.PAGE_CHECK)
        page.check_files(photos)
        self.check_started.emit(photos)
