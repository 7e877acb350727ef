"""What a first-time seller sees (issue 16): whole finding rows, one-sentence banner, plurals, local times,
the report bar, "not given" dates, the demo shop after a restart, a folder without photos."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from shopguard.gui.main_window import DEFAULT_SIZE, MainWindow
from shopguard.gui.views.result_view import SETTINGS_LIST_SPLITTER
from shopguard.i18n.local_time import format_time
from shopguard.paths import Home
from tests.gui.conftest import ScriptedDialogs, _open_window, dialogs, drop_files

TIMEOUT_MS = 30_000
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _check(qtbot: QtBot, window: MainWindow, photo: Path) -> None:
    with qtbot.waitSignal(window.check_page.case_checked, timeout=TIMEOUT_MS):
        drop_files(window.check_page.start_view.drop_zone, [photo])


@pytest.mark.parametrize("size", [DEFAULT_SIZE, (1366, 768)])
def test_every_finding_row_is_whole_and_the_list_keeps_its_height(
    qtbot: QtBot, window: MainWindow, demo: Path, size: tuple[int, int]
) -> None:
    window.resize(*size)
    _check(qtbot, window, demo / "complaints" / "complaint-bag-stain.jpg")
    result = window.check_page.result_view
    tree = result.findings_tree
    items = result.finding_items()
    assert len(items) >= 5
    qtbot.waitUntil(lambda: all(tree.viewport().rect().contains(tree.visualItemRect(i)) for i in items))
    height = tree.height()
    for item in items:
        tree.setCurrentItem(item)  # each finding's text is shown below the list...
        qtbot.wait(10)
        assert tree.height() == height, "...without the list's height jumping"
    assert "photo(s)" not in result.case_label.text() and result.case_label.text().endswith("· 1 photo")


def test_the_list_height_the_seller_chose_is_remembered(qtbot: QtBot, window: MainWindow, demo: Path) -> None:
    _check(qtbot, window, demo / "complaints" / "complaint-bag-stain.jpg")
    result = window.check_page.result_view
    total = sum(result.list_splitter.sizes())
    result.list_splitter.moveSplitter(120, 1)  # what dragging the handle does
    assert QSettings().value(SETTINGS_LIST_SPLITTER) is not None
    chosen = result.list_splitter.sizes()[0]
    assert abs(chosen - 120) <= 2 and total > 300
    window.check_page.new_check()
    _check(qtbot, window, demo / "complaints" / "complaint-bulb-resaved.jpg")
    assert result.list_splitter.sizes()[0] == chosen, "another case does not undo the seller's choice"


def test_banner_says_one_title_and_one_sentence_naming_the_evidence(
    qtbot: QtBot, window: MainWindow, demo: Path
) -> None:
    _check(qtbot, window, demo / "complaints" / "complaint-bulb-resaved.jpg")
    banner = window.check_page.result_view.banner
    title, sentence = banner.level_label.text(), banner.summary_label.text()
    assert title == "Strong evidence"
    assert title not in sentence and "evidence" not in sentence.lower()
    assert "reuse of your own listing photo" in sentence
    window.state.set_language("zh_CN")
    assert banner.level_label.text() not in banner.summary_label.text()


def test_times_on_screen_are_local_and_in_the_language_format(qtbot: QtBot, window: MainWindow, demo: Path) -> None:
    _check(qtbot, window, demo / "complaints" / "complaint-bag-stain.jpg")
    case = window.check_page.case
    assert case is not None
    detail = window.check_page.result_view.detail_label.text()
    assert not ISO_TIME.search(detail), detail  # "in your library since ..."
    with qtbot.waitSignal(window.cases_view.cases_loaded, timeout=TIMEOUT_MS):
        window.show_page(MainWindow.PAGE_CASES)
    shown = window.cases_view.proxy.index(0, 0).data()
    assert shown == format_time(case.created_at, "en") and not ISO_TIME.search(shown)
    window.state.set_language("zh_CN")
    assert window.cases_view.proxy.index(0, 0).data() == format_time(case.created_at, "zh_CN")
    assert "年" in window.cases_view.proxy.index(0, 0).data()


class NoViewerDialogs(ScriptedDialogs):
    def open_url(self, url: object) -> bool:
        return False


def test_report_bar_says_where_the_report_went_and_when_no_viewer_opened_it(
    qtbot: QtBot, window: MainWindow, demo: Path, tmp_path: Path
) -> None:
    _check(qtbot, window, demo / "complaints" / "complaint-bag-stain.jpg")
    result = window.check_page.result_view
    assert not result.report_bar.isVisible()
    dialogs(window).save_path = tmp_path / "reports" / "bag.pdf"
    with qtbot.waitSignal(window.check_page.report_created, timeout=TIMEOUT_MS):
        result.report_button.click()
    assert result.report_bar.isVisible()
    assert result.report_bar.message().startswith("Report saved: bag.pdf in ")
    assert str(tmp_path / "reports") in result.report_bar.message() or "…" in result.report_bar.message()
    for button in (result.open_report_button, result.folder_button, result.print_button):
        assert button.isVisible()
    # a desktop without a PDF viewer: said, with the place of the file, instead of nothing happening
    no_viewer = NoViewerDialogs()
    no_viewer.save_path = tmp_path / "reports" / "bag-2.pdf"
    window.state.dialogs = no_viewer
    with qtbot.waitSignal(window.check_page.report_created, timeout=TIMEOUT_MS):
        result.report_button.click()
    assert "no program to open PDF files was found" in result.report_bar.message()
    assert "bag-2.pdf" in result.report_bar.message()
    window.state.set_language("zh_CN")
    assert "没有找到能打开 PDF 文件的程序" in result.report_bar.message()


def test_unticked_dates_say_not_given(qtbot: QtBot, window: MainWindow) -> None:
    form = window.check_page.start_view.order_form
    assert form.order_date_edit.shown_text() == "not given"
    assert form.order_date_edit.value() is None
    form.order_date_edit.known_check.setChecked(True)
    assert form.order_date_edit.value() is not None and form.order_date_edit.shown_text() != "not given"
    form.clear()
    listed_since = window.library_view.listed_since_edit  # the library's "listed since" date says it too
    assert listed_since.value() is None and listed_since.shown_text() == "not given"
    window.state.set_language("zh_CN")
    assert form.delivery_date_edit.shown_text() == "未填写"
    assert listed_since.shown_text() == "未填写"


@pytest.fixture
def demo_home(isolated_home: Path, demo_library_db: Path) -> Home:
    home = Home(isolated_home).ensure()
    shutil.copyfile(demo_library_db, home.library_db)
    return home


def test_demo_complaints_are_offered_again_after_a_restart(qtbot: QtBot, demo_home: Home) -> None:
    windows: Iterator[MainWindow] = _open_window(qtbot, demo_home)
    window = next(windows)
    card = window.check_page.start_view.demo_card
    assert card.isVisible(), "the demo shop is in the library: its sample complaints are offered"
    assert "12 product photos" in window.check_page.start_view.demo_ready_label.text()
    assert len(window.check_page.start_view.demo_buttons) == 2
    next(windows, None)


def test_installing_the_demo_sets_a_shop_name_and_says_so_for_good(qtbot: QtBot, empty_window: MainWindow) -> None:
    with qtbot.waitSignal(empty_window.library_view.demo_ready, timeout=60_000):
        empty_window.check_page.start_view.demo_button.click()
    assert empty_window.state.settings.shop_name == "ShopGuard demo shop"
    assert empty_window.settings_view.shop_name_edit.text() == "ShopGuard demo shop", "shown in Settings too"
    assert empty_window.check_page.start_view.demo_card.isVisible()
    qtbot.wait(50)
    assert "12 product photos" in empty_window.check_page.start_view.demo_ready_label.text()


def test_a_folder_without_photos_is_said_in_words(qtbot: QtBot, empty_window: MainWindow, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "price-list.txt").write_text("no photos here", encoding="utf-8")
    with qtbot.waitSignal(empty_window.library_view.indexing_finished, timeout=TIMEOUT_MS):
        empty_window.library_view.index([folder])
    box = empty_window.library_view.no_photos_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "No photos were found in this folder" in box.text() and str(folder) in box.text()
    assert ".jpg" in box.text() and ".heic" in box.text()
    box.close()


def test_library_grid_elides_names_on_one_line_with_the_full_name_in_the_tooltip(
    qtbot: QtBot, window: MainWindow
) -> None:
    library = window.library_view
    with qtbot.waitSignal(library.entries_loaded, timeout=TIMEOUT_MS):
        window.show_page(MainWindow.PAGE_LIBRARY)
    index = library.proxy.index(0, 0)
    name = library.model.entry(0).name
    assert not library.grid.wordWrap()
    assert index.data(0x03).startswith(name)  # ToolTipRole: the whole name first, then the path
