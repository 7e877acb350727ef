"""Evidence tabs for a stored case with evidence pictures, the reused-photo link, and the GUI texts."""

from __future__ import annotations

import json
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
from shopguard.i18n import placeholders
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
    # every catalogue file: each branch puts its new keys in a file of its own (the loader merges them)
    catalogue: dict[str, dict[str, str]] = {}
    for path in sorted((REPO / "shopguard" / "i18n" / "catalogs").glob("*.json")):
        catalogue |= json.loads(path.read_text("utf-8"))
    for key, texts in catalogue.items():
        assert set(texts) == {"en", "zh_CN"}, key
        assert texts["en"].strip() and texts["zh_CN"].strip(), key
        assert placeholders(texts["en"]) == placeholders(texts["zh_CN"]), key
    import re

    used: set[str] = set()
    for source in (REPO / "shopguard" / "gui").rglob("*.py"):
        used |= set(re.findall(r'"(gui\.[a-z_.]+[a-z_])"', source.read_text("utf-8")))
    missing = sorted(k for k in used if k not in catalogue)
    assert not missing, f"GUI texts without a catalogue entry: {missing}"
