"""Reuse means another claim; a re-check updates its case in place; no case without a readable photo (issue 15)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from shopguard.cases.service import CheckRequest, NoPhotoReadError, check_photos, recheck_case
from shopguard.cases.store import CaseStore
from shopguard.checks.context import CaseFacts
from shopguard.checks.findings import Finding
from shopguard.checks.reused_photo import ReusedPhotoCheck
from shopguard.errors import EXIT_BAD_IMAGE, UsageError
from shopguard.library.store import LibraryStore
from shopguard.paths import Home
from shopguard.report.content import ranked_findings
from shopguard.settings import Settings, save_settings

ORDER_A = CaseFacts(platform="taobao", order_id="TB-1001", buyer="小王", order_date=date(2026, 11, 1))
REUSE_ONLY = [ReusedPhotoCheck()]


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home").ensure()


@pytest.fixture
def photo(testdata: Path) -> Path:
    return testdata / "exif-camera" / "gps__DSCN0010.jpg"


def _reuse(findings: tuple[Finding, ...]) -> list[Finding]:
    return [f for f in findings if f.category.value == "reused-photo"]


def test_same_photo_twice_in_one_order_is_info_only_and_leaves_the_verdict(home: Home, photo: Path) -> None:
    library = LibraryStore(home.library_db)
    first = check_photos(home, CheckRequest(photos=(photo,), facts=ORDER_A), library)
    again = check_photos(home, CheckRequest(photos=(photo,), facts=ORDER_A), library)
    (link,) = _reuse(again.photos[0].findings)
    assert link.strength.value == "info"
    assert link.title("en") == f"Checked before in case {first.id}"
    assert link.evidence["other_case_id"] == first.id and link.evidence["relation"] == "same-order"
    assert again.verdict.level == first.verdict.level
    assert again.verdict.summary("en") == first.verdict.summary("en")
    assert not any(r.finding.category.value == "reused-photo" for r in ranked_findings(again)), "not a key fact"


def test_same_photo_for_another_order_is_moderate_reuse(home: Home, photo: Path) -> None:
    library = LibraryStore(home.library_db)
    first = check_photos(home, CheckRequest(photos=(photo,), facts=ORDER_A), library, checks=REUSE_ONLY)
    # the same buyer with another order: the pattern of "refund only" rings, still evidence
    other_order = replace(ORDER_A, order_id="TB-2002", order_date=date(2026, 11, 20))
    case = check_photos(home, CheckRequest(photos=(photo,), facts=other_order), library, checks=REUSE_ONLY)
    (reuse,) = _reuse(case.photos[0].findings)
    assert reuse.strength.value == "moderate" and reuse.evidence["relation"] == "another-order"
    assert reuse.evidence["other_case_id"] == first.id and first.id in reuse.title("en")
    assert case.verdict.level.value == "moderate"
    other_buyer = CaseFacts(buyer="老李")
    case = check_photos(home, CheckRequest(photos=(photo,), facts=other_buyer), library, checks=REUSE_ONLY)
    assert [(f.strength.value, f.evidence["relation"]) for f in _reuse(case.photos[0].findings)] == [
        ("moderate", "another-buyer")
    ]


def test_without_order_facts_only_cases_a_day_apart_count_as_reuse(home: Home, photo: Path) -> None:
    library = LibraryStore(home.library_db)
    first = check_photos(home, CheckRequest(photos=(photo,)), library, checks=REUSE_ONLY)
    same_day = check_photos(home, CheckRequest(photos=(photo,)), library, checks=REUSE_ONLY)
    assert [f.strength.value for f in _reuse(same_day.photos[0].findings)] == ["info"]
    store = CaseStore(home.cases_dir)
    two_days_ago = (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0).isoformat()
    for old in (first, same_day):  # the clock is the one thing faked: both earlier cases were checked 2 days ago
        store.save(replace(store.load(old.id), created_at=two_days_ago))
    later = check_photos(home, CheckRequest(photos=(photo,)), library, checks=REUSE_ONLY)
    (reuse,) = _reuse(later.photos[0].findings)
    assert (reuse.strength.value, reuse.evidence["relation"]) == ("moderate", "days-apart")


def test_recheck_updates_the_case_in_place_and_keeps_its_history(home: Home, photo: Path) -> None:
    save_settings(home, Settings(shop_name="Lily's Bags 莉莉箱包"))
    library = LibraryStore(home.library_db)
    case = check_photos(home, CheckRequest(photos=(photo,)), library)
    assert case.facts.shop_name == "Lily's Bags 莉莉箱包" and case.facts.complaint_date is None
    checked = recheck_case(home, case.id, library, facts=ORDER_A)
    assert checked.id == case.id and checked.created_at == case.created_at
    assert checked.facts.order_id == "TB-1001" and checked.facts.shop_name == "Lily's Bags 莉莉箱包"
    assert _reuse(checked.photos[0].findings) == [], "a re-check never reports the case itself as reuse"
    stored = json.loads((home.cases_dir / case.id / "case.json").read_text(encoding="utf-8"))
    (earlier,) = stored["history"]
    assert earlier["facts"]["order_id"] is None and earlier["verdict"]["level"] == case.verdict.level.value
    assert earlier["photos"][0]["sha256"] == case.photos[0].sha256 and earlier["photos"][0]["findings"]
    assert stored["facts"]["order_id"] == "TB-1001" and stored["checked_at"] >= earlier["checked_at"]
    assert [p.name for p in home.cases_dir.iterdir()] == [case.id], "no new case"
    twice = recheck_case(home, case.id, library)
    assert len(twice.history) == 2 and twice.facts == checked.facts
    assert {r.case_id for r in library.case_photos()} == {case.id}


def test_only_an_open_case_is_checked_again(home: Home, photo: Path) -> None:
    library = LibraryStore(home.library_db)
    case = check_photos(home, CheckRequest(photos=(photo,)), library, checks=REUSE_ONLY)
    CaseStore(home.cases_dir).update(case.id, status="appealed")
    with pytest.raises(UsageError):
        recheck_case(home, case.id, library)
    assert CaseStore(home.cases_dir).load(case.id).history == ()


def test_no_case_is_created_when_no_photo_can_be_read(home: Home, tmp_path: Path) -> None:
    library = LibraryStore(home.library_db)
    request = CheckRequest(photos=(tmp_path, tmp_path / "missing.jpg"))
    with pytest.raises(NoPhotoReadError) as caught:
        check_photos(home, request, library)
    assert caught.value.exit_code == EXIT_BAD_IMAGE
    assert "missing.jpg" in caught.value.message("en") and "no case was created" in caught.value.message("en")
    assert not any(home.cases_dir.iterdir()) and library.case_photos() == []
