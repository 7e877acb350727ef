"""Times and dates as a person reads them: the machine's local time zone, in the language's usual format.

Stored times are ISO 8601 in UTC (cases, library rows, reports) and stay ISO in JSON; everything a person
reads (the app, the CLI's plain output, the PDF) goes through here, so "2026-12-04T13:31:52+00:00" is
shown as "4 Dec 2026, 14:31" (en) or "2026年12月4日 14:31" (zh_CN) on a machine one hour east of UTC.
The formats are catalogue texts (``time.*``), so the app, the CLI and the report agree. Qt-free.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo

from shopguard.i18n import text

ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
"""An ISO 8601 date and time, as ShopGuard stores them ("2026-12-04T13:31:52+00:00")."""


def is_iso_time(value: object) -> bool:
    """True for a string that is exactly an ISO 8601 date and time (what ``format_time`` turns into local time)."""
    return isinstance(value, str) and ISO_TIME.fullmatch(value.strip()) is not None


def has_zone(value: object) -> bool:
    """True for an ISO 8601 time that says its zone ("...+00:00", "...Z"); a time without one is a clock reading."""
    match = ISO_TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    return match is not None and match.group(3) is not None


def parse_time(value: str | datetime) -> datetime | None:
    """An ISO 8601 string (or a datetime) as an aware datetime; None when it is not a time.

    A time without a zone is taken as UTC, the zone ShopGuard stores times in.
    """
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _date_fields(day: date, lang: str) -> dict[str, object]:
    return {
        "year": day.year,
        "month": text(f"time.month.{day.month}", lang),
        "day": day.day,
    }


def format_date(value: date | str | None, lang: str = "en") -> str:
    """A calendar date (``date`` or "YYYY-MM-DD") in the language's format; "" for None or ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip()[:10])
        except ValueError:
            return value
    else:
        day = value.date() if isinstance(value, datetime) else value
    return text("time.date", lang, **_date_fields(day, lang))


def format_time(
    value: str | datetime | None, lang: str = "en", *, zone: tzinfo | None = None, with_zone: bool = False
) -> str:
    """A moment as local date and time ("4 Dec 2026, 14:31"); "" for None or "", the text itself if not a time.

    Args:
        value: ISO 8601 text or a datetime (a naive one is UTC).
        lang: "en" or "zh_CN".
        zone: the time zone to show it in (default: this machine's local zone).
        with_zone: add the UTC offset ("UTC+01:00"), for documents read elsewhere (the PDF report).
    """
    if value is None or value == "":
        return ""
    moment = parse_time(value)
    if moment is None:
        return str(value)
    local = moment.astimezone(zone)
    shown = text(
        "time.datetime",
        lang,
        **_date_fields(local.date(), lang),
        hour=f"{local.hour:02d}",
        minute=f"{local.minute:02d}",
    )
    if with_zone:
        shown += " " + utc_offset(local)
    return shown


def utc_offset(moment: datetime) -> str:
    """ "UTC", or "UTC+08:00" / "UTC-05:30" for an aware datetime."""
    offset = moment.utcoffset()
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
