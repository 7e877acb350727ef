"""Cases for the report tests, made by the real pipeline (library + checks) or built by hand."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest
from PIL import Image, ImageDraw

from shopguard.cases.model import Case, CasePhoto
from shopguard.cases.service import CheckRequest, check_photos
from shopguard.checks.context import CaseFacts
from shopguard.checks.findings import Category, EvidenceImage, Finding, Strength
from shopguard.checks.verdict import photo_verdict
from shopguard.library.indexer import index_paths
from shopguard.library.store import LibraryStore
from shopguard.paths import Home

FACTS = CaseFacts(
    order_date=date(2026, 11, 10),
    delivery_date=date(2026, 11, 13),
    complaint_date=date(2026, 11, 15),
    platform="Taobao",
    order_id="TB-2026111012345",
    buyer="tb_buyer_88",
    claim_text="包上有污渍和破洞，要求仅退款",
)


@pytest.fixture(scope="session")
def pipeline_case(tmp_path_factory: pytest.TempPathFactory, demo: Path) -> Case:
    """The two demo complaint photos checked against the demo shop library (both are derived)."""
    home = Home(tmp_path_factory.mktemp("report-home"))
    store = LibraryStore(home.library_db)
    index_paths(store, [demo / "library"])
    photos = tuple(sorted((demo / "complaints").glob("*.jpg")))
    case = check_photos(home, CheckRequest(photos=photos, facts=FACTS), store)
    store.close()
    return case


def _photo(tmp_path: Path, name: str, findings: tuple[Finding, ...], size: tuple[int, int] = (640, 480)) -> CasePhoto:
    path = tmp_path / name
    im = Image.new("RGB", size, (200, 190, 170))
    ImageDraw.Draw(im).ellipse((200, 120, 440, 360), fill=(90, 60, 40))
    im.save(path, "JPEG", quality=90)
    return CasePhoto(
        name=name,
        original_path=str(path),
        stored_path=str(path),
        sha256=f"{len(name):064x}",
        format="jpeg",
        width=size[0],
        height=size[1],
        size_bytes=path.stat().st_size,
        received_at="2026-11-16T08:30:00+00:00",
        findings=findings,
        verdict=photo_verdict(findings),
        file_mtime="2026-11-15T20:00:00+00:00",
    )


@pytest.fixture
def ai_label_case(tmp_path: Path) -> Case:
    """A hand-built case: one photo with a strong AI-label finding (label fields, region, heat map, GPS)."""
    heatmap = tmp_path / "heatmap.png"
    Image.new("RGB", (320, 240), (255, 0, 0)).save(heatmap)
    finding = Finding(
        "provenance-labels",
        Category.AI_LABEL,
        Strength.STRONG,
        "finding.metadata.software.title",
        "finding.metadata.software.detail",
        fields={"software": "Adobe Firefly 3"},
        regions=((200, 120, 240, 240),),
        evidence={
            "c2pa_claim_generator": "Adobe_Firefly/3.0",
            "digital_source_type": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
            "GPSLatitude": "31.2304 N",
            "owner_position": {"lat": 31.23, "lon": 121.47, "accuracy": "SECRET-POS-77"},
            "private_fields": ["owner_position"],
            "fields": {"Label": "1", "ContentProducer": "001191110108MA01KP2T", "GPSLongitude": "121.4737 E"},
        },
        images=(EvidenceImage("heatmap", str(heatmap), "report.kind.heatmap"),),
        limits_key="report.method.absence",
    )
    info = Finding(
        "camera-metadata",
        Category.METADATA,
        Strength.INFO,
        "finding.metadata.none.title",
        "finding.metadata.none.detail",
    )
    photo = _photo(tmp_path, "buyer-photo-ai.jpg", (finding, info))
    return Case(id="20261116-083000-ab12", created_at="2026-11-16T08:30:05+00:00", facts=FACTS, photos=(photo,))


@pytest.fixture
def clean_case(tmp_path: Path) -> Case:
    """A hand-built case with nothing suspicious and one unreadable file."""
    info = Finding(
        "camera-metadata",
        Category.METADATA,
        Strength.INFO,
        "finding.metadata.camera.title",
        "finding.metadata.camera.detail",
        fields={"camera": "Apple iPhone 15", "taken": "2026:11:14"},
    )
    good = _photo(tmp_path, "honest.jpg", (info,))
    bad_finding = Finding(
        "input",
        Category.INPUT,
        Strength.INFO,
        "finding.input.unreadable.title",
        "finding.input.unreadable.detail",
        fields={"reason": "not an image"},
    )
    bad = CasePhoto(
        name="broken.heic",
        original_path=str(tmp_path / "broken.heic"),
        stored_path=None,
        sha256="",
        format="unknown",
        width=0,
        height=0,
        size_bytes=0,
        received_at="2026-11-16T08:30:00+00:00",
        findings=(bad_finding,),
        verdict=photo_verdict([bad_finding]),
        is_readable=False,
    )
    return Case(
        id="20261116-090000-cd34",
        created_at="2026-11-16T09:00:00+00:00",
        facts=CaseFacts(order_id="JD-77"),
        photos=(good, bad),
    )


@pytest.fixture(params=[False, True], ids=["long", "absurd"])
def crowded_case(tmp_path: Path, request: pytest.FixtureRequest) -> Case:
    """Three photos, each with a strong finding whose detail is very long (page 1 must still hold them);
    "absurd" also gives a claim text that alone fills half the page."""
    absurd: bool = request.param
    photos = []
    for index in range(3):
        long_value = f"photo{index} " + "masterpiece, best quality, 1girl, solo, detailed background, " * 12
        finding = Finding(
            "camera-metadata",
            Category.AI_LABEL,
            Strength.STRONG,
            "finding.metadata.camera.title",
            "finding.metadata.camera.detail",
            fields={"camera": f"Generator-{index}", "taken": long_value * (2 if absurd else 1)},
        )
        photos.append(_photo(tmp_path, f"crowded-{index}.jpg", (finding,), size=(600, 900)))
    return Case(
        id="20261116-100000-ef56",
        created_at="2026-11-16T10:00:00+00:00",
        facts=replace(FACTS, claim_text="收到的包有污渍和破洞，申请仅退款。" * 40) if absurd else FACTS,
        photos=tuple(photos),
    )


EXISTED_BY = "2026-10-02"
JOURNAL_HEAD = {"seq": 12, "entry_hash": "e" * 64}


def with_listing_dates(case: Case, existed_by: str = EXISTED_BY, before_order: bool | None = True) -> Case:
    """``case`` as the library of issue 15 stores it: each library-derived finding carries the listing
    photo's earliest dated evidence and its journal entry; the case carries the journal's head."""
    photos = []
    for seq, photo in enumerate(case.photos, start=1):
        findings = []
        for finding in photo.findings:
            if finding.library_photo:
                evidence = dict(finding.evidence)
                evidence["listing_existed_by"] = {
                    "date": existed_by,
                    "source": "listed_since",
                    "detail": "https://item.taobao.com/item.htm?id=6170",
                }
                evidence["listing_before_order"] = before_order
                evidence["journal_entry"] = {
                    "seq": seq,
                    "sha256": evidence.get("library_sha256"),
                    "prev_hash": f"{seq - 1:064x}",
                    "entry_hash": f"{seq:x}" * 64,
                    "recorded_at": f"{existed_by}T09:00:00+00:00",
                }
                finding = replace(finding, evidence=evidence)
            findings.append(finding)
        photos.append(replace(photo, findings=tuple(findings)))
    dated = replace(case, photos=tuple(photos))
    if "library_journal_head" in {f.name for f in fields(Case)}:
        rebuild: Any = replace  # the field of the engine's Case (issue 15), absent from older ones
        return cast(Case, rebuild(dated, library_journal_head=JOURNAL_HEAD))
    object.__setattr__(dated, "library_journal_head", JOURNAL_HEAD)  # what the engine's Case will hold
    return dated


@pytest.fixture(scope="session")
def dated_case(pipeline_case: Case) -> Case:
    """The demo case with its listing photos listed on 2026-10-02, before the 2026-11-10 order."""
    return with_listing_dates(pipeline_case)
