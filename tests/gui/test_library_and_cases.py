"""Library (add with progress, cancel, missing files), first-run demo shop, and reopening cases."""

from __future__ import annotations

import shutil
from pathlib import Path

from pytestqt.qtbot import QtBot

from shopguard.cases.service import CheckRequest, check_photos
from shopguard.cases.store import CaseStore
from shopguard.checks.context import CaseFacts
from shopguard.gui.main_window import MainWindow
from shopguard.library.store import LibraryStore
from shopguard.settings import load_settings
from tests.gui.conftest import dialogs

TIMEOUT_MS = 60_000


def _photo_folder(demo: Path, target: Path, copies: int) -> Path:
    target.mkdir(parents=True)
    sources = sorted((demo / "library").glob("*.jpg"))
    for i in range(copies):
        shutil.copyfile(sources[i % len(sources)], target / f"{i:03d}-{sources[i % len(sources)].name}")
    return target


def test_add_folder_indexes_with_progress(qtbot: QtBot, empty_window: MainWindow, demo: Path, tmp_path: Path) -> None:
    window = empty_window
    folder = _photo_folder(demo, tmp_path / "商品图", 12)
    dialogs(window).folder = folder
    window.show_page(MainWindow.PAGE_LIBRARY)
    library = window.library_view
    seen: list[int] = []
    library.indexing_bar.progress_bar.valueChanged.connect(seen.append)
    with qtbot.waitSignal(library.indexing_finished, timeout=TIMEOUT_MS) as blocker:
        library.add_button.click()
        assert library.indexing_bar.isVisibleTo(window), "indexing shows progress in the status bar"
    assert blocker.args[0].added == 12
    assert seen and max(seen) >= 1
    qtbot.waitUntil(lambda: library.model.rowCount() == 12, timeout=TIMEOUT_MS)
    assert library.count_label.text().startswith("12 photos")
    assert load_settings(window.state.home).library_folders == (str(folder),)
    library.search_edit.setText("B074M5HPBD")
    assert library.proxy.rowCount() == 3
    qtbot.waitUntil(lambda: library.model.thumbnail_count >= 3, timeout=TIMEOUT_MS)


def test_cancel_indexing_keeps_what_was_done(
    qtbot: QtBot, empty_window: MainWindow, demo: Path, tmp_path: Path
) -> None:
    window = empty_window
    dialogs(window).folder = _photo_folder(demo, tmp_path / "many", 60)
    library = window.library_view
    with qtbot.waitSignal(library.indexing_cancelled, timeout=TIMEOUT_MS):
        library.add_folder()
        library.indexing_bar.cancel_button.click()
    assert not library.indexing_bar.isVisibleTo(window)
    assert LibraryStore(window.state.home.library_db).count() < 60


def test_missing_library_photo_is_shown(qtbot: QtBot, empty_window: MainWindow, demo: Path, tmp_path: Path) -> None:
    window = empty_window
    folder = _photo_folder(demo, tmp_path / "shop", 3)
    dialogs(window).folder = folder
    library = window.library_view
    with qtbot.waitSignal(library.indexing_finished, timeout=TIMEOUT_MS):
        library.add_folder()
    gone = sorted(folder.iterdir())[0]
    gone.unlink()
    with qtbot.waitSignal(library.indexing_finished, timeout=TIMEOUT_MS):
        library.rescan_button.click()
    window.show_page(MainWindow.PAGE_LIBRARY)
    qtbot.waitUntil(lambda: library.count_label.text() == "3 photos · 1 missing", timeout=TIMEOUT_MS)
    texts = [library.model.index(r).data() for r in range(library.model.rowCount())]
    assert f"{gone.name}\n(missing)" in texts


def test_first_run_demo_shop_then_check_a_demo_complaint(qtbot: QtBot, empty_window: MainWindow) -> None:
    window = empty_window
    start = window.check_page.start_view
    with qtbot.waitSignal(window.library_view.demo_ready, timeout=TIMEOUT_MS):
        start.demo_button.click()
    assert [b.text() for b in start.demo_buttons] == ["complaint-bag-stain.jpg", "complaint-bulb-resaved.jpg"]
    assert not start.welcome.isVisible()
    assert load_settings(window.state.home).first_run_done
    with qtbot.waitSignal(window.check_page.case_checked, timeout=TIMEOUT_MS):
        start.demo_buttons[1].click()
    assert window.check_page.result_view.banner.level == "strong"


def test_reopen_case_with_status_and_notes(qtbot: QtBot, window: MainWindow, demo: Path) -> None:
    home = window.state.home
    store = LibraryStore(home.library_db)
    stored = [
        check_photos(home, CheckRequest((demo / "complaints" / name,), CaseFacts(order_id=oid, buyer=b)), store)
        for name, oid, b in (
            ("complaint-bag-stain.jpg", "TB-1001", "lin"),
            ("complaint-bulb-resaved.jpg", "JD-2002", "zhao"),
        )
    ]
    store.close()
    cases = window.cases_view
    with qtbot.waitSignal(cases.cases_loaded, timeout=TIMEOUT_MS):
        window.show_page(MainWindow.PAGE_CASES)
    assert cases.proxy.rowCount() == 2
    qtbot.keyClicks(cases.search_edit, "jd-2002")
    assert cases.proxy.rowCount() == 1
    cases.table.selectRow(0)
    assert cases.selected_case().id == stored[1].id  # type: ignore[union-attr]
    cases.status_combo.setCurrentIndex(cases.status_combo.findData("won"))
    cases.notes_edit.setPlainText("平台支持了商家")
    with qtbot.waitSignal(cases.case_updated, timeout=TIMEOUT_MS):
        cases.save_button.click()
    reloaded = CaseStore(home.cases_dir).load(stored[1].id)
    assert (reloaded.status, reloaded.notes) == ("won", "平台支持了商家")
    cases.status_filter.setCurrentIndex(cases.status_filter.findData("open"))
    assert cases.proxy.rowCount() == 0
    cases.status_filter.setCurrentIndex(cases.status_filter.findData("won"))
    cases.search_edit.clear()
    assert cases.proxy.rowCount() == 1
    cases.table.selectRow(0)
    cases.open_button.click()
    assert window.pages.currentWidget() is window.check_page
    assert stored[1].id in window.check_page.result_view.case_label.text()
    assert window.check_page.result_view.banner.level == "strong"


def test_closing_during_indexing_cancels_cleanly(
    qtbot: QtBot, empty_window: MainWindow, demo: Path, tmp_path: Path
) -> None:
    window = empty_window
    dialogs(window).folder = _photo_folder(demo, tmp_path / "big", 60)
    window.library_view.add_folder()
    window.close()
    assert window.state.runner.is_idle
    assert LibraryStore(window.state.home.library_db).count() < 60


def test_remove_selected_photos_from_the_library(qtbot: QtBot, window: MainWindow) -> None:
    library = window.library_view
    with qtbot.waitSignal(library.entries_loaded, timeout=TIMEOUT_MS):
        window.show_page(MainWindow.PAGE_LIBRARY)
    assert not library.remove_button.isEnabled(), "nothing selected, nothing to remove"
    library.search_edit.setText("B07GTFSCHB")
    library.grid.selectAll()
    assert library.remove_button.isEnabled()
    with qtbot.waitSignal(library.entries_loaded, timeout=TIMEOUT_MS):
        library.remove_button.click()
    library.search_edit.clear()
    assert library.model.rowCount() == 8
    assert LibraryStore(window.state.home.library_db).count() == 8, "4 removed; files themselves untouched"


def test_library_from_an_earlier_version_is_upgraded_off_the_gui_thread(
    qtbot: QtBot, isolated_home: Path, demo_library_db: Path
) -> None:
    import sqlite3
    import threading

    from shopguard.library import schema
    from shopguard.paths import Home
    from tests.gui.conftest import ScriptedDialogs

    home = Home(isolated_home).ensure()
    shutil.copyfile(demo_library_db, home.library_db)
    with sqlite3.connect(home.library_db) as conn:
        conn.execute("PRAGMA user_version = 2")  # as the previous version left it
    upgraded_on: list[threading.Thread] = []
    real_step = schema.MIGRATIONS[2]
    assert callable(real_step)

    def watched(conn: sqlite3.Connection) -> None:
        upgraded_on.append(threading.current_thread())
        real_step(conn)

    schema_steps = (*schema.MIGRATIONS[:2], watched, *schema.MIGRATIONS[3:])
    window = MainWindow(home)
    window.state.dialogs = ScriptedDialogs()
    qtbot.addWidget(window)
    original = schema.MIGRATIONS
    schema.MIGRATIONS = schema_steps
    try:
        window.show()
        with qtbot.waitSignal(window.library_view.count_known, timeout=15_000) as counted:
            window.start()
        with sqlite3.connect(home.library_db) as conn:
            assert counted.args == [conn.execute("SELECT COUNT(*) FROM photos").fetchone()[0]]
    finally:
        schema.MIGRATIONS = original
    qtbot.waitUntil(lambda: window.state.runner.is_idle, timeout=15_000)
    assert upgraded_on and upgraded_on[0] is not threading.main_thread()
    with sqlite3.connect(home.library_db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(schema.MIGRATIONS)
    window.close()


def test_library_with_photos_from_an_earlier_version_asks_for_a_rescan(
    qtbot: QtBot, isolated_home: Path, demo_library_db: Path, demo: Path
) -> None:
    import sqlite3

    from shopguard.paths import Home
    from tests.gui.conftest import ScriptedDialogs

    home = Home(isolated_home).ensure()
    shutil.copyfile(demo_library_db, home.library_db)
    with sqlite3.connect(home.library_db) as conn:
        conn.execute(
            "UPDATE photo_features SET version = 1 WHERE photo_id IN (SELECT photo_id FROM photo_features LIMIT 5)"
        )
    window = MainWindow(home)
    window.state.dialogs = ScriptedDialogs()
    qtbot.addWidget(window)
    messages: list[str] = []
    window.state.status_message.connect(messages.append)
    window.show()
    with qtbot.waitSignal(window.library_view.count_known, timeout=15_000):
        window.start()
    assert any(m.startswith("5 library photos were indexed by an older version") for m in messages)
    assert "Re-scan" in window.statusBar().currentMessage()
    library = window.library_view
    assert "5 indexed by an older version" in library.count_label.text()
    with qtbot.waitSignal(library.entries_loaded, timeout=TIMEOUT_MS):
        window.show_page(MainWindow.PAGE_LIBRARY)
    assert library.index([demo / "library"], remember=False)  # the demo library's folder, scanned again
    qtbot.waitUntil(
        lambda: not library.is_indexing and "older version" not in library.count_label.text(), timeout=30_000
    )
    window.close()
