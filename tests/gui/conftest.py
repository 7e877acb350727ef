"""GUI fixtures: a window on an isolated home, scripted dialogs, isolated QSettings, and a check that
the job pool is empty after every test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from shopguard.gui.app import setup_application
from shopguard.gui.main_window import MainWindow
from shopguard.gui.state import Dialogs
from shopguard.library.indexer import index_paths
from shopguard.library.store import LibraryStore
from shopguard.paths import Home


class ScriptedDialogs(Dialogs):
    """The user's answers, set by the test; every hand-off to the desktop is recorded, not run."""

    def __init__(self) -> None:
        self.photos: list[Path] = []
        self.save_path: Path | None = None
        self.folder: Path | None = None
        self.opened_urls: list[str] = []

    def open_photos(self, parent: QWidget, title: str, filter_name: str) -> list[Path]:
        return list(self.photos)

    def save_report_path(self, parent: QWidget, title: str, suggested: Path) -> Path | None:
        return self.save_path

    def choose_folder(self, parent: QWidget, title: str) -> Path | None:
        return self.folder

    def open_url(self, url: QUrl) -> bool:
        self.opened_urls.append(url.toLocalFile())
        return True


def drop_files(widget: QWidget, paths: list[Path]) -> bool:
    """Drag ``paths`` onto ``widget`` and drop them, as a file manager would (SETUP.md §6)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPointF(widget.rect().center())
    enter = QDragEnterEvent(
        pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path: Path) -> Iterator[None]:
    """QSettings (window geometry) go to the test's own folder."""
    setup_application(["shopguard-tests"])
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield


@pytest.fixture(scope="session")
def demo_library_db(tmp_path_factory: pytest.TempPathFactory, demo: Path) -> Path:
    """A library database holding the demo shop, built once per session."""
    db = tmp_path_factory.mktemp("demo-library") / "library.sqlite3"
    store = LibraryStore(db)
    index_paths(store, [demo / "library"])
    store.close()
    return db


def _open_window(qtbot: QtBot, home: Home) -> Iterator[MainWindow]:
    window = MainWindow(home)
    window.state.dialogs = ScriptedDialogs()
    window.state.set_language("en")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.start()
    yield window
    qtbot.waitUntil(lambda: window.state.runner.is_idle, timeout=15_000)
    assert window.state.runner.active_count == 0, "jobs left running after the test"
    window.close()


@pytest.fixture
def empty_window(qtbot: QtBot, isolated_home: Path) -> Iterator[MainWindow]:
    """A first-run window: no library, no cases."""
    yield from _open_window(qtbot, Home(isolated_home).ensure())


@pytest.fixture
def window(qtbot: QtBot, isolated_home: Path, demo_library_db: Path) -> Iterator[MainWindow]:
    """A window whose library holds the demo shop."""
    home = Home(isolated_home).ensure()
    shutil.copyfile(demo_library_db, home.library_db)
    yield from _open_window(qtbot, home)


def dialogs(window: MainWindow) -> ScriptedDialogs:
    scripted = window.state.dialogs
    assert isinstance(scripted, ScriptedDialogs)
    return scripted
