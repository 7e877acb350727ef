"""When the listing photo existed: the evidence keys and the plain sentence a library-derived finding carries.

The dates and their sources come from the library journal (``library/journal.py``); this module turns the
earliest of them into ``listing_existed_by`` / ``listing_before_order`` / ``journal_entry`` (docs/cli.md) and
into "your listing photo existed by DATE (source)", said against the order date when there is one.
"""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

from shopguard.i18n import phrase
from shopguard.library.journal import DatedEvidence, existed_before, parse_when
from shopguard.library.store import LibraryStore


def shown_date(value: str) -> str:
    """The date a sentence shows: ``2025-03-01`` (a day), ``2025-03-01 10:11`` (a camera's clock, no zone) or a
    moment as ISO 8601 in UTC (``2025-03-01T02:11+00:00``), which ``findings.shown_fields`` shows in the reader's
    local time (the app, the CLI) or with its UTC offset (the report)."""
    when = parse_when(value)
    if when is None or len(value.strip()) == 10:
        return value
    if when.tzinfo is None:
        return f"{when:%Y-%m-%d %H:%M}"
    return when.astimezone(UTC).isoformat(timespec="minutes")


def _source_phrase(evidence: DatedEvidence) -> dict[str, Any]:
    key = f"library.date_source.{evidence.source}"
    if evidence.source in ("exif_capture", "listed_since") and not evidence.detail:
        key += "_plain"
    return phrase(key, detail=evidence.detail)


def listing_dating(library: LibraryStore, sha256: str, order_date: date | None) -> tuple[dict[str, Any], Any]:
    """(evidence entries, the ``listing_existed`` sentence as a phrase) for the library photo ``sha256``.

    ``listing_before_order`` is None when there is no order date or no dated evidence.
    """
    dated = library.listing_evidence(sha256)
    if dated is None:
        evidence: dict[str, Any] = {"listing_existed_by": None, "listing_before_order": None, "journal_entry": None}
        return evidence, phrase("finding.library.existed.unknown")
    before = existed_before(dated.date, order_date) if order_date is not None else None
    evidence = {
        "listing_existed_by": dated.to_json(),
        "listing_before_order": before,
        "journal_entry": dated.entry.reference(),
    }
    fields: dict[str, Any] = {"date": shown_date(dated.date), "source": _source_phrase(dated)}
    if order_date is None:
        return evidence, phrase("finding.library.existed.no_order", **fields)
    outcome = "before" if before else "not_before"
    return evidence, phrase(f"finding.library.existed.{outcome}", order_date=order_date.isoformat(), **fields)
