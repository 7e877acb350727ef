"""Page 1 carries the case alone; the numbers are in the technical appendix at the end (issue 15, item 4)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pypdf import PdfReader

from shopguard.cases.model import Case
from shopguard.i18n import text
from shopguard.report.builder import build_report
from shopguard.report.evidence_values import DATED_NAMES
from shopguard.report.options import ReportOptions
from tests.report.conftest import EXISTED_BY, JOURNAL_HEAD, with_listing_dates
from tests.report.pdf_reading import squash

SHOP = "小米优选旗舰店 Mi Select"
# Labels of measured values that belong in the appendix only (transform, inlier counts, similarity).
MEASUREMENT_KEYS = ("report.evidence.inliers", "report.evidence.transform", "report.evidence.similarity_outside")


def _pages(path: Path) -> list[str]:
    return [squash(page.extract_text() or "") for page in PdfReader(str(path)).pages]


def _lead(case: Case) -> tuple[str, str, str, str]:
    """(buyer photo name, its SHA-256, listing file name, listing SHA-256) of the first library match."""
    for photo in case.photos:
        for finding in photo.findings:
            if finding.library_photo:
                listing = finding.library_photo.replace("\\", "/").rsplit("/", 1)[-1]
                return photo.name, photo.sha256, listing, str(finding.evidence["library_sha256"])
    raise AssertionError("the demo complaints are made from demo listing photos")


def test_page_one_holds_verdict_pair_dates_facts_and_hashes(dated_case: Case, tmp_path: Path) -> None:
    photo, photo_sha, listing, listing_sha = _lead(dated_case)
    for lang in ("en", "zh_CN"):
        out = build_report(dated_case, tmp_path / f"{lang}.pdf", ReportOptions(lang=lang, shop_name=SHOP))
        first = _pages(out)[0]
        assert squash(dated_case.verdict.summary(lang)) in first
        # the three facts in two sentences: the seller's photo, when it existed vs the order, what changed
        said = text(
            "report.facts.listing_before",
            lang,
            listing=listing,
            date=EXISTED_BY,
            source=text("report.listing.source.listed_since", lang),
            order_date="2026-11-10",
        )
        assert squash(said) in first, lang
        assert squash(text("report.facts.made_changed", lang, photo=photo, regions=1, pct="4.5")) in first
        for value in (SHOP, "Taobao" if lang == "en" else "淘宝", "TB-2026111012345", "2026-11-10", "2026-11-15"):
            assert squash(value) in first, value
        assert photo_sha in first and listing_sha in first
        # the buyer's photo beside the listing photo, one picture with the changed region outlined (and the
        # enlarged crop when the check made one for a faint region)
        zoomed = any(img.kind == "changed-zoom" for p in dated_case.photos for f in p.findings for img in f.images)
        assert len(PdfReader(str(out)).pages[0].images) == 1 + zoomed
        assert squash(text("report.stamp", lang)) in first


def test_measurements_only_in_the_technical_appendix(dated_case: Case, tmp_path: Path) -> None:
    for lang in ("en", "zh_CN"):
        out = build_report(dated_case, tmp_path / f"{lang}.pdf", ReportOptions(lang=lang))
        pages = _pages(out)
        heading = squash(text("report.section.appendix", lang))
        start = next(index for index, page in enumerate(pages) if heading in page)
        before = "".join(pages[:start]) + pages[start].split(heading)[0]
        after = pages[start].split(heading, 1)[1] + "".join(pages[start + 1 :])
        for name in MEASUREMENT_KEYS:
            assert squash(text(name, lang)) not in before, name
            assert squash(text(name, lang)) in after, name
        # the library journal entry of each cited listing photo, and the chain head
        entries = [
            str(f.evidence["journal_entry"]["entry_hash"])
            for p in dated_case.photos
            for f in p.findings
            if f.library_photo
        ]
        assert entries and all(entry in after for entry in entries)
        assert str(JOURNAL_HEAD["entry_hash"]) in after
        assert squash(text("report.journal.head", lang, seq=JOURNAL_HEAD["seq"])) in after


def test_a_listing_photo_dated_after_the_order_is_said_so(pipeline_case: Case, tmp_path: Path) -> None:
    late = with_listing_dates(pipeline_case, existed_by="2026-11-20", before_order=False)
    _photo, _sha, listing, _listing_sha = _lead(late)
    out = build_report(late, tmp_path / "late.pdf", ReportOptions(lang="en"))
    first = _pages(out)[0]
    said = text(
        "report.facts.listing_after",
        "en",
        listing=listing,
        date="2026-11-20",
        source=text("report.listing.source.listed_since", "en"),
        order_date="2026-11-10",
    )
    assert squash(said) in first
    assert squash("), before the order date 2026-11-10") not in first  # the "before" sentence's wording


def _stored_before_listing_dates(case: Case) -> Case:
    """The case as ShopGuard stored it before the library kept listing dates: no dated evidence, no journal head."""
    photos = tuple(
        replace(
            photo,
            findings=tuple(
                replace(f, evidence={k: v for k, v in f.evidence.items() if k not in DATED_NAMES})
                for f in photo.findings
            ),
        )
        for photo in case.photos
    )
    return replace(case, photos=photos, library_journal_head=None)


def test_a_case_stored_before_the_listing_dates_uses_the_library_date(pipeline_case: Case, tmp_path: Path) -> None:
    """No listing_existed_by: the date the photo was added to the library, named as such (after the order here)."""
    pipeline_case = _stored_before_listing_dates(pipeline_case)
    out = build_report(pipeline_case, tmp_path / "old.pdf", ReportOptions(lang="zh_CN"))
    first = _pages(out)[0]
    _photo, _sha, listing, _listing_sha = _lead(pipeline_case)
    # the demo library was added today, after the order: the report must not claim the photo came first
    head = text("report.facts.listing_after", "zh_CN", listing=listing).split("{date}")[0]
    assert squash(head.split("最早")[0]) in first
    assert squash(text("report.listing.source.library_added", "zh_CN")) in first
    assert squash("并不早于下单日期2026-11-10") in first


def test_page_one_without_a_library_match_reads_well(ai_label_case: Case, tmp_path: Path) -> None:
    out = build_report(ai_label_case, tmp_path / "ai.pdf", ReportOptions(lang="en"))
    first = _pages(out)[0]
    assert squash(ai_label_case.verdict.summary("en")) in first
    assert squash(text("report.section.key_facts", "en")) in first
    finding = ai_label_case.photos[0].findings[0]
    assert squash(finding.title("en")) in first
    assert ai_label_case.photos[0].sha256 in first
    assert PdfReader(str(out)).pages[0].images, "the photo is on page 1"


def test_annotated_copy_label_is_in_the_report_language(dated_case: Case, tmp_path: Path) -> None:
    chinese = "".join(_pages(build_report(dated_case, tmp_path / "zh.pdf", ReportOptions(lang="zh_CN"))))
    assert squash(text("report.stamp", "zh_CN")) in chinese
    assert squash(text("report.stamp", "en")) not in chinese
    english = "".join(_pages(build_report(dated_case, tmp_path / "en.pdf", ReportOptions(lang="en"))))
    assert squash(text("report.stamp", "zh_CN")) not in english


def _crack_case(demo: Path, tmp_path: Path, listing_name: str, at: tuple[float, float]) -> Case:
    """A real check of a listing photo with a 2 px crack painted on its product, shrunk and re-saved."""
    from PIL import Image, ImageDraw

    from shopguard.cases.service import CheckRequest, check_photos
    from shopguard.library.indexer import index_paths
    from shopguard.library.store import LibraryStore
    from shopguard.paths import Home, resolve_home

    with Image.open(demo / "library" / listing_name) as im:
        photo = im.convert("RGB")
    w, h = photo.size
    crack = [(round(w * at[0]) + 5 * i, round(h * at[1]) + (3 if i % 2 else 0)) for i in range(11)]
    ImageDraw.Draw(photo).line(crack, fill=(30, 28, 26), width=2)
    complaint = tmp_path / "complaint-crack.jpg"
    photo.resize((round(w * 0.6), round(h * 0.6)), Image.Resampling.LANCZOS).save(complaint, quality=70)
    home = Home(resolve_home(None)).ensure()
    store = LibraryStore(home.library_db)
    index_paths(store, [demo / "library"], workers=1)
    case = check_photos(home, CheckRequest(photos=(complaint,)), store)
    store.close()
    return case


def test_a_thin_crack_is_shown_enlarged_on_page_one(demo: Path, tmp_path: Path) -> None:
    """A 2 px crack is a few pixels of the page-wide pair: page 1 shows its enlarged crop too, in each language
    mode (beside a narrow portrait pair; beside a smaller wide pair when it does not fit under it)."""
    # a grey duffel bag on a man (portrait) and the yellow stripe of a vitamin bottle (square)
    cases = (("abo__B0799CK52K__25ffa37c.jpg", (0.30, 0.55)), ("abo__B07GTFSCHB__844a1cce.jpg", (0.68, 0.6)))
    for listing, at in cases:
        case = _crack_case(demo, tmp_path, listing, at)
        match = next(f for f in case.photos[0].findings if f.check == "library-match")
        assert match.regions and any(img.kind == "changed-zoom" for img in match.images), listing
        for lang in ("en", "both"):
            out = build_report(case, tmp_path / f"{lang}.pdf", ReportOptions(lang=lang))
            first = PdfReader(str(out)).pages[0]
            assert len(first.images) == 2, (listing, lang)  # the pair and the enlarged crop
            assert squash(text("caption.library.changed_zoom", "en")) in squash(first.extract_text() or "")
