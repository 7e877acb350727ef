"""The evidence report PDF: content in both languages, embedded fonts, size, pages, paper, GPS opt-in."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from shopguard import __version__
from shopguard.cases.model import Case
from shopguard.i18n import has_key, text
from shopguard.report.builder import build_report
from shopguard.report.evidence_values import DATED_NAMES, DIAGNOSTIC_NAMES
from shopguard.report.options import ReportOptions
from tests.report.pdf_reading import fonts, is_embedded, page_count, pdf_text, squash

MAX_REPORT_BYTES = 4 * 1024 * 1024
OPTIONS = ReportOptions(lang="both", shop_name="小米优选旗舰店 Mi Select", generated_at="2026-11-16T10:00:00+00:00")


def _finding_texts(case: Case, lang: str) -> list[str]:
    """The findings' texts as the report prints them: times with their UTC offset (a document read elsewhere)."""
    return [
        t
        for p in case.photos
        for f in p.findings
        for t in (f.title(lang, with_zone=True), f.detail(lang, with_zone=True))
    ]


def test_bilingual_report_holds_case_data_hashes_and_findings(pipeline_case: Case, tmp_path: Path) -> None:
    out = build_report(pipeline_case, tmp_path / "report.pdf", OPTIONS)
    body = pdf_text(out)
    facts = pipeline_case.facts
    for value in (
        facts.platform,
        facts.order_id,
        facts.buyer,
        facts.claim_text,
        "2026-11-10",
        "2026-11-13",
        "2026-11-15",
        "小米优选旗舰店",
        pipeline_case.id,
    ):
        assert squash(str(value)) in body, value
    for photo in pipeline_case.photos:
        assert photo.sha256 in body
        assert photo.name in body
    for lang in ("en", "zh_CN"):
        assert squash(pipeline_case.verdict.summary(lang)) in body
        for finding_text in _finding_texts(pipeline_case, lang):
            assert squash(finding_text) in body, finding_text
        assert squash(text("report.method.absence", lang)) in body
    # the listing photos the findings name, with their own SHA-256 and added date
    for photo in pipeline_case.photos:
        derived = [f for f in photo.findings if f.library_photo]
        assert derived, "the demo complaints are made from demo listing photos"
        assert str(derived[0].evidence["library_sha256"]) in body
    # the demo library was added today, after the order date: the report must not claim it came first
    for lang in ("en", "zh_CN"):
        assert squash(text("report.library.predates.no", lang, order_date="2026-11-10")) in body
        assert squash(text("report.library.predates.yes", lang, order_date="2026-11-10")) not in body


def test_measured_values_are_labelled_not_raw_names(pipeline_case: Case, tmp_path: Path) -> None:
    """Every value a match prints has a label in both languages; the engine's sorting aids stay in the JSON."""
    body = pdf_text(build_report(pipeline_case, tmp_path / "report.pdf", OPTIONS))
    names = {name for photo in pipeline_case.photos for f in photo.findings if f.library_photo for name in f.evidence}
    assert {"raw_distance", "chroma_balance", "inliers"} <= names
    for name in names - set(DIAGNOSTIC_NAMES) - set(DATED_NAMES):
        assert has_key(f"report.evidence.{name}"), name
    for name in DIAGNOSTIC_NAMES:
        assert squash(name) not in body, name


def test_every_page_has_footer_with_page_x_of_y(pipeline_case: Case, tmp_path: Path) -> None:
    out = build_report(pipeline_case, tmp_path / "report.pdf", OPTIONS)
    reader = PdfReader(str(out))
    pages = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        page_text = squash(page.extract_text() or "")
        assert squash(f"page {number} of {pages}") in page_text
        assert squash(f"第 {number} 页，共 {pages} 页") in page_text
        assert f"ShopGuard{__version__}" in page_text
        assert pipeline_case.id in page_text


def test_only_embedded_fonts(pipeline_case: Case, tmp_path: Path) -> None:
    out = build_report(pipeline_case, tmp_path / "report.pdf", OPTIONS)
    used = fonts(out)
    assert used, "the report has text"
    for font in used:
        assert is_embedded(font), font.get("/BaseFont")
        assert "Helvetica" not in str(font.get("/BaseFont"))


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) not installed")
def test_pdffonts_lists_every_font_as_embedded(pipeline_case: Case, tmp_path: Path) -> None:
    out = build_report(pipeline_case, tmp_path / "report.pdf", OPTIONS)
    listing = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows
    for row in rows:
        # columns: name type encoding emb sub uni object ID; "emb" is the 4th from the right
        assert row.split()[-5] == "yes", row


def test_size_and_page_count(pipeline_case: Case, tmp_path: Path) -> None:
    out = build_report(pipeline_case, tmp_path / "report.pdf", OPTIONS)
    assert 20_000 < out.stat().st_size < MAX_REPORT_BYTES
    # page 1, one exhibit per derived photo, findings, file facts, method, then the technical appendix (measured
    # values, the library journal entries): 4 to 8 pages (test_layout.py)
    assert 4 <= page_count(out) <= 8


@pytest.mark.parametrize(("paper", "size_pt"), [("A4", (595, 842)), ("Letter", (612, 792))])
def test_paper_sizes(pipeline_case: Case, tmp_path: Path, paper: str, size_pt: tuple[int, int]) -> None:
    out = build_report(pipeline_case, tmp_path / f"{paper}.pdf", ReportOptions(lang="en", page_size=paper))
    for page in PdfReader(str(out)).pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size_pt


def test_single_language_reports(pipeline_case: Case, tmp_path: Path) -> None:
    english = pdf_text(build_report(pipeline_case, tmp_path / "en.pdf", ReportOptions(lang="en")))
    chinese = pdf_text(build_report(pipeline_case, tmp_path / "zh.pdf", ReportOptions(lang="zh_CN")))
    assert squash(text("report.title", "en")) in english
    assert squash(text("report.title", "zh_CN")) not in english
    assert squash(text("report.title", "zh_CN")) in chinese
    assert squash(pipeline_case.verdict.summary("zh_CN")) in chinese
    assert squash(pipeline_case.verdict.summary("en")) not in chinese
    for finding_text in _finding_texts(pipeline_case, "zh_CN"):
        assert squash(finding_text) in chinese


def test_annotated_pictures_are_marked(pipeline_case: Case, tmp_path: Path) -> None:
    body = pdf_text(build_report(pipeline_case, tmp_path / "report.pdf", OPTIONS))
    # the pair is the report's own, or the library-match check's side-by-side when it made one
    for lang in ("en", "zh_CN"):
        assert any(squash(text(k, lang)) in body for k in ("report.caption.pair.short", "caption.library.side_by_side"))
    reader = PdfReader(str(tmp_path / "report.pdf"))
    images = [img for page in reader.pages for img in page.images]
    # page 1's pair (exhibit 1 refers to it rather than printing it again), exhibit 2's pair, a heat map
    assert len(images) >= 3
    # each annotated picture carries the label as PDF text in the report's languages
    assert body.count(squash(f"{text('report.stamp', 'zh_CN')} · {text('report.stamp', 'en')}")) >= 3
    assert all(img.name.lower().endswith((".jpg", ".jpeg")) for img in images), "JPEG-encoded pictures"


def test_ai_label_fields_shown_and_gps_only_when_opted_in(ai_label_case: Case, tmp_path: Path) -> None:
    hidden = pdf_text(build_report(ai_label_case, tmp_path / "a.pdf", ReportOptions(lang="both")))
    assert "Adobe_Firefly/3.0" in hidden
    assert "trainedAlgorithmicMedia" in hidden
    assert "31.2304" not in hidden
    assert "121.4737" not in hidden
    assert "SECRET-POS-77" not in hidden and "private_fields" not in hidden
    # decoded label fields, one row each
    assert "ContentProducer" in hidden and "001191110108MA01KP2T" in hidden
    assert squash(text("report.evidence.fields", "zh_CN")) in hidden
    assert squash(text("report.gps.hidden", "en")) in hidden
    assert squash(text("report.kind.heatmap", "zh_CN")) in hidden
    assert squash(text("report.method.ai-label", "zh_CN")) in hidden
    shown = pdf_text(build_report(ai_label_case, tmp_path / "b.pdf", ReportOptions(lang="both", include_gps=True)))
    assert "31.2304" in shown
    assert "121.4737" in shown
    assert "SECRET-POS-77" in shown


def test_clean_case_with_unreadable_photo(clean_case: Case, tmp_path: Path) -> None:
    body = pdf_text(build_report(clean_case, tmp_path / "clean.pdf", ReportOptions(lang="both")))
    assert squash(text("report.key_facts.none", "en")) in body
    assert squash(text("report.exhibits.none", "zh_CN")) in body
    assert "broken.heic" in body
    assert "JD-77" in body
    # only the facts the seller entered: no row of "not given" dates (issue 15)
    for lang in ("en", "zh_CN"):
        assert squash(text("report.value.not_given", lang)) not in body
        assert squash(text("report.field.order_date", lang)) not in body


def test_missing_photo_copies_do_not_stop_the_report(ai_label_case: Case, tmp_path: Path) -> None:
    for photo in ai_label_case.photos:
        Path(photo.stored_path or "").unlink()
    for finding in ai_label_case.photos[0].findings:
        for image in finding.images:
            Path(image.path).unlink()
    out = build_report(ai_label_case, tmp_path / "gone.pdf", ReportOptions(lang="en"))
    assert "Adobe_Firefly/3.0" in pdf_text(out)


def test_unknown_paper_is_a_report_error(clean_case: Case, tmp_path: Path) -> None:
    from shopguard.errors import ReportError

    with pytest.raises(ReportError):
        build_report(clean_case, tmp_path / "x.pdf", ReportOptions(page_size="B5"))


def test_unwritable_target_is_a_report_error(clean_case: Case, tmp_path: Path) -> None:
    from shopguard.errors import ReportError

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ReportError):
        build_report(clean_case, blocker / "x.pdf", ReportOptions())


def test_shop_logo_is_drawn_on_page_one(clean_case: Case, tmp_path: Path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (200, 120), (20, 120, 200)).save(logo)
    without = build_report(clean_case, tmp_path / "a.pdf", ReportOptions(lang="en"))
    with_logo = build_report(clean_case, tmp_path / "b.pdf", ReportOptions(lang="en", shop_logo=str(logo)))
    first = len(PdfReader(str(with_logo)).pages[0].images)
    assert first == len(PdfReader(str(without)).pages[0].images) + 1
    # a logo that cannot be read is left out, not an error
    gone = ReportOptions(lang="en", shop_logo=str(tmp_path / "gone.png"))
    assert build_report(clean_case, tmp_path / "c.pdf", gone).is_file()


def test_page_one_holds_the_three_strongest_facts_even_when_long(crowded_case: Case, tmp_path: Path) -> None:
    out = build_report(crowded_case, tmp_path / "crowded.pdf", ReportOptions(lang="both"))
    first = squash(PdfReader(str(out)).pages[0].extract_text() or "")
    assert squash(text("report.section.key_facts", "zh_CN")) in first
    for index in range(3):
        assert f"Generator-{index}" in first
        assert f"crowded-{index}.jpg" in first


def test_first_exhibit_starts_on_page_two(pipeline_case: Case, tmp_path: Path) -> None:
    out = build_report(pipeline_case, tmp_path / "report.pdf", OPTIONS)
    second = squash(PdfReader(str(out)).pages[1].extract_text() or "")
    assert squash(text("report.section.exhibits", "en")) in second
    assert squash(text("report.exhibit.title", "en", number=1, title="")) in second
