"""Issue 6: "Results appear as each check finishes": each photo of a complaint shows as soon as it is done."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from pytestqt.qtbot import QtBot

from shopguard.cases.store import CaseStore
from shopguard.gui.main_window import MainWindow
from shopguard.gui.views.evidence_view import EvidenceView
from tests.gui.conftest import drop_files

CHECK_TIMEOUT_MS = 30_000
CAMERA = "Canon_PowerShot_S40.jpg"


def test_first_photo_is_shown_while_the_others_are_checked(
    qtbot: QtBot, window: MainWindow, demo: Path, testdata: Path
) -> None:
    page, result = window.check_page, window.check_page.result_view
    photos = [
        demo / "complaints" / "complaint-bag-stain.jpg",
        demo / "complaints" / "complaint-bulb-resaved.jpg",
        testdata / "exif-camera" / CAMERA,
    ]
    with qtbot.waitSignal(page.photo_checked, timeout=CHECK_TIMEOUT_MS) as first:
        assert drop_files(page.start_view.drop_zone, photos)
    assert first.args[0].name == "complaint-bag-stain.jpg"
    assert page.is_checking, "the job is still running"
    assert page.currentWidget() is result
    assert result.live_bar.isVisible() and result.live_bar.cancel_button.isEnabled()
    assert result.banner.level == "strong"
    titles = [item.text(0) for item in result.finding_items()]
    assert any("abo__B0799CK52K__528c608a.jpg" in t for t in titles), "the first photo's findings are visible"
    assert [result.photo_combo.itemText(i) for i in range(3)] == [
        "complaint-bag-stain.jpg",
        "complaint-bulb-resaved.jpg (still being checked…)",
        f"{CAMERA} (still being checked…)",
    ]
    assert result.case_label.text() == "Checking · 1 of 3 photos done"
    assert not result.report_button.isEnabled() and not result.new_button.isEnabled()
    window.report_action.trigger()  # Ctrl+R during the check does nothing (there is no case yet)
    assert not result.report_button.isEnabled()

    result.photo_combo.setCurrentIndex(2)
    assert result.banner.level == "pending"
    assert result.banner.level_label.text() == "Still being checked"
    assert result.finding_items() == []
    window.state.set_language("zh_CN")
    assert result.banner.level_label.text() == "仍在核验中"
    assert result.photo_combo.itemText(1) == "complaint-bulb-resaved.jpg（仍在核验…）"
    assert result.case_label.text() == "正在核验 · 已完成 1/3 张照片"
    window.state.set_language("en")
    result.photo_combo.setCurrentIndex(0)
    chosen = result.finding_items()[-1]  # the seller reads another finding than the strongest
    result.findings_tree.setCurrentItem(chosen)
    chosen_text = chosen.text(0)
    result.evidence.setCurrentIndex(EvidenceView.TAB_DETAILS)  # and looks at the measured values

    with qtbot.waitSignal(page.case_checked, timeout=CHECK_TIMEOUT_MS) as final:
        pass
    case = final.args[0]
    assert [p.name for p in case.photos] == [p.name for p in photos]
    assert not page.is_checking and page.currentWidget() is result
    assert not result.live_bar.isVisible()
    assert result.photo_combo.currentIndex() == 0, "the same photo stays selected"
    current = result.findings_tree.currentItem()
    assert current is not None and current.text(0) == chosen_text, "the same finding stays selected"
    assert result.evidence.currentIndex() == EvidenceView.TAB_DETAILS, "the same evidence tab stays open"
    assert [result.photo_combo.itemText(i) for i in range(3)] == [p.name for p in photos]
    assert result.case_label.text() == f"Case {case.id} · 3 photos"
    assert result.report_button.isEnabled() and result.new_button.isEnabled()
    result.photo_combo.setCurrentIndex(1)
    assert result.banner.level == "strong", "the resaved bulb listing photo is found"
    assert CaseStore(window.state.home.cases_dir).load(case.id) == case


def test_cancel_from_the_live_view_stores_nothing(qtbot: QtBot, window: MainWindow, demo: Path, tmp_path: Path) -> None:
    photos = [demo / "complaints" / "complaint-bulb-resaved.jpg"]
    for i in range(5):  # enough photos left that the cancel lands while they are checked
        target = tmp_path / f"photo-{i}.jpg"
        Image.open(demo / "library" / "abo__B0799CK52K__528c608a.jpg").rotate(i * 7 + 3).save(target, quality=90)
        photos.append(target)
    page, result = window.check_page, window.check_page.result_view
    with qtbot.waitSignal(page.photo_checked, timeout=CHECK_TIMEOUT_MS):
        page.check_files(photos)
    assert page.currentWidget() is result and result.live_bar.isVisible()
    with qtbot.waitSignal(page.check_cancelled, timeout=CHECK_TIMEOUT_MS):
        result.live_bar.cancel_button.click()
        assert result.live_bar.message_label.text() == "Cancelling…"
    assert page.currentWidget() is page.start_view
    assert CaseStore(window.state.home.cases_dir).list() == [], "a cancelled check stores nothing"


def test_changed_region_slider_starts_on_the_buyers_photo(qtbot: QtBot, window: MainWindow, demo: Path) -> None:
    page = window.check_page
    with qtbot.waitSignal(page.case_checked, timeout=CHECK_TIMEOUT_MS):
        page.check_files([demo / "complaints" / "complaint-bag-stain.jpg"])
    evidence = page.result_view.evidence
    qtbot.waitUntil(lambda: evidence.changed_view.has_image, timeout=CHECK_TIMEOUT_MS)
    evidence.setCurrentIndex(EvidenceView.TAB_CHANGED)
    assert evidence.overlay_slider.value() == 0
    assert evidence.changed_view.overlay_opacity == 0.0, "the buyer's photo is shown, not a faded blend"
    assert evidence.changed_view.region_count > 0, "the changed region is outlined on it"
    assert (evidence.before_label.text(), evidence.after_label.text()) == ("Buyer's photo", "Your listing photo")
    assert evidence.changed_caption.text().startswith("Buyer's photo, changed regions outlined"), (
        "the caption names what is on screen first"
    )
    evidence.overlay_slider.setValue(100)
    assert evidence.changed_view.overlay_opacity == 1.0
