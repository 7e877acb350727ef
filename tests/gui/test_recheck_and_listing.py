"""The app side of issue 15: *Check again* on the result page, listing facts on the library page, true case facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from shopguard.cases.store import CaseStore
from shopguard.checks.context import CaseFacts
from shopguard.gui.main_window import MainWindow
from shopguard.gui.state import AppState
from shopguard.gui.views.recheck_dialog import RecheckDialog
from shopguard.library.store import LibraryStore
from tests.gui.conftest import dialogs

TIMEOUT_MS = 30_000


def test_check_again_updates_the_case_in_place(
    qtbot: QtBot, window: MainWindow, demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.state.update_settings(shop_name="莉莉箱包")
    page = window.check_page
    dialogs(window).photos = [demo / "complaints" / "complaint-bag-stain.jpg"]
    with qtbot.waitSignal(page.case_checked, timeout=TIMEOUT_MS) as blocker:
        window.open_action.trigger()
    case = blocker.args[0]
    assert case.facts.complaint_date is None, "no date the seller did not enter"
    assert case.facts.shop_name == "莉莉箱包"
    result = page.result_view
    assert result.recheck_button.isVisible() and result.recheck_button.isEnabled()
    assert result.recheck_button.text() == "Check again"
    asked: list[CaseFacts] = []

    def confirm(_parent: object, _state: AppState, facts: CaseFacts) -> CaseFacts:
        asked.append(facts)
        return replace(facts, order_id="TB-1001", order_date=date(2026, 11, 1))

    monkeypatch.setattr(dialogs(window), "edit_facts", confirm)
    with qtbot.waitSignal(page.case_checked, timeout=TIMEOUT_MS) as rechecked:
        result.recheck_button.click()
        assert page.currentWidget() is page.busy_view, "the re-check runs on the pool"
    again = rechecked.args[0]
    assert asked == [case.facts], "the dialog starts from the stored facts"
    assert again.id == case.id and len(again.history) == 1
    assert again.facts.order_id == "TB-1001"
    assert result.banner.level == "strong"
    reuse = [f for p in again.photos for f in p.findings if f.category.value == "reused-photo"]
    assert reuse == [], "the case is not its own earlier use"
    assert "TB-1001" in result.facts_label.text()
    stored = CaseStore(window.state.home.cases_dir).load(case.id)
    assert stored.history[0]["facts"]["order_id"] is None and stored.facts.order_id == "TB-1001"
    assert len(CaseStore(window.state.home.cases_dir).list()) == 1


def test_check_again_is_off_for_an_appealed_case(qtbot: QtBot, window: MainWindow, demo: Path) -> None:
    page = window.check_page
    dialogs(window).photos = [demo / "complaints" / "complaint-bulb-resaved.jpg"]
    with qtbot.waitSignal(page.case_checked, timeout=TIMEOUT_MS) as blocker:
        window.open_action.trigger()
    case_id = blocker.args[0].id
    CaseStore(window.state.home.cases_dir).update(case_id, status="appealed")
    assert page.open_case(case_id)
    assert not page.result_view.recheck_button.isEnabled()
    assert "open case" in page.result_view.recheck_button.toolTip()


def test_recheck_dialog_shows_and_returns_the_case_facts(qtbot: QtBot, window: MainWindow) -> None:
    facts = CaseFacts(platform="jd", order_id="JD-7", buyer="小王", order_date=date(2026, 11, 1), shop_name="莉莉箱包")
    dialog = RecheckDialog(window.state, facts, window)
    qtbot.addWidget(dialog)
    form = dialog.order_form
    assert (form.order_id_edit.text(), form.buyer_edit.text()) == ("JD-7", "小王")
    assert form.complaint_date_edit.value() is None
    form.complaint_date_edit.date_edit.setDate(QDate(2026, 11, 9))
    assert dialog.facts() == replace(facts, complaint_date=date(2026, 11, 9))


def test_listing_date_and_link_are_recorded_for_selected_photos(qtbot: QtBot, window: MainWindow) -> None:
    library = window.library_view
    with qtbot.waitSignal(library.entries_loaded, timeout=TIMEOUT_MS):
        window.show_page(MainWindow.PAGE_LIBRARY)
    assert not library.apply_listing_button.isEnabled(), "nothing selected"
    library.search_edit.setText("B07GTFSCHB")
    library.grid.selectAll()
    library.listed_since_edit.date_edit.setDate(QDate(2025, 6, 1))
    library.listing_url_edit.setText("https://shop.example/item/9")
    with qtbot.waitSignal(library.listing_recorded, timeout=TIMEOUT_MS) as blocker:
        library.apply_listing_button.click()
    assert blocker.args[0] == 4
    store = LibraryStore(window.state.home.library_db)
    listed = [p for p in store.photos() if p.listed_since]
    assert {(p.listed_since, p.listing_url) for p in listed} == {("2025-06-01", "https://shop.example/item/9")}
    assert {Path(p.path).name.split("__")[1] for p in listed} == {"B07GTFSCHB"}
    assert store.journal_head().event == "listing" and store.verify_journal().is_ok  # type: ignore[union-attr]
