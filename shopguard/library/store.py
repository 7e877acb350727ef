"""LibraryStore: the SQLite catalogue of library photos and earlier complaint photos.

One connection per thread (sqlite3 refuses cross-thread use), WAL journal, short transactions.
Only ``shopguard.library`` writes to the database.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from shopguard.errors import HomeError
from shopguard.library import journal
from shopguard.library.descriptor_index import DescriptorIndex
from shopguard.library.features import (
    FEATURES_VERSION,
    INDEX_TABLES,
    LocalFeatures,
    library_index_keys,
    pack_index_keys,
)
from shopguard.library.fingerprint import pack_hashes, unpack_hashes
from shopguard.library.index_file import IndexStamp
from shopguard.library.recovery import library_error, quick_check, record_verified, verified_at
from shopguard.library.schema import migrate, select_in
from shopguard.library.stored_index import HashTable, load_index

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30.0
"""How long a connection waits for another process's write transaction (indexing commits every second)."""


def utc_now() -> str:
    """Current time as an ISO-8601 UTC string (seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class PhotoRecord:
    """One library photo as stored. ``path`` is the path as it was added (absolute)."""

    path: str
    sha256: str
    size_bytes: int
    mtime: float
    format: str
    width: int
    height: int
    hashes: np.ndarray = field(repr=False)
    exif: dict[str, Any] = field(default_factory=dict)
    added_at: str = ""
    status: str = "present"
    id: int | None = None
    listed_since: str | None = None
    listing_url: str | None = None
    features: LocalFeatures | None = field(default=None, repr=False, compare=False)
    """Written by ``upsert`` when set; not loaded by ``photos()`` (see ``LibraryStore.features``)."""

    def to_json(self) -> dict[str, Any]:
        """The ``library list --json`` shape (docs/cli.md)."""
        return {
            "path": self.path,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "file_mtime": datetime.fromtimestamp(self.mtime, UTC).replace(microsecond=0).isoformat(),
            "format": self.format,
            "width": self.width,
            "height": self.height,
            "added_at": self.added_at,
            "status": self.status,
            "exif": self.exif,
            "listed_since": self.listed_since,
            "listing_url": self.listing_url,
        }


@dataclass(frozen=True)
class CasePhotoRecord:
    case_id: str
    name: str
    sha256: str
    hashes: np.ndarray = field(repr=False)
    added_at: str = ""


class LibraryStore:
    """The library database at ``db_path``.

    Raises:
        HomeError: when the database cannot be opened or is not a ShopGuard library.
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self._local = threading.local()
        self._index_cache: tuple[IndexStamp, DescriptorIndex, HashTable] | None = None
        self._checked = False
        self._verified_at: float | None = None
        self._conn()  # open now so a broken file fails early, on the caller's thread

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                self.db_path.parent.mkdir(parents=True, exist_ok=True)
                # timeout = SQLite's busy timeout: the app and a CLI run on one home wait for each other's
                # short write transactions instead of failing with "database is locked".
                conn = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_S)
                if not self._checked:  # once per store: damage gets a message and a way out
                    self._verified_at = verified_at(self.db_path)
                    if self._verified_at is None:  # changed by something else, or not checked for a week
                        quick_check(conn, self.db_path)
                        self._verified_at = time.time()
                        record_verified(self.db_path, self._verified_at)
                    self._checked = True
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
                migrate(conn)
            except sqlite3.Error as exc:
                if conn is not None:
                    conn.close()
                raise library_error(exc, self.db_path) from exc
            except OSError as exc:
                if conn is not None:
                    conn.close()
                raise HomeError("error.library.unusable", path=str(self.db_path), reason=str(exc)) from exc
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction; commits on success, rolls back on error."""
        conn = self._conn()
        try:
            with conn:
                yield conn
        except sqlite3.Error as exc:
            raise HomeError("error.library.unusable", path=str(self.db_path), reason=str(exc)) from exc

    def record_verified(self) -> None:
        """Record the library file as still whole after this process's work on it (call after a command or a
        check that ended normally, once the writes are done): the next open need not read every page again.
        The time of the last full check is kept, so a week after it the file is checked again (recovery.py)."""
        if self._verified_at is None:
            return
        try:  # this process's writes go into the file now, so the record is the file as it stays; the connection
            # (and the write-ahead log's files) stay open: a full disk then fails the next write, not the next open
            self._conn().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:  # busy or failing: no record, the next open reads the file whole
            log.info("library %s not recorded as checked: %s", self.db_path, exc)
            return
        record_verified(self.db_path, self._verified_at, only_if_same_file=True)

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # --- library photos -------------------------------------------------------------------
    def upsert(self, records: Iterable[PhotoRecord]) -> int:
        """Insert or replace photos by path (with their features, when set) in one transaction.

        A photo whose content is new at its path (a new path, or other bytes than stored) gets a journal
        entry with its dates (``journal.py``), in the same transaction. Listing facts already stored for a
        path are kept.

        Returns:
            how many photos were written.
        """
        records = list(records)
        with self.transaction() as conn:
            for r in records:
                before = conn.execute("SELECT sha256 FROM photos WHERE path = ?", (r.path,)).fetchone()
                conn.execute(
                    """INSERT INTO photos(path, sha256, size_bytes, mtime, format, width, height, exif_json,
                                          hashes, added_at, status, listed_since, listing_url)
                       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
                       ON CONFLICT(path) DO UPDATE SET sha256=excluded.sha256, size_bytes=excluded.size_bytes,
                         mtime=excluded.mtime, format=excluded.format, width=excluded.width,
                         height=excluded.height, exif_json=excluded.exif_json, hashes=excluded.hashes,
                         status=excluded.status""",
                    (
                        r.path,
                        r.sha256,
                        r.size_bytes,
                        r.mtime,
                        r.format,
                        r.width,
                        r.height,
                        json.dumps(r.exif, ensure_ascii=False),
                        pack_hashes(r.hashes),
                        r.added_at or utc_now(),
                        r.status,
                        r.listed_since,
                        r.listing_url,
                    ),
                )
                if before is None or before[0] != r.sha256:
                    now = utc_now()
                    dates = journal.photo_dates(r.exif, r.mtime, now, r.listed_since, r.listing_url)
                    journal.append(conn, "added" if before is None else "changed", r.path, r.sha256, dates, now)
                if r.features is not None:
                    photo_id = conn.execute("SELECT id FROM photos WHERE path = ?", (r.path,)).fetchone()[0]
                    points, descriptors = r.features.pack()
                    keys = library_index_keys(r.features)
                    conn.execute(
                        """INSERT OR REPLACE INTO photo_features(photo_id, work_scale, points, descriptors,
                                                                 index_keys, version) VALUES (?,?,?,?,?,?)""",
                        (
                            photo_id,
                            r.features.work_scale,
                            points,
                            descriptors,
                            pack_index_keys(keys),
                            FEATURES_VERSION,
                        ),
                    )
        return len(records)

    def set_listing(self, paths: Iterable[str], listed_since: str | None, listing_url: str | None) -> int:
        """Record the seller's listing facts (publish date, link) for library photos, each change as a journal
        entry; a None value keeps what is stored. Paths not in the library are skipped.

        Returns:
            how many photos got new listing facts.
        """
        changed = 0
        with self.transaction() as conn:
            for path in paths:
                row = conn.execute(
                    "SELECT sha256, listed_since, listing_url FROM photos WHERE path = ?", (path,)
                ).fetchone()
                if row is None:
                    continue
                since = listed_since if listed_since is not None else row[1]
                url = listing_url if listing_url is not None else row[2]
                if (since, url) == (row[1], row[2]):
                    continue
                conn.execute("UPDATE photos SET listed_since = ?, listing_url = ? WHERE path = ?", (since, url, path))
                dates = {"listed_since": since, "listing_url": url}
                journal.append(conn, "listing", path, row[0], dates, utc_now())
                changed += 1
        return changed

    # --- the journal ----------------------------------------------------------------------
    def journal_head(self) -> journal.JournalEntry | None:
        """The journal's last entry (None when empty)."""
        return journal.head(self._conn())

    def journal_entries(self) -> list[journal.JournalEntry]:
        return journal.entries(self._conn())

    def verify_journal(self) -> journal.ChainCheck:
        """Recompute the journal's hash chain (see ``journal.verify``)."""
        try:
            return journal.verify(self._conn())
        except sqlite3.Error as exc:
            raise HomeError("error.library.unusable", path=str(self.db_path), reason=str(exc)) from exc

    def listing_evidence(self, sha256: str) -> journal.DatedEvidence | None:
        """The earliest plausible date this photo content is known to have existed, with its journal entry."""
        return journal.earliest_evidence(self._conn(), sha256)

    def features(self, photo_ids: Iterable[int]) -> dict[int, LocalFeatures]:
        """Stored local features of the given photos (photos without features are left out)."""
        select = "SELECT photo_id, work_scale, points, descriptors FROM photo_features WHERE photo_id"
        return {
            int(pid): LocalFeatures.unpack(points, desc, float(scale))
            for pid, scale, points, desc in select_in(self._conn(), select, photo_ids)
        }

    def photo_sizes(self, photo_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
        """(width, height) after EXIF orientation, full resolution, of the given photos."""
        select = "SELECT id, width, height FROM photos WHERE id"
        return {int(pid): (int(w), int(h)) for pid, w, h in select_in(self._conn(), select, photo_ids)}

    def photo_by_id(self, photo_id: int) -> PhotoRecord | None:
        cur = self._conn().execute("SELECT * FROM photos WHERE id = ?", (photo_id,))
        row = cur.fetchone()
        return self._record(row, cur.description) if row else None

    def hash_table(self) -> HashTable:
        """(photo ids int64, hashes n x 3 uint64) of every present photo, for the hash shortlist: stored and
        followed with the descriptor index (``descriptor_index``)."""
        return self._current_index()[2]

    def read_hash_table(self, changed_after: int | None = None) -> HashTable:
        """``hash_table`` read from SQLite (only the photos changed after change ``changed_after``, when given)."""
        sql = "SELECT id, hashes FROM photos WHERE status = 'present'"
        args: tuple[int, ...] = ()
        if changed_after is not None:
            sql += " AND id IN (SELECT photo_id FROM index_changes WHERE generation > ?)"
            args = (changed_after,)
        rows = self._conn().execute(sql + " ORDER BY id", args).fetchall()
        if not rows:
            return np.zeros(0, np.int64), np.zeros((0, 3), np.uint64)
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        hashes = np.frombuffer(b"".join(r[1][:24] for r in rows), dtype="<u8").reshape(-1, 3)
        return ids, hashes.astype(np.uint64)

    def descriptor_index(self) -> DescriptorIndex:
        """The descriptor index over every present photo: the one stored with the library, brought up to date
        (stored_index.py), and kept by this object until the library changes.

        Each call reads the library's change counter (one row); the index is opened again only after a change,
        by this process or another one.
        """
        return self._current_index()[1]

    def _current_index(self) -> tuple[IndexStamp, DescriptorIndex, HashTable]:
        current = self._index_cache
        if current is None or current[0] != self.index_state():
            self._index_cache = None  # the stale index goes before the new one is made, not after
            current = self._index_cache = load_index(self)
        return current

    def refresh_index(self) -> None:
        """Bring the stored index up to date after the library changed (``library add``, ``library remove``):
        rewritten when it is missing, stale or carries many changes on top (stored_index.py), else left as it is."""
        self._index_cache = None
        self._index_cache = load_index(self)

    def index_state(self) -> IndexStamp:
        """The library's id, change counter (bumped by triggers at every change the index follows) and schema."""
        conn = self._conn()
        uid, generation = conn.execute("SELECT uid, generation FROM library_state WHERE id = 1").fetchone()
        schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
        return IndexStamp(library_uid=str(uid), generation=int(generation), schema_version=schema)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads that see one state of the library (a read transaction), also while another process writes."""
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield
        finally:
            conn.execute("COMMIT")

    def changed_since(self, generation: int) -> np.ndarray:
        """Ids of the photos changed, added or removed after change ``generation`` (ascending)."""
        rows = self._conn().execute(
            "SELECT photo_id FROM index_changes WHERE generation > ? ORDER BY photo_id", (generation,)
        )
        return np.array([int(r[0]) for r in rows], dtype=np.int64)

    def index_groups(self, changed_after: int | None = None) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """(photo ids, key count per photo, one uint16 key column per table) for every present photo with
        features (only those changed after change ``changed_after``, when given), in ascending photo id order.

        The keys are copied photo by photo into preallocated columns: collecting 100k small blobs first and
        joining them would leave the process heap fragmented by ~100 MB that is never given back.
        """
        conn = self._conn()
        where = "FROM photo_features f JOIN photos p ON p.id = f.photo_id WHERE p.status = 'present'"
        args: tuple[int, ...] = ()
        if changed_after is not None:
            where += " AND f.photo_id IN (SELECT photo_id FROM index_changes WHERE generation > ?)"
            args = (changed_after,)
        total_bytes = int(conn.execute(f"SELECT COALESCE(SUM(length(f.index_keys)), 0) {where}", args).fetchone()[0])
        row_bytes = 2 * INDEX_TABLES
        columns = [np.empty(total_bytes // row_bytes, np.uint16) for _ in range(INDEX_TABLES)]
        photo_ids: list[int] = []
        counts: list[int] = []
        filled = 0
        for photo_id, blob in conn.execute(f"SELECT f.photo_id, f.index_keys {where} ORDER BY f.photo_id", args):
            n = len(blob) // row_bytes
            if filled + n > columns[0].size:  # the library grew between the two statements
                break
            rows = np.frombuffer(blob, np.dtype("<u2"), n * INDEX_TABLES).reshape(n, INDEX_TABLES)
            for column, keys in zip(columns, rows.T, strict=True):
                column[filled : filled + n] = keys
            photo_ids.append(int(photo_id))
            counts.append(n)
            filled += n
        if filled < columns[0].size:
            columns = [column[:filled].copy() for column in columns]
        return np.array(photo_ids, dtype=np.int64), np.array(counts, dtype=np.int64), columns

    def index_entries(self) -> tuple[np.ndarray, np.ndarray]:
        """(photo id per key row, (n, tables) keys): ``index_groups`` as one row per library descriptor."""
        photo_ids, counts, columns = self.index_groups()
        keys = np.stack(columns, axis=1) if columns else np.zeros((0, INDEX_TABLES), np.uint16)
        return np.repeat(photo_ids, counts), keys

    def has_features(self, photo_id: int) -> bool:
        row = self._conn().execute("SELECT 1 FROM photo_features WHERE photo_id = ?", (photo_id,)).fetchone()
        return row is not None

    def outdated_feature_count(self) -> int:
        """Present photos whose features an earlier version computed (``photo_features.version`` below
        FEATURES_VERSION): they match as before until their folder is scanned again."""
        row = (
            self._conn()
            .execute(
                """SELECT COUNT(*) FROM photo_features f INDEXED BY photo_features_outdated
               JOIN photos p ON p.id = f.photo_id WHERE p.status = 'present' AND f.version < ?""",
                (FEATURES_VERSION,),
            )
            .fetchone()
        )
        return int(row[0])

    def has_current_features(self, photo_id: int) -> bool:
        """Whether the photo's features were computed the way this version computes them (FEATURES_VERSION)."""
        # the index holds the version: the row itself has it after the descriptor blobs, in their overflow pages
        row = (
            self._conn()
            .execute(
                "SELECT version FROM photo_features INDEXED BY photo_features_version WHERE photo_id = ?", (photo_id,)
            )
            .fetchone()
        )
        return row is not None and int(row[0]) >= FEATURES_VERSION

    def photos(self, status: str | None = None) -> list[PhotoRecord]:
        """All library photos (optionally only those with ``status``), ordered by path."""
        sql = "SELECT * FROM photos" + (" WHERE status = ?" if status else "") + " ORDER BY path"
        cur = self._conn().execute(sql, (status,) if status else ())
        return [self._record(row, cur.description) for row in cur.fetchall()]

    def photo_by_path(self, path: str) -> PhotoRecord | None:
        cur = self._conn().execute("SELECT * FROM photos WHERE path = ?", (path,))
        row = cur.fetchone()
        return self._record(row, cur.description) if row else None

    def photos_by_sha256(self, sha256: str) -> list[PhotoRecord]:
        cur = self._conn().execute("SELECT * FROM photos WHERE sha256 = ?", (sha256,))
        return [self._record(row, cur.description) for row in cur.fetchall()]

    def set_status(self, paths: Iterable[str], status: str) -> int:
        with self.transaction() as conn:
            cur = conn.executemany("UPDATE photos SET status = ? WHERE path = ?", [(status, p) for p in paths])
            return cur.rowcount

    def remove(self, paths: Iterable[str]) -> int:
        """Forget the files at ``paths``. A photo whose content is also at another location stays in the
        library, at that location. Returns how many files were forgotten."""
        paths = list(paths)
        with self.transaction() as conn:
            removed = conn.executemany("DELETE FROM photo_locations WHERE path = ?", [(p,) for p in paths]).rowcount
            for path in paths:
                row = conn.execute("SELECT id FROM photos WHERE path = ?", (path,)).fetchone()
                if row is not None:
                    removed += 1
                    if not self._move_to_other_location(conn, int(row[0])):
                        conn.execute("DELETE FROM photos WHERE id = ?", (row[0],))
            return removed

    # --- one photo, several locations -----------------------------------------------------
    def photo_with_content(self, sha256: str, other_than: str) -> PhotoRecord | None:
        """The present library photo with this content (SHA-256) at a path other than ``other_than``."""
        cur = self._conn().execute(
            "SELECT * FROM photos WHERE sha256 = ? AND path != ? AND status = 'present' ORDER BY id LIMIT 1",
            (sha256, other_than),
        )
        row = cur.fetchone()
        return self._record(row, cur.description) if row else None

    def add_location(self, photo_id: int, path: str, size_bytes: int, mtime: float) -> None:
        """Record ``path`` as one more file holding the content of library photo ``photo_id``."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO photo_locations(path, photo_id, size_bytes, mtime) VALUES (?,?,?,?)",
                (path, photo_id, size_bytes, mtime),
            )

    def location(self, path: str) -> tuple[int, int, float] | None:
        """(photo id, size in bytes, mtime) when ``path`` is another location of a library photo."""
        row = (
            self._conn()
            .execute("SELECT photo_id, size_bytes, mtime FROM photo_locations WHERE path = ?", (path,))
            .fetchone()
        )
        return (int(row[0]), int(row[1]), float(row[2])) if row else None

    def locations(self) -> dict[int, list[str]]:
        """Every photo's other locations (photo id -> paths, sorted); photos with one location are left out."""
        found: dict[int, list[str]] = {}
        for photo_id, path in self._conn().execute("SELECT photo_id, path FROM photo_locations ORDER BY path"):
            found.setdefault(int(photo_id), []).append(str(path))
        return found

    def mark_gone(self, paths: Iterable[str]) -> int:
        """Files that are gone from disk: a photo still at another location moves there; otherwise the photo is
        marked ``missing`` (never dropped silently). Returns how many photos were marked missing."""
        missing = 0
        with self.transaction() as conn:
            for path in paths:
                conn.execute("DELETE FROM photo_locations WHERE path = ?", (path,))
                row = conn.execute("SELECT id FROM photos WHERE path = ?", (path,)).fetchone()
                if row is not None and not self._move_to_other_location(conn, int(row[0])):
                    missing += conn.execute("UPDATE photos SET status = 'missing' WHERE id = ?", (row[0],)).rowcount
        return missing

    @staticmethod
    def _move_to_other_location(conn: sqlite3.Connection, photo_id: int) -> bool:
        """Make the photo's first other location its path (the location row goes); False when it has none."""
        row = conn.execute(
            "SELECT path, size_bytes, mtime FROM photo_locations WHERE photo_id = ? ORDER BY path LIMIT 1",
            (photo_id,),
        ).fetchone()
        if row is None:
            return False
        conn.execute("DELETE FROM photo_locations WHERE path = ?", (row[0],))
        conn.execute(
            "UPDATE photos SET path = ?, size_bytes = ?, mtime = ?, status = 'present' WHERE id = ?",
            (row[0], row[1], row[2], photo_id),
        )
        return True

    def count(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM photos").fetchone()[0])

    @staticmethod
    def _record(row: tuple[Any, ...], description: Any) -> PhotoRecord:
        d = {col[0]: value for col, value in zip(description, row, strict=True)}
        return PhotoRecord(
            path=d["path"],
            sha256=d["sha256"],
            size_bytes=d["size_bytes"],
            mtime=d["mtime"],
            format=d["format"],
            width=d["width"],
            height=d["height"],
            hashes=unpack_hashes(d["hashes"]),
            exif=json.loads(d["exif_json"] or "{}"),
            added_at=d["added_at"],
            status=d["status"],
            id=d["id"],
            listed_since=d.get("listed_since"),
            listing_url=d.get("listing_url"),
        )

    # --- complaint photos of earlier cases -------------------------------------------------
    def add_case_photo(self, record: CasePhotoRecord) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO case_photos(case_id, name, sha256, hashes, added_at) VALUES (?,?,?,?,?)",
                (
                    record.case_id,
                    record.name,
                    record.sha256,
                    pack_hashes(record.hashes),
                    record.added_at or utc_now(),
                ),
            )

    def case_photos(self) -> list[CasePhotoRecord]:
        rows = (
            self._conn()
            .execute("SELECT case_id, name, sha256, hashes, added_at FROM case_photos ORDER BY id")
            .fetchall()
        )
        return [CasePhotoRecord(r[0], r[1], r[2], unpack_hashes(r[3]), r[4]) for r in rows]

    def remove_case(self, case_id: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM case_photos WHERE case_id = ?", (case_id,))
