"""Times as a person reads them (i18n.local_time): local zone, the language's format; never raw ISO."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from shopguard.checks.findings import VerdictLevel
from shopguard.checks.verdict import Verdict
from shopguard.i18n.local_time import format_date, format_time, is_iso_time

EAST_8 = timezone(timedelta(hours=8))


def test_a_utc_time_is_shown_in_the_given_zone_in_each_language() -> None:
    stored = "2026-12-04T20:31:52+00:00"
    assert format_time(stored, "en", zone=EAST_8) == "5 Dec 2026, 04:31"  # the next day, east of UTC
    assert format_time(stored, "zh_CN", zone=EAST_8) == "2026年12月5日 04:31"
    assert format_time(stored, "en", zone=UTC, with_zone=True) == "4 Dec 2026, 20:31 UTC"
    assert format_time(stored, "en", zone=EAST_8, with_zone=True).endswith("UTC+08:00")
    assert format_time(datetime(2026, 1, 2, 3, 4), "en", zone=UTC) == "2 Jan 2026, 03:04", "naive means UTC"


def test_dates_and_what_is_not_a_time() -> None:
    assert format_date(date(2026, 3, 9), "en") == "9 Mar 2026"
    assert format_date("2026-03-09", "zh_CN") == "2026年3月9日"
    assert format_time("", "en") == "" and format_time(None, "en") == ""
    assert format_time("yesterday", "en") == "yesterday"
    assert is_iso_time("2026-12-04T13:31:52+00:00") and is_iso_time("2026-12-04T13:31:52Z")
    assert not is_iso_time("2026-12-04") and not is_iso_time("bag 2026-12-04T13:31 copy.jpg") and not is_iso_time(3)


def test_a_verdict_names_what_its_evidence_is_and_its_headline_does_not_repeat_the_level() -> None:
    reuse = Verdict(
        VerdictLevel.MODERATE,
        "verdict.moderate",
        {
            "top_title_key": "finding.library.identical.title",
            "top_fields": {"library_name": "a.jpg"},
            "top_category": "reused-photo",
            "count": 1,
        },
    )
    summary = reuse.summary("en")
    assert "reuse of a photo from an earlier complaint" in summary and "altered" not in summary
    assert "(1 findings)" not in summary
    assert "Moderate evidence" not in reuse.headline("en") and "Some evidence" not in reuse.headline("en")
    assert "照片在之前的投诉中出现过" in reuse.summary("zh_CN")
    older = Verdict(VerdictLevel.MODERATE, "verdict.moderate", {"top_title_key": "", "count": 2})
    assert "editing, AI generation or reuse (2 findings)" in older.summary("en"), "cases stored before the category"


def test_the_report_shows_local_time_with_its_offset_never_raw_iso(monkeypatch: pytest.MonkeyPatch) -> None:
    from shopguard.report.content import show_time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert show_time("2026-12-04T20:31:52+00:00") == "2026-12-05 04:31 UTC+08:00"
        assert format_time("2026-12-04T20:31:52+00:00", "en") == "5 Dec 2026, 04:31"
    finally:
        monkeypatch.undo()
        time.tzset()
