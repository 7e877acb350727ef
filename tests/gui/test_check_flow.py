"""The main flow as a seller uses it: drop, paste or open a photo, wait, read the verdict, open a finding."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QDate
from PySide6.QtGui import QGuiApplication, QImage, QInputMethodEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from shopguard.cases.store import CaseStore
from shopguard.gui.main_window import MainWindow
from shopguard.gui.views.evidence_view import EvidenceView
from tests.checks.video_clips import paint_stain, pan_clip
from tests.gui.conftest import dialogs, drop_files

CHECK_TIMEOUT_MS = 30_000


def type_with_input_method(widget: QWidget, text: str) -> None:
    """Chinese text arrives from an input method as a committed string (keyClicks is ASCII-only)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def test_empty_state_tells_the_user_what_to_do(empty_window: MainWindow) -> None:
    start = empty_window.check_page.start_view
    assert start.drop_zone.title_label.text() == "Drop a buyer's photo or video here"
    assert start.welcome.isVisible(), "first run offers the welcome with the demo shop"
    assert empty_window.width() >= 1100 and empty_window.height() >= 720
    shortcuts = {
        a.shortcut().toString()
        for a in (
            empty_window.open_action,
            empty_window.paste_action,
            empty_window.report_action,
            empty_window.print_action,
        )
    }
    assert shortcuts == {
        QKeySequence("Ctrl+O").toString(),
        QKeySequence("Ctrl+V").toString(),
        QKeySequence("Ctrl+R").toString(),
        QKeySequence("Ctrl+P").toString(),
    }


def test_dropped_complaint_photo_shows_strong_finding_and_evidence(
    qtbot: QtBot, window: MainWindow, demo: Path
) -> None:
    page = window.check_page
    assert not page.start_view.welcome.isVisible(), "a set-up library skips the welcome"
    with qtbot.waitSignal(page.case_checked, timeout=CHECK_TIMEOUT_MS) as blocker:
        assert drop_files(page.start_view.drop_zone, [demo / "complaints" / "complaint-bag-stain.jpg"])
        assert page.currentWidget() is page.busy_view, "the check runs in the background"
    case = blocker.args[0]
    result = page.result_view
    assert page.currentWidget() is result
    assert result.banner.level == "strong"
    assert result.banner.level_label.text() == "Strong evidence"
    assert "abo__B0799CK52K__528c608a.jpg" in result.banner.summary_label.text()
    items = result.finding_items()
    titles = [item.text(0) for item in items]
    assert any("abo__B0799CK52K__528c608a.jpg" in t for t in titles)
    header = result.findings_tree.topLevelItem(0).text(0)
    assert header.startswith("Strong evidence"), "findings are grouped strongest first"
    with qtbot.waitSignal(result.evidence.images_loaded, timeout=CHECK_TIMEOUT_MS, raising=False):
        pass
    qtbot.waitUntil(lambda: result.evidence.photo_view.has_image, timeout=CHECK_TIMEOUT_MS)
    result.findings_tree.setCurrentItem(items[0])
    finding = next(f for f in case.photos[0].findings if f.library_photo)
    assert finding.detail("en").split(" ")[0] in result.detail_label.text(), "the finding's own words are shown"
    assert result.evidence.currentIndex() in (EvidenceView.TAB_COMPARE, EvidenceView.TAB_CHANGED)
    assert result.evidence.listing_view.has_image, "the matched listing photo is shown side by side"
    assert CaseStore(window.state.home.cases_dir).load(case.id).verdict.level.value == "strong"


def test_dropping_a_text_file_is_refused(window: MainWindow, tmp_path: Path) -> None:
    note = tmp_path / "notes.txt"
    note.write_text("not a photo", encoding="utf-8")
    assert not drop_files(window.check_page.start_view.drop_zone, [note])
    assert window.check_page.currentWidget() is window.check_page.start_view


def test_pasted_chat_screenshot_is_checked(qtbot: QtBot, window: MainWindow, demo: Path) -> None:
    QGuiApplication.clipboard().setImage(QImage(str(demo / "complaints" / "complaint-bulb-resaved.jpg")))
    with qtbot.waitSignal(window.check_page.case_checked, timeout=CHECK_TIMEOUT_MS) as blocker:
        window.paste_action.trigger()
    case = blocker.args[0]
    assert case.photos[0].name.startswith("clipboard-")
    assert case.photos[0].format == "png"
    assert window.check_page.result_view.banner.level == "strong"
    QGuiApplication.clipboard().clear()


def test_order_form_facts_are_kept_with_the_case(qtbot: QtBot, window: MainWindow, demo: Path) -> None:
    form = window.check_page.start_view.order_form
    form.set_platform("pinduoduo")
    qtbot.keyClicks(form.order_id_edit, "PDD-240611-0099")
    type_with_input_method(form.buyer_edit, "小王")
    type_with_input_method(form.claim_edit, "收到就是坏的")
    assert form.order_date_edit.value() is None, "no date until the seller gives one"
    form.order_date_edit.date_edit.setDate(QDate(2026, 11, 20))
    dialogs(window).photos = [demo / "complaints" / "complaint-bulb-resaved.jpg"]
    with qtbot.waitSignal(window.check_page.case_checked, timeout=CHECK_TIMEOUT_MS) as blocker:
        window.open_action.trigger()
    facts = blocker.args[0].facts
    assert (facts.order_date, facts.delivery_date) == (date(2026, 11, 20), None)
    assert (facts.platform, facts.order_id, facts.buyer, facts.claim_text) == (
        "pinduoduo",
        "PDD-240611-0099",
        "小王",
        "收到就是坏的",
    )
    assert "Pinduoduo" in window.check_page.result_view.facts_label.text()
    assert form.order_id_edit.text() == "", "the form is cleared for the next complaint"


def test_cancelling_a_check_returns_to_the_start(qtbot: QtBot, window: MainWindow, demo: Path, tmp_path: Path) -> None:
    photos = []
    for i in range(6):  # a complaint with several photos takes long enough to cancel
        target = tmp_path / f"photo-{i}.jpg"
        Image.open(demo / "library" / "abo__B0799CK52K__528c608a.jpg").rotate(i * 7).save(target, quality=90)
        photos.append(target)
    page = window.check_page
    with qtbot.waitSignal(page.check_cancelled, timeout=CHECK_TIMEOUT_MS):
        page.check_files(photos)
        page.busy_view.cancel_button.click()
    assert page.currentWidget() is page.start_view
    assert CaseStore(window.state.home.cases_dir).list() == [], "a cancelled check stores nothing"


def test_several_photos_of_one_complaint(qtbot: QtBot, window: MainWindow, demo: Path, tmp_path: Path) -> None:
    genuine = tmp_path / "buyer-own-photo.jpg"
    Image.new("RGB", (640, 480), (120, 160, 90)).save(genuine, quality=92)
    photos = [demo / "complaints" / "complaint-bag-stain.jpg", genuine]
    with qtbot.waitSignal(window.check_page.case_checked, timeout=CHECK_TIMEOUT_MS) as blocker:
        assert drop_files(window.check_page.start_view.drop_zone, photos)
    assert len(blocker.args[0].photos) == 2
    result = window.check_page.result_view
    assert result.photo_combo.isVisibleTo(result) and result.photo_combo.count() == 2
    assert result.banner.level == "strong"
    result.photo_combo.setCurrentIndex(1)
    assert result.banner.level in ("none", "weak"), "a plain photo of the buyer's own is not accused"
    assert "2 photos" in result.case_label.text()


def test_bundled_cjk_font_is_loaded() -> None:
    from PySide6.QtWidgets import QApplication as App

    from shopguard.gui.language import load_bundled_font

    app = App.instance()
    assert isinstance(app, App)
    assert "WenQuanYi Micro Hei" in load_bundled_font(app)
    assert "WenQuanYi Micro Hei" in app.font().families()


def test_drop_anywhere_on_the_window_starts_a_check(qtbot: QtBot, window: MainWindow, demo: Path) -> None:
    window.show_page(MainWindow.PAGE_CASES)
    with qtbot.waitSignal(window.check_page.case_checked, timeout=CHECK_TIMEOUT_MS):
        assert drop_files(window, [demo / "complaints" / "complaint-bulb-resaved.jpg"])
    assert window.pages.currentWidget() is window.check_page


def test_closing_during_a_check_cancels_and_stores_nothing(window: MainWindow, demo: Path) -> None:
    window.check_page.check_files([demo / "complaints" / "complaint-bag-stain.jpg"] * 4)
    window.close()
    assert window.state.runner.is_idle
    assert len(CaseStore(window.state.home.cases_dir).list()) <= 1, "at most a case that was already done"


def test_dropped_complaint_video_shows_its_key_frame_and_finding(
    qtbot: QtBot, window: MainWindow, demo: Path, tmp_path: Path
) -> None:
    with Image.open(demo / "library" / "abo__B07GTFSCHB__7e487bec.jpg") as im:
        listing = im.convert("RGB")
    clip = pan_clip(paint_stain(listing), tmp_path / "buyer clip.mp4", seconds=2.0)
    page = window.check_page
    with qtbot.waitSignal(page.case_checked, timeout=CHECK_TIMEOUT_MS) as blocker:
        assert drop_files(page.start_view.drop_zone, [clip])
    case = blocker.args[0]
    assert case.photos[0].media == "video"
    result = page.result_view
    assert result.banner.level == "strong"
    assert "abo__B07GTFSCHB__7e487bec.jpg" in result.banner.summary_label.text()
    qtbot.waitUntil(lambda: result.evidence.photo_view.has_image, timeout=CHECK_TIMEOUT_MS)
