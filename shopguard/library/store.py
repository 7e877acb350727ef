"""LibraryStore: the SQLite catalogue of library photos and earlier complaint photos.

One connection per thread (sqlite3 refuses cross-thread use), WAL journal, short transactions.
Only ``shopguard.library`` writes to the database.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from shopguard.errors import HomeError
from shopguard.library.descriptor_index import DescriptorIndex
from shopguard.library.features import (
    FEATURES_VERSION,
    INDEX_TABLES,
    LocalFeatures,
    library_index_keys,
    pack_index_keys,
)
from shopguard.library.fingerprint import pack_hashes, unpack_hashes
from shopguard.library.recovery import library_error, quick_check
from shopguard.library.schema import migrate, select_in

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
        self._writes = 0
        self._index_cache: tuple[tuple[int, int], DescriptorIndex] | None = None
        self._checked = False
        self._conn()  # open now so a broken file fails early, on the caller's thread

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                self.db_path.parent.mkdir(parents=True, exist_ok=True)
                # timeout = SQLite's busy timeout: the app and a CLI run on one home wait for each other's
                # short write transactions instead of failing with "database is locked".
                conn = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_S)
                if not self._checked:
                    quick_check(conn, self.db_path)  # once per store: damage gets a message and a way out
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
        self._writes += 1
        try:
            with conn:
                yield conn
        except sqlite3.Error as exc:
            raise HomeError("error.library.unusable", path=str(self.db_path), reason=str(exc)) from exc

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # --- library photos -------------------------------------------------------------------
    def upsert(self, records: Iterable[PhotoRecord]) -> int:
        """Insert or replace photos by path (with their features, when set) in one transaction.

        Returns:
            how many photos were written.
        """
        records = list(records)
        with self.transaction() as conn:
            for r in records:
                conn.execute(
                    """INSERT INTO photos(path, sha256, size_bytes, mtime, format, width, height, exif_json,
                                          hashes, added_at, status)
                       VALUES (?,?,?,?,?,?,?,?,?,?,?)
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
                    ),
                )
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

    def hash_table(self) -> tuple[np.ndarray, np.ndarray]:
        """(photo ids int64, hashes n x 3 uint64) of every present photo, for the hash shortlist."""
        rows = self._conn().execute("SELECT id, hashes FROM photos WHERE status = 'present' ORDER BY id").fetchall()
        if not rows:
            return np.zeros(0, np.int64), np.zeros((0, 3), np.uint64)
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        hashes = np.frombuffer(b"".join(r[1][:24] for r in rows), dtype="<u8").reshape(-1, 3)
        return ids, hashes.astype(np.uint64)

    def descriptor_index(self) -> DescriptorIndex:
        """The descriptor index over every present photo, rebuilt only after the library changed.

        Building it reads every photo's keys (seconds at 100k photos); a check run reuses it. Changes by
        other connections are seen through SQLite's ``data_version``, this object's own writes by a counter.
        """
        version = (int(self._conn().execute("PRAGMA data_version").fetchone()[0]), self._writes)
        if self._index_cache is None or self._index_cache[0] != version:
            self._index_cache = None  # the stale index goes before the new one is built, not after
            self._index_cache = (version, DescriptorIndex.from_groups(*self.index_groups()))
        return self._index_cache[1]

    def index_groups(self) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """(photo ids, key count per photo, one uint16 key column per table) for every present photo with
        features, in ascending photo id order.

        The keys are copied photo by photo into preallocated columns: collecting 100k small blobs first and
        joining them would leave the process heap fragmented by ~100 MB that is never given back.
        """
        conn = self._conn()
        where = "FROM photo_features f JOIN photos p ON p.id = f.photo_id WHERE p.status = 'present'"
        total_bytes = int(conn.execute(f"SELECT COALESCE(SUM(length(f.index_keys)), 0) {where}").fetchone()[0])
        row_bytes = 2 * INDEX_TABLES
        columns = [np.empty(total_bytes // row_bytes, np.uint16) for _ in range(INDEX_TABLES)]
        photo_ids: list[int] = []
        counts: list[int] = []
        filled = 0
        for photo_id, blob in conn.execute(f"SELECT f.photo_id, f.index_keys {where} ORDER BY f.photo_id"):
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
                """SELECT COUNT(*) FROM photo_features f INDEXED BY photo_features_version
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
        with self.transaction() as conn:
            cur = conn.executemany("DELETE FROM photos WHERE path = ?", [(p,) for p in paths])
            return cur.rowcount

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
