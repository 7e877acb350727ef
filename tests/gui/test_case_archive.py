"""Cases page: Export… writes a verified case archive and Import… adds it back, both on worker threads."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from pytestqt.qtbot import QtBot

from shopguard.cases.service import CheckRequest, check_photos
from shopguard.cases.store import CaseStore
from shopguard.gui.main_window import MainWindow
from shopguard.library.store import LibraryStore

TIMEOUT_MS = 60_000


def test_export_then_import_a_case_from_the_cases_page(
    qtbot: QtBot, window: MainWindow, demo: Path, tmp_path: Path
) -> None:
    home = window.state.home
    store = LibraryStore(home.library_db)
    case = check_photos(home, CheckRequest((demo / "complaints" / "complaint-bag-stain.jpg",)), store)
    store.close()
    cases = window.cases_view
    with qtbot.waitSignal(cases.cases_loaded, timeout=TIMEOUT_MS):
        window.show_page(MainWindow.PAGE_CASES)
    cases.table.selectRow(0)
    assert cases.export_button.isEnabled() and cases.export_button.text() == "Export…"

    archive = tmp_path / "moved.zip"
    window.state.dialogs.save_archive_path = lambda *_args: archive  # type: ignore[method-assign]
    with qtbot.waitSignal(cases.case_exported, timeout=TIMEOUT_MS) as exported:
        cases.export_button.click()
    assert exported.args == [archive]
    with zipfile.ZipFile(archive) as z:
        assert "manifest.json" in z.namelist()

    shutil.rmtree(home.cases_dir / case.id)  # the new computer has no such case yet
    with qtbot.waitSignal(cases.cases_loaded, timeout=TIMEOUT_MS):
        cases.reload()
    assert cases.proxy.rowCount() == 0
    window.state.dialogs.open_archive = lambda *_args: archive  # type: ignore[method-assign]
    with qtbot.waitSignal(cases.cases_loaded, timeout=TIMEOUT_MS):
        cases.import_button.click()
    assert cases.proxy.rowCount() == 1
    assert CaseStore(home.cases_dir).load(case.id).photos[0].sha256 == case.photos[0].sha256
