"""A library-derived finding says when the listing photo existed, and whether that is before the order (issue 15)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from shopguard.cases.service import CheckRequest, check_photos
from shopguard.checks.context import CaseFacts
from shopguard.checks.findings import Finding, shown_fields
from shopguard.checks.library_match import LibraryMatchCheck
from shopguard.library.indexer import index_paths
from shopguard.library.store import LibraryStore
from shopguard.paths import Home

OCTOBER_1 = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def home(tmp_path: Path, demo: Path) -> Home:
    """A shop whose listing files date from 2026-10-01 (the library itself first saw them today)."""
    home = Home(tmp_path / "home").ensure()
    folder = tmp_path / "shop"
    shutil.copytree(demo / "library", folder)
    for photo in folder.iterdir():
        os.utime(photo, (OCTOBER_1.timestamp(), OCTOBER_1.timestamp()))
    store = LibraryStore(home.library_db)
    index_paths(store, [folder], workers=1)
    store.close()
    return home


def _derived(home: Home, demo: Path, order_date: date | None) -> Finding:
    store = LibraryStore(home.library_db)
    request = CheckRequest(
        photos=(demo / "complaints" / "complaint-bag-stain.jpg",), facts=CaseFacts(order_date=order_date)
    )
    case = check_photos(home, request, store, checks=[LibraryMatchCheck()])
    (finding,) = case.photos[0].findings
    assert finding.strength.value == "strong" and finding.library_photo
    assert case.library_journal_head == {"seq": 12, "entry_hash": store.journal_head().entry_hash}  # type: ignore[union-attr]
    return finding


def test_a_listing_photo_dated_after_the_order_is_reported_as_such(home: Home, demo: Path) -> None:
    finding = _derived(home, demo, date(2026, 9, 15))
    assert finding.evidence["listing_existed_by"] == {
        "date": "2026-10-01T08:00:00+00:00",
        "source": "file_modified",
        "detail": "",
    }
    assert finding.evidence["listing_before_order"] is False
    entry = finding.evidence["journal_entry"]
    assert set(entry) == {"seq", "sha256", "prev_hash", "entry_hash", "recorded_at"}
    assert entry["sha256"] == finding.evidence["library_sha256"]
    detail = finding.detail("en")
    assert "Your listing photo existed by 1 Oct 2026, 08:00 (file date when ShopGuard first read it)" in detail
    assert "not before the order date 2026-09-15" in detail
    assert "不早于下单日期 2026-09-15" in finding.detail("zh_CN")


def test_a_listing_photo_dated_before_the_order_says_so(home: Home, demo: Path) -> None:
    finding = _derived(home, demo, date(2026, 10, 20))
    assert finding.evidence["listing_before_order"] is True
    assert "before the order date 2026-10-20." in finding.detail("en")
    no_order = _derived(home, demo, None)
    assert no_order.evidence["listing_before_order"] is None
    assert "no order date was entered" in no_order.detail("en")


@pytest.fixture
def shanghai(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This machine's clock set to UTC+8, where most of our sellers are."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        yield
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_window_shows_the_listing_date_in_local_time_and_the_report_with_its_offset(
    home: Home, demo: Path, shanghai: None
) -> None:
    finding = _derived(home, demo, date(2026, 10, 20))
    assert finding.fields["listing_existed"]["fields"]["date"] == "2026-10-01T08:00+00:00"  # the JSON keeps UTC
    assert "existed by 1 Oct 2026, 16:00 (file date" in finding.detail("en")
    assert "2026年10月1日 16:00" in finding.detail("zh_CN") and "UTC" not in finding.detail("zh_CN")
    assert "existed by 1 Oct 2026, 16:00 UTC+08:00 (file date" in finding.detail("en", with_zone=True)


def test_a_camera_clock_reading_inside_a_sentence_is_not_shifted(shanghai: None) -> None:
    fields = {
        "when": "2026-10-01T08:00:00+00:00",
        "listing_existed": {"text_key": "finding.library.existed.no_order", "fields": {"date": "2026-10-01 08:00"}},
    }
    shown = shown_fields(fields, "en")
    assert shown["when"] == "1 Oct 2026, 16:00"  # a stored moment, top level: local time
    assert shown["listing_existed"]["fields"]["date"] == "2026-10-01 08:00"  # no zone: left as the camera said
