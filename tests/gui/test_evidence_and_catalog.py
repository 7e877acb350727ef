"""Evidence tabs for a stored case with evidence pictures, the reused-photo link, and the GUI texts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageDraw
from pytestqt.qtbot import QtBot

from shopguard.cases.model import Case
from shopguard.cases.service import CheckRequest, check_photos
from shopguard.cases.store import CaseStore
from shopguard.checks.findings import Category, EvidenceImage, Finding, Strength
from shopguard.checks.verdict import photo_verdict
from shopguard.gui.main_window import MainWindow
from shopguard.gui.views.evidence_view import EvidenceView
from shopguard.i18n import catalog, forms, placeholders
from shopguard.library.store import LibraryStore

TIMEOUT_MS = 30_000
REPO = Path(__file__).resolve().parents[2]


def _stored_case_with_evidence(window: MainWindow, demo: Path, tmp_path: Path) -> tuple[Case, Case]:
    """Two real cases; the second one's photo gets evidence pictures and a reused-photo finding."""
    home = window.state.home
    store = LibraryStore(home.library_db)
    first = check_photos(home, CheckRequest((demo / "complaints" / "complaint-bulb-resaved.jpg",)), store)
    second = check_photos(home, CheckRequest((demo / "complaints" / "complaint-bag-stain.jpg",)), store)
    store.close()
    photo = second.photos[0]
    ela = tmp_path / "ela.png"
    Image.new("RGB", (photo.width // 2, photo.height // 2), "black").save(ela)
    outline = tmp_path / "outline.png"
    with Image.open(photo.stored_path) as im:  # type: ignore[arg-type]
        marked = im.convert("RGB")
    ImageDraw.Draw(marked).rectangle((200, 300, 420, 480), outline="red", width=6)
    marked.save(outline)
    region = (200, 300, 220, 180)
    extra = (
        Finding(
            "changed-regions",
            Category.LIBRARY_DERIVED,
            Strength.STRONG,
            "finding.library.derived.title",
            "finding.library.derived.detail",
            fields=dict(photo.findings[0].fields),
            regions=(region,),
            library_photo=photo.findings[0].library_photo,
            images=(EvidenceImage("changed-outline", str(outline), "gui.evidence.regions_only"),),
        ),
        Finding(
            "ela",
            Category.COMPRESSION,
            Strength.WEAK,
            "verdict.level.weak",
            "verdict.level.weak",
            images=(EvidenceImage("ela", str(ela), "gui.evidence.tab.maps"),),
        ),
        Finding(
            "reuse",
            Category.REUSED_PHOTO,
            Strength.MODERATE,
            "verdict.level.moderate",
            "verdict.level.moderate",
            evidence={"other_case_id": first.id},
        ),
    )
    findings = (*photo.findings, *extra)
    second = replace(second, photos=(replace(photo, findings=findings, verdict=photo_verdict(findings)),))
    CaseStore(home.cases_dir).save(second)
    return first, second


def test_clicking_findings_shows_their_evidence(qtbot: QtBot, window: MainWindow, demo: Path, tmp_path: Path) -> None:
    first, second = _stored_case_with_evidence(window, demo, tmp_path)
    with qtbot.waitSignal(window.check_page.result_view.evidence.images_loaded, timeout=TIMEOUT_MS):
        window.open_case(second.id)
    result = window.check_page.result_view
    evidence = result.evidence
    by_check = {}
    for item in result.finding_items():
        by_check[second.photos[0].findings[item.data(0, 256)].check] = item
    result.findings_tree.setCurrentItem(by_check["changed-regions"])
    assert evidence.currentIndex() == EvidenceView.TAB_CHANGED
    assert evidence.changed_view.overlay_opacity is not None, "the changed-region picture is overlaid"
    evidence.overlay_slider.setValue(100)
    assert evidence.changed_view.overlay_opacity == 1.0
    assert evidence.photo_view.region_count == 1
    result.findings_tree.setCurrentItem(by_check["ela"])
    assert evidence.currentIndex() == EvidenceView.TAB_MAPS
    assert evidence.map_combo.count() >= 2, "the ELA map and the changed-region outline (and the checks' own)"
    assert evidence.map_combo.currentData().endswith("ela.png") and evidence.map_view.has_image
    result.findings_tree.setCurrentItem(by_check["reuse"])
    assert f"case:{first.id}" in result.detail_label.text()
    with qtbot.waitSignal(result.evidence.images_loaded, timeout=TIMEOUT_MS):
        result.detail_label.linkActivated.emit(f"case:{first.id}")
    assert first.id in result.case_label.text(), "the link opens the earlier case"
    evidence.setCurrentIndex(EvidenceView.TAB_DETAILS)
    names = [evidence.details_table.item(r, 0).text() for r in range(evidence.details_table.rowCount())]
    assert "SHA-256" in names and "File name" in names


def test_gui_catalogue_is_complete_in_both_languages() -> None:
    # Every catalogue file: new GUI keys live in their branch's own file (i16_gui.json, ...).
    catalogue = {k: v for k, v in catalog().items() if k.startswith("gui.")}
    for key, texts in catalogue.items():
        assert set(texts) - {"plural_by"} == {"en", "zh_CN"}, key
        en, zh = forms(texts["en"]), forms(texts["zh_CN"])
        assert all(f.strip() for f in en + zh), key
        assert set().union(*map(placeholders, en)) == set().union(*map(placeholders, zh)), key
    import re

    used: set[str] = set()
    for source in (REPO / "shopguard" / "gui").rglob("*.py"):
        used |= set(re.findall(r'"(gui\.[a-z_.]+[a-z_])"', source.read_text("utf-8")))
    merged = catalog()  # new GUI keys may live in another catalogue file (one file per branch, merged on load)
    missing = sorted(k for k in used if k not in merged)
    assert not missing, f"GUI texts without a catalogue entry: {missing}"


def test_thin_crack_is_shown_enlarged_under_the_changed_view(
    qtbot: QtBot, window: MainWindow, demo: Path, tmp_path: Path
) -> None:
    """A 2 px crack is a few pixels of the whole photo: the changed-region tab shows its enlarged crop too."""
    with Image.open(demo / "library" / "abo__B0799CK52K__25ffa37c.jpg") as im:
        photo = im.convert("RGB")
    w, h = photo.size
    crack = [(round(w * 0.30) + 5 * i, round(h * 0.55) + (3 if i % 2 else 0)) for i in range(11)]
    ImageDraw.Draw(photo).line(crack, fill=(30, 28, 26), width=2)
    complaint = tmp_path / "complaint-crack.jpg"
    photo.resize((round(w * 0.6), round(h * 0.6)), Image.Resampling.LANCZOS).save(complaint, quality=70)
    store = LibraryStore(window.state.home.library_db)
    case = check_photos(window.state.home, CheckRequest((complaint,)), store)
    store.close()
    with qtbot.waitSignal(window.check_page.result_view.evidence.images_loaded, timeout=TIMEOUT_MS):
        window.open_case(case.id)
    result = window.check_page.result_view
    evidence = result.evidence
    match = next(i for i, f in enumerate(case.photos[0].findings) if f.check == "library-match")
    assert case.photos[0].findings[match].regions, "the crack is a changed region"
    item = next(it for it in result.finding_items() if it.data(0, 256) == match)
    result.findings_tree.setCurrentItem(item)
    assert evidence.currentIndex() == EvidenceView.TAB_CHANGED
    assert not evidence.zoom_box.isHidden() and evidence.zoom_view.has_image
    assert "enlarged" in evidence.zoom_caption.text()
    evidence.clear_photo()
    assert evidence.zoom_box.isHidden(), "no photo, no enlarged crop"
