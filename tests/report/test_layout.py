"""The report's structure: bilingual text interleaved (not duplicated), each picture once, one
"annotated copy" mark per picture, and page counts that stay short (issue: the 12-page demo report)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image
from pypdf import PdfReader

from shopguard.cases.model import Case
from shopguard.checks.findings import Strength
from shopguard.checks.forensic_maps import annotate_stamp
from shopguard.checks.match_evidence import band_height_px
from shopguard.i18n import text
from shopguard.imaging import decode, read_source
from shopguard.report.builder import build_report
from shopguard.report.options import ReportOptions
from shopguard.report.pictures import PictureMaker
from tests.report.pdf_reading import page_count, pdf_text, squash, text_runs

BOTH = ReportOptions(lang="both", shop_name="小米优选旗舰店 Mi Select", generated_at="2026-11-16T10:00:00+00:00")
# Before the interleaved layout the demo case took 12 pages in "both", 9 in English, 8 in Chinese.
# Since issue 15 a technical appendix (measured values, the library journal entries) follows the method page.
MAX_BOTH_PAGES = 8
MAX_ONE_LANGUAGE_PAGES = 6
# The check's side-by-side is its outline and aligned-listing images joined: those are not repeated.
HALVES = ("changed-outline", "listing")


def _exhibited(case: Case) -> list[tuple[str, str]]:
    """(zh title, en title) of every finding that gets an exhibit, strongest first."""
    found = [(p, f) for p in case.photos for f in p.findings if f.strength.rank >= Strength.MODERATE.rank]
    found.sort(key=lambda pf: -pf[1].strength.rank)
    return [(f.title("zh_CN"), f.title("en")) for _p, f in found]


def test_bilingual_demo_report_is_short(pipeline_case: Case, tmp_path: Path) -> None:
    both = build_report(pipeline_case, tmp_path / "both.pdf", BOTH)
    assert page_count(both) <= MAX_BOTH_PAGES
    for lang in ("en", "zh_CN"):
        single = build_report(pipeline_case, tmp_path / f"{lang}.pdf", ReportOptions(lang=lang, shop_name="Mi"))
        assert page_count(single) <= MAX_ONE_LANGUAGE_PAGES, lang


def test_english_follows_chinese_paragraph_by_paragraph(pipeline_case: Case, tmp_path: Path) -> None:
    out = build_report(pipeline_case, tmp_path / "both.pdf", BOTH)
    pages = [squash(page.extract_text() or "") for page in PdfReader(str(out)).pages]
    exhibits = _exhibited(pipeline_case)
    assert len(exhibits) == 2
    for number, (zh_title, en_title) in enumerate(exhibits, start=1):
        zh = squash(text("report.exhibit.title", "zh_CN", number=number, title=zh_title))
        en = squash(text("report.exhibit.title", "en", number=number, title=en_title))
        index = next(i for i, p in enumerate(pages) if zh in p)
        # the English title right after the Chinese one, not in a second copy of the section
        start = pages[index].index(zh) + len(zh)
        assert pages[index].index(en, start) == start, (zh, en)
        # ... under it (lower on the page), in smaller type
        runs = text_runs(out, index)
        zh_run = next(r for r in runs if squash(r[0]).startswith(zh[:8]))
        en_run = next(r for r in runs if squash(r[0]).startswith(en[:8]))
        assert en_run[1] < zh_run[1] and en_run[2] < zh_run[2], (zh_run, en_run)
    body = "".join(pages)
    # every finding, exhibited or not, has its title in both languages
    for photo in pipeline_case.photos:
        for finding in photo.findings:
            assert squash(finding.title("zh_CN")) in body
            assert squash(finding.title("en")) in body
    # the limits text of each exhibit once per language, not once per language per column copy
    limits = [
        f
        for p in pipeline_case.photos
        for f in p.findings
        if f.limits_key and f.strength.rank >= Strength.MODERATE.rank
    ]
    for lang in ("zh_CN", "en"):
        said = squash(limits[0].limits(lang) or "")
        assert body.count(said) == len(limits)


def test_each_picture_appears_once(pipeline_case: Case, tmp_path: Path) -> None:
    out = build_report(pipeline_case, tmp_path / "both.pdf", BOTH)
    images = [image for page in PdfReader(str(out)).pages for image in page.images]
    exhibited = [f for p in pipeline_case.photos for f in p.findings if f.strength.rank >= Strength.MODERATE.rank]
    # page 1: the lead match's side-by-side (its exhibit refers to it instead of printing it again);
    # exhibits: the side-by-side, then the maps that are not its halves
    expected = sum(1 + sum(image.kind not in (*HALVES, "side-by-side") for image in f.images) for f in exhibited)
    assert all(any(image.kind == "side-by-side" for image in f.images) for f in exhibited)
    assert len(images) == expected


def test_matcher_pictures_carry_one_annotated_copy_mark(pipeline_case: Case, tmp_path: Path) -> None:
    finding = next(f for p in pipeline_case.photos for f in p.findings if f.images)
    pair = next(image for image in finding.images if image.kind == "side-by-side")
    full = decode(read_source(pair.path))
    band = band_height_px(full.height)
    assert band > 0, "the matcher writes a caption band under its pictures"
    maker = PictureMaker()
    kept = maker.evidence(pair.path, 4096, has_band=False)
    cut = maker.evidence(pair.path, 4096, has_band=True)
    assert kept is not None and cut is not None and cut.is_annotated
    assert kept.height_px == full.height
    assert cut.height_px == full.height - band
    with Image.open(io.BytesIO(cut.jpeg)) as shown:
        bottom = shown.convert("L").crop((0, shown.height - 4, shown.width, shown.height))
        # the demo photos stand on white: without the near-black band the bottom rows are light
        histogram = bottom.histogram()
        assert sum(level * count for level, count in enumerate(histogram)) / sum(histogram) > 150
    body = pdf_text(build_report(pipeline_case, tmp_path / "both.pdf", BOTH))
    # captions that already say "annotated copy" are not prefixed with it a second time
    for lang in ("en", "zh_CN"):
        caption = text("caption.library.side_by_side", lang)
        assert squash(caption) in body
        assert squash(text("report.caption.evidence", lang, caption=caption)) not in body


def test_exhibited_findings_are_listed_once_in_full(pipeline_case: Case, tmp_path: Path) -> None:
    body = pdf_text(build_report(pipeline_case, tmp_path / "both.pdf", BOTH))
    exhibited = [f for p in pipeline_case.photos for f in p.findings if f.strength.rank >= Strength.MODERATE.rank]
    for number, _finding in enumerate(exhibited, start=1):
        for lang in ("en", "zh_CN"):
            assert squash(text("report.findings.see_exhibit", lang, number=number)) in body


def test_shares_are_printed_with_their_percentage(pipeline_case: Case, tmp_path: Path) -> None:
    body = pdf_text(build_report(pipeline_case, tmp_path / "en.pdf", ReportOptions(lang="en")))
    changed = next(f for p in pipeline_case.photos for f in p.findings if f.regions)
    share = float(changed.evidence["changed_share"])
    # the finding's text says "4.6%"; the values table gives the raw value and the same percentage
    assert squash(f"{share:.4g} ({share * 100:.1f}%)") in body
    found_by = str(changed.evidence["shortlist"])
    assert squash(f"{text(f'report.value.shortlist.{found_by}', 'en')} ({found_by})") in body


def test_unreadable_photo_says_so_on_page_one(clean_case: Case, tmp_path: Path) -> None:
    out = build_report(clean_case, tmp_path / "clean.pdf", ReportOptions(lang="both"))
    first = squash(PdfReader(str(out)).pages[0].extract_text() or "")
    for lang in ("en", "zh_CN"):
        assert squash(text("report.file.unreadable", lang)) in first
    assert "broken.heic" in first


def test_a_translation_stays_on_the_page_of_its_chinese(pipeline_case: Case, tmp_path: Path) -> None:
    out = build_report(pipeline_case, tmp_path / "both.pdf", BOTH)
    pages = [squash(page.extract_text() or "") for page in PdfReader(str(out)).pages]
    names = ["report.method.local", "report.method.originals", "report.method.strength", "report.method.absence"]
    names += [f"report.method.{f.category.value}" for p in pipeline_case.photos for f in p.findings]
    for name in names:
        zh, en = squash(text(name, "zh_CN")), squash(text(name, "en"))
        zh_pages = [i for i, page in enumerate(pages) if zh in page]
        en_pages = [i for i, page in enumerate(pages) if en in page]
        assert zh_pages and zh_pages == en_pages, name


def test_report_stamp_covers_the_pixel_checks_own_label(tmp_path: Path) -> None:
    """The forensic maps burn a small black English "annotated copy" strip along their top; the report
    cuts it off and prints its own label (PDF text in the report's language), so each map carries one mark."""
    for width, height in ((1024, 768), (640, 480), (320, 240), (1024, 300)):
        for label in ("ELA map", "noise map", "copy-move map"):
            canvas = np.full((height, width, 3), 128, np.uint8)
            annotate_stamp(canvas, label)
            path = tmp_path / f"map-{width}-{label.replace(' ', '_')}.jpg"
            Image.fromarray(canvas).save(path, "JPEG", quality=90)
            shown = PictureMaker().evidence(str(path), 1200, has_strip=True)
            assert shown is not None and shown.stamp
            with Image.open(io.BytesIO(shown.jpeg)) as im:
                darkest = min(im.convert("L").crop((0, 0, im.width, im.height // 4)).getextrema())
            # the map is mid-grey everywhere; anything near black is the check's label showing through
            assert darkest > 40, (width, label, darkest)
