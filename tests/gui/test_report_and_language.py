"""Create a report from a result, and switch the window's language (incl. Qt's own dialog buttons)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from shopguard.cases.store import CaseStore
from shopguard.gui.main_window import MainWindow
from shopguard.settings import load_settings
from tests.gui.conftest import dialogs, drop_files

TIMEOUT_MS = 30_000


def _check_demo_complaint(qtbot: QtBot, window: MainWindow, demo: Path) -> None:
    with qtbot.waitSignal(window.check_page.case_checked, timeout=TIMEOUT_MS):
        drop_files(window.check_page.start_view.drop_zone, [demo / "complaints" / "complaint-bag-stain.jpg"])


def test_create_report_saves_a_pdf_and_opens_it(qtbot: QtBot, window: MainWindow, demo: Path, tmp_path: Path) -> None:
    _check_demo_complaint(qtbot, window, demo)
    result = window.check_page.result_view
    assert not result.open_report_button.isVisibleTo(result), "no report yet, nothing to open"
    target = tmp_path / "out" / "退款投诉-报告.pdf"
    dialogs(window).save_path = target
    with qtbot.waitSignal(window.check_page.report_created, timeout=TIMEOUT_MS) as blocker:
        window.report_action.trigger()  # Ctrl+R
    assert blocker.args[0] == str(target)
    assert target.read_bytes()[:5] == b"%PDF-"
    assert dialogs(window).opened_urls == [str(target)], "the PDF opens in the system viewer"
    assert result.open_report_button.isVisibleTo(result) and result.folder_button.isVisibleTo(result)
    stored = CaseStore(window.state.home.cases_dir).load(window.check_page.case.id)  # type: ignore[union-attr]
    assert stored.reports == (str(target),)
    result.folder_button.click()
    assert dialogs(window).opened_urls[-1] == str(target.parent)


def test_cancelled_save_dialog_writes_nothing(qtbot: QtBot, window: MainWindow, demo: Path) -> None:
    _check_demo_complaint(qtbot, window, demo)
    dialogs(window).save_path = None
    window.check_page.result_view.report_button.click()
    qtbot.waitUntil(lambda: window.state.runner.is_idle, timeout=TIMEOUT_MS)
    assert dialogs(window).opened_urls == []
    case_id = window.check_page.case.id  # type: ignore[union-attr]
    assert CaseStore(window.state.home.cases_dir).load(case_id).reports == ()


def test_language_switch_changes_every_visible_text(qtbot: QtBot, window: MainWindow, demo: Path) -> None:
    _check_demo_complaint(qtbot, window, demo)
    result = window.check_page.result_view
    english = (
        result.banner.level_label.text(),
        result.report_button.text(),
        window.nav.item(0).text(),
        window.file_menu.title(),
        result.finding_items()[0].text(0),
        window.check_page.start_view.drop_zone.title_label.text(),
    )
    settings = window.settings_view
    window.show_page(MainWindow.PAGE_SETTINGS)
    index = settings.ui_language_combo.findData("zh_CN")
    settings.ui_language_combo.setCurrentIndex(index)
    settings.ui_language_combo.activated.emit(index)
    chinese = (
        result.banner.level_label.text(),
        result.report_button.text(),
        window.nav.item(0).text(),
        window.file_menu.title(),
        result.finding_items()[0].text(0),
        window.check_page.start_view.drop_zone.title_label.text(),
    )
    assert chinese == ("有力证据", "生成报告…", "核验照片", "文件(&F)", chinese[4], "把买家的照片或视频拖到这里")
    assert all(a != b for a, b in zip(english, chinese, strict=True))
    assert "您的商品图" in chinese[4] or "商品" in chinese[4], "findings are shown in Chinese too"
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert buttons.buttons()[0].text() == "取消", "Qt's own dialog texts follow the language"
    assert load_settings(window.state.home).ui_language == "zh_CN"
    index = settings.ui_language_combo.findData("en")
    settings.ui_language_combo.setCurrentIndex(index)
    settings.ui_language_combo.activated.emit(index)
    assert window.nav.item(0).text() == "Check a photo"
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert buttons.buttons()[0].text() == "Cancel"


def test_export_report_pages_as_images(qtbot: QtBot, window: MainWindow, demo: Path, tmp_path: Path) -> None:
    from shopguard.gui.check_jobs import report_image_exporter

    result = window.check_page.result_view
    if report_image_exporter() is None:
        assert not result.export_button.isEnabled(), "without the exporter the action is disabled"
        pytest.skip("this build has no shopguard.report export_report_images yet")
    _check_demo_complaint(qtbot, window, demo)
    dialogs(window).save_path = tmp_path / "report.pdf"
    with qtbot.waitSignal(window.check_page.report_created, timeout=TIMEOUT_MS):
        result.report_button.click()
    dialogs(window).folder = tmp_path / "pages"
    assert result.export_button.isEnabled()
    result.export_button.click()
    qtbot.waitUntil(lambda: dialogs(window).opened_urls[-1] == str(tmp_path / "pages"), timeout=TIMEOUT_MS)
    pages = sorted((tmp_path / "pages").glob("*.png"))
    assert pages and pages[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_export_uses_the_platform_preset_of_the_order_form(
    qtbot: QtBot, window: MainWindow, demo: Path, tmp_path: Path
) -> None:
    from shopguard.report.upload_images import preset_named

    window.check_page.start_view.order_form.set_platform("pinduoduo")
    _check_demo_complaint(qtbot, window, demo)
    result = window.check_page.result_view
    dialogs(window).save_path = tmp_path / "report.pdf"
    with qtbot.waitSignal(window.check_page.report_created, timeout=TIMEOUT_MS):
        result.report_button.click()
    dialogs(window).folder = tmp_path / "upload"
    result.export_button.click()
    qtbot.waitUntil(lambda: dialogs(window).opened_urls[-1] == str(tmp_path / "upload"), timeout=TIMEOUT_MS)
    pictures = sorted((tmp_path / "upload").iterdir())
    preset = preset_named("pinduoduo")
    assert (tmp_path / "upload" / "report-long.jpg") in pictures
    assert 2 <= len(pictures) <= preset.count
    assert all(p.suffix == ".jpg" and p.stat().st_size <= preset.max_bytes for p in pictures)
