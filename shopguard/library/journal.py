"""The library journal: an append-only, hash-chained record of when each library photo was first seen.

Every addition of a photo's content (a new path, or a file whose bytes changed) and every listing date the
seller enters becomes one entry: the photo's SHA-256, the dates known for it with the source of each, and
the hash of the previous entry. An entry's own hash covers all of that, so editing, removing or re-ordering
any entry breaks the chain from there on (``verify``). The SQLite triggers stop accidental edits; the chain
is what makes a deliberate one visible: each case records the head it was checked against, and each report
prints it, so a library rewritten after a report no longer reproduces that head.

Dates kept per entry (``dates``): ``exif_capture`` + ``camera`` (the photo's own EXIF), ``file_modified``
(the file's modification time when read), ``first_seen`` (when the library recorded it) and ``listed_since``
+ ``listing_url`` (entered by the seller). ``earliest_evidence`` picks the earliest plausible one.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shopguard.errors import HomeError

GENESIS_HASH = "0" * 64
"""``prev_hash`` of the first entry."""

SOURCES = ("exif_capture", "file_modified", "first_seen", "listed_since")
"""Where a date comes from (``listing_existed_by.source``; docs/cli.md)."""

EARLIEST_PLAUSIBLE = date(2000, 1, 2)
"""Dates before this are not evidence: a camera whose clock battery ran out restarts at its factory date
(commonly 2000-01-01 or earlier), and a file time of 0 reads as 1970-01-01."""

CLOCK_SLACK = timedelta(days=1)
"""A date later than the moment it was recorded (plus a day for time zones: EXIF times carry none) comes
from a clock set wrong, and is no evidence that the photo existed then."""

TABLE_STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS library_journal (
        seq INTEGER PRIMARY KEY,
        recorded_at TEXT NOT NULL,
        event TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        dates_json TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        entry_hash TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS library_journal_sha256 ON library_journal(sha256)",
    """CREATE TRIGGER IF NOT EXISTS library_journal_no_update BEFORE UPDATE ON library_journal
       BEGIN SELECT RAISE(ABORT, 'the library journal is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS library_journal_no_delete BEFORE DELETE ON library_journal
       BEGIN SELECT RAISE(ABORT, 'the library journal is append-only'); END""",
)


def photo_dates(
    exif: Mapping[str, Any],
    mtime: float | None,
    first_seen: str,
    listed_since: str | None = None,
    listing_url: str | None = None,
) -> dict[str, Any]:
    """The ``dates`` of an entry from what the indexer read (``exif_basics``) and what the seller entered."""
    camera = " ".join(str(exif[k]) for k in ("make", "model") if exif.get(k))
    capture = exif.get("datetime_original") or exif.get("datetime_digitized")
    modified = datetime.fromtimestamp(mtime, UTC).replace(microsecond=0).isoformat() if mtime else None
    return {
        "exif_capture": capture,
        "camera": camera if capture else None,
        "file_modified": modified,
        "first_seen": first_seen,
        "listed_since": listed_since,
        "listing_url": listing_url,
    }


class JournalBrokenError(HomeError):
    """The journal's hash chain does not hold (exit code 4, like a damaged library; docs/cli.md)."""

    default_key = "error.journal.broken"


@dataclass(frozen=True)
class JournalEntry:
    """One journal entry as stored."""

    seq: int
    recorded_at: str
    event: str
    path: str
    sha256: str
    dates: Mapping[str, Any]
    prev_hash: str
    entry_hash: str

    def reference(self) -> dict[str, Any]:
        """The ``journal_entry`` evidence shape (docs/cli.md)."""
        return {
            "seq": self.seq,
            "sha256": self.sha256,
            "prev_hash": self.prev_hash,
            "entry_hash": self.entry_hash,
            "recorded_at": self.recorded_at,
        }


@dataclass(frozen=True)
class DatedEvidence:
    """The earliest date a library photo's content is known to have existed, where it comes from, and the
    journal entry that records it."""

    date: str
    source: str
    detail: str
    entry: JournalEntry

    def to_json(self) -> dict[str, str]:
        """The ``listing_existed_by`` evidence shape (docs/cli.md)."""
        return {"date": self.date, "source": self.source, "detail": self.detail}


@dataclass(frozen=True)
class ChainCheck:
    """The result of ``verify``: ``problem`` is None when the chain is whole."""

    entries: int
    head: JournalEntry | None
    broken_at: int | None = None
    problem: str | None = None

    @property
    def is_ok(self) -> bool:
        return self.problem is None


def entry_hash(
    seq: int, recorded_at: str, event: str, path: str, sha256: str, dates: Mapping[str, Any], prev_hash: str
) -> str:
    """SHA-256 of the entry's canonical JSON (sorted keys, no spaces, UTF-8)."""
    body = {
        "seq": seq,
        "recorded_at": recorded_at,
        "event": event,
        "path": path,
        "sha256": sha256,
        "dates": dict(dates),
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _entry(row: tuple[Any, ...]) -> JournalEntry:
    seq, recorded_at, event, path, sha256, dates_json, prev_hash, hash_ = row
    return JournalEntry(int(seq), recorded_at, event, path, sha256, json.loads(dates_json), prev_hash, hash_)


_COLUMNS = "seq, recorded_at, event, path, sha256, dates_json, prev_hash, entry_hash"


def head(conn: sqlite3.Connection) -> JournalEntry | None:
    """The last entry, or None for an empty journal."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM library_journal ORDER BY seq DESC LIMIT 1").fetchone()
    return _entry(row) if row else None


def append(
    conn: sqlite3.Connection, event: str, path: str, sha256: str, dates: Mapping[str, Any], recorded_at: str
) -> JournalEntry:
    """Add one entry after the current head. Call inside a write transaction that has already written (so
    the write lock is held and no other writer can append between reading the head and inserting)."""
    last = conn.execute("SELECT seq, entry_hash FROM library_journal ORDER BY seq DESC LIMIT 1").fetchone()
    seq = int(last[0]) + 1 if last else 1
    prev = str(last[1]) if last else GENESIS_HASH
    clean = {k: v for k, v in dates.items() if v not in (None, "")}
    hash_ = entry_hash(seq, recorded_at, event, path, sha256, clean, prev)
    conn.execute(
        f"INSERT INTO library_journal({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
        (seq, recorded_at, event, path, sha256, json.dumps(clean, ensure_ascii=False, sort_keys=True), prev, hash_),
    )
    return JournalEntry(seq, recorded_at, event, path, sha256, clean, prev, hash_)


def entries(conn: sqlite3.Connection, sha256: str | None = None) -> list[JournalEntry]:
    """Entries in order (all, or those of one photo content)."""
    if sha256 is None:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM library_journal ORDER BY seq").fetchall()
    else:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM library_journal WHERE sha256 = ? ORDER BY seq", (sha256,)
        ).fetchall()
    return [_entry(r) for r in rows]


def verify(conn: sqlite3.Connection) -> ChainCheck:
    """Recompute the chain: sequence numbers without gaps, each ``prev_hash`` the previous entry's hash, each
    ``entry_hash`` the hash of its own content.

    Returns:
        the first problem found (its entry number and a plain reason), or a whole chain.
    """
    count = 0
    previous: JournalEntry | None = None
    for raw in conn.execute(f"SELECT {_COLUMNS} FROM library_journal ORDER BY seq"):
        try:
            e = _entry(raw)
        except (ValueError, TypeError):
            return ChainCheck(count, previous, int(raw[0]), "unreadable")
        expected_seq = previous.seq + 1 if previous else 1
        expected_prev = previous.entry_hash if previous else GENESIS_HASH
        if e.seq != expected_seq:
            return ChainCheck(count, previous, expected_seq, "missing")
        if e.prev_hash != expected_prev:
            return ChainCheck(count, previous, e.seq, "out-of-order")
        if entry_hash(e.seq, e.recorded_at, e.event, e.path, e.sha256, e.dates, e.prev_hash) != e.entry_hash:
            return ChainCheck(count, previous, e.seq, "edited")
        previous = e
        count += 1
    return ChainCheck(count, previous)


def parse_when(value: str) -> datetime | None:
    """An ISO date, an ISO date-time, or an EXIF ``YYYY:MM:DD HH:MM:SS`` time; None when unreadable."""
    text = value.strip()
    if len(text) >= 10 and text[4] == ":" and text[7] == ":":  # EXIF 2.3 §4.6.5: "YYYY:MM:DD HH:MM:SS"
        text = text[:4] + "-" + text[5:7] + "-" + text[8:]
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _instant(when: datetime) -> datetime:
    """A sortable UTC instant; times without a zone (EXIF, dates) are taken as UTC."""
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _iso(when: datetime, raw: str) -> str:
    if len(raw.strip()) == 10:  # a bare date stays a date
        return when.date().isoformat()
    return when.isoformat()


def _candidates(e: JournalEntry) -> list[tuple[str, str, str]]:
    """(date as stored, source, detail) of every date this entry holds."""
    d = e.dates
    details = {"exif_capture": "camera", "listed_since": "listing_url"}
    return [
        (str(d[source]), source, str(d.get(details.get(source, ""), "") or "")) for source in SOURCES if d.get(source)
    ]


def earliest_evidence(conn: sqlite3.Connection, sha256: str) -> DatedEvidence | None:
    """The earliest plausible date (see ``EARLIEST_PLAUSIBLE``, ``CLOCK_SLACK``) recorded for this photo
    content, over every entry with its SHA-256 (the same bytes under another name count too)."""
    best: tuple[datetime, DatedEvidence] | None = None
    for e in entries(conn, sha256):
        recorded = parse_when(e.recorded_at)
        for raw, source, detail in _candidates(e):
            when = parse_when(raw) if raw else None
            if when is None or when.date() < EARLIEST_PLAUSIBLE:
                continue
            if recorded is not None and source != "first_seen" and _instant(when) > _instant(recorded) + CLOCK_SLACK:
                continue
            instant = _instant(when)
            if best is None or instant < best[0]:
                best = (instant, DatedEvidence(_iso(when, raw), source, detail, e))
    return best[1] if best else None


LATEST_ZONE = timedelta(hours=14)
"""Time zones run from UTC-12 to UTC+14: a UTC time is before a calendar date everywhere only when it is
before that date's midnight at UTC+14."""


def existed_before(existed_by: str, order_date: date) -> bool:
    """Whether a date-time (or date) from ``DatedEvidence.date`` lies before ``order_date``, wherever the
    order was placed. A time without a zone (EXIF) is compared by its calendar date, as the camera showed it."""
    when = parse_when(existed_by)
    if when is None:
        return False
    if when.tzinfo is None:
        return when.date() < order_date
    order_start = datetime(order_date.year, order_date.month, order_date.day, tzinfo=UTC) - LATEST_ZONE
    return when < order_start


def now_utc() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
