"""The library database schema as numbered migrations (applied in order, never edited once shipped)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from shopguard.library import journal
from shopguard.library.features import LocalFeatures, library_index_keys, pack_index_keys

ID_CHUNK = 500
"""Ids per ``IN (...)`` list: well under SQLite's limit on bound parameters."""


def select_in(conn: sqlite3.Connection, select: str, ids: Iterable[int]) -> Iterator[tuple[Any, ...]]:
    """Rows of ``select`` (ending in "WHERE <id column>") for the given ids, ``ID_CHUNK`` ids per statement."""
    ids = list(ids)
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        yield from conn.execute(f"{select} IN ({','.join('?' * len(chunk))})", chunk).fetchall()


def _recompute_index_keys(conn: sqlite3.Connection) -> None:
    """Every photo's index keys recomputed the way this version takes them (``features.library_index_keys``) from
    the stored keypoints and descriptors: no photo is read again."""
    ids = [int(row[0]) for row in conn.execute("SELECT photo_id FROM photo_features")]
    select = "SELECT photo_id, work_scale, points, descriptors FROM photo_features WHERE photo_id"
    for start in range(0, len(ids), ID_CHUNK):
        rows = select_in(conn, select, ids[start : start + ID_CHUNK])
        conn.executemany(
            "UPDATE photo_features SET index_keys = ? WHERE photo_id = ?",
            [
                (pack_index_keys(library_index_keys(LocalFeatures.unpack(points, desc, float(scale)))), pid)
                for pid, scale, points, desc in rows
            ],
        )


def _features_version_column(conn: sqlite3.Connection) -> None:
    """Add ``photo_features.version`` (1 for the rows there). Checked first: a library whose version number was
    set back by hand keeps working."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(photo_features)")}
    if "version" not in columns:
        conn.execute("ALTER TABLE photo_features ADD COLUMN version INTEGER NOT NULL DEFAULT 1")
    # The column sits after the descriptor blobs, in their overflow pages: a covering index keeps a re-scan's
    # per-photo check and the count of outdated photos from reading every photo's features.
    conn.execute("CREATE INDEX IF NOT EXISTS photo_features_version ON photo_features(photo_id, version)")


def _journal(conn: sqlite3.Connection) -> None:
    """The append-only library journal (``journal.py``) and the seller's listing facts per photo. Photos already
    in the library get one ``imported`` entry each, with the dates the library held for them (when it first saw
    them, their file time, their EXIF capture time). Checked first, like ``_features_version_column``."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(photos)")}
    for column in ("listed_since", "listing_url"):
        if column not in columns:
            conn.execute(f"ALTER TABLE photos ADD COLUMN {column} TEXT")
    for statement in journal.TABLE_STATEMENTS:
        conn.execute(statement)
    if journal.head(conn) is not None:
        return
    recorded_at = journal.now_utc()
    rows = conn.execute("SELECT path, sha256, mtime, exif_json, added_at FROM photos ORDER BY id").fetchall()
    for path, sha256, mtime, exif_json, added_at in rows:
        try:
            exif = json.loads(exif_json or "{}")
        except ValueError:
            exif = {}
        dates = journal.photo_dates(exif if isinstance(exif, dict) else {}, mtime, added_at)
        journal.append(conn, "imported", path, sha256, dates, recorded_at)


MIGRATIONS: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
    # 1: library photos and complaint photos seen in earlier cases
    """
    CREATE TABLE photos (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        sha256 TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        mtime REAL NOT NULL,
        format TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        exif_json TEXT NOT NULL DEFAULT '{}',
        hashes BLOB NOT NULL,
        added_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'present'
    );
    CREATE INDEX photos_sha256 ON photos(sha256);
    CREATE TABLE case_photos (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL,
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        hashes BLOB NOT NULL,
        added_at TEXT NOT NULL,
        UNIQUE(case_id, sha256)
    );
    CREATE INDEX case_photos_sha256 ON case_photos(sha256);
    """,
    # 2: local features for geometric verification and the shortlist index (one row per photo,
    # written in the same transaction as the photo row, so a killed indexing run leaves no half rows)
    """
    CREATE TABLE photo_features (
        photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
        work_scale REAL NOT NULL,
        points BLOB NOT NULL,
        descriptors BLOB NOT NULL,
        index_keys BLOB NOT NULL
    );
    """,
    # 3: the shortlist index takes keypoints spread over the photo (were the 200 strongest)
    _recompute_index_keys,
    # 4: how each photo's features were computed (features.FEATURES_VERSION); rows made before are version 1 and
    # are refreshed when their folder is scanned again (they keep working meanwhile)
    _features_version_column,
    # 5: ...spread over the photo's 450 strongest stored keypoints (features.INDEX_FROM)
    _recompute_index_keys,
    # 6: the library journal (when each photo was first seen, hash-chained) and listing facts per photo
    _journal,
    # 7: more places the same photo content (same SHA-256) was added from: one library photo, several files
    """
    CREATE TABLE IF NOT EXISTS photo_locations (
        path TEXT PRIMARY KEY,
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        size_bytes INTEGER NOT NULL,
        mtime REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS photo_locations_photo ON photo_locations(photo_id);
    """,
    # 8: what the stored descriptor index and hash table (stored_index.py) need to follow the library: an id made
    # once per library, a counter bumped by every change of what they hold, and the counter at each photo's last
    # change. Triggers keep them, so every writer does, also a ShopGuard from before this schema. (DELETE then
    # INSERT, not INSERT OR REPLACE: a trigger's conflict clause gives way to the outer statement's, an upsert's)
    """
    CREATE TABLE IF NOT EXISTS library_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        uid TEXT NOT NULL,
        generation INTEGER NOT NULL
    );
    INSERT OR IGNORE INTO library_state(id, uid, generation) VALUES (1, lower(hex(randomblob(16))), 0);
    CREATE TABLE IF NOT EXISTS index_changes (
        photo_id INTEGER PRIMARY KEY,
        generation INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS index_changes_generation ON index_changes(generation);
    -- photos described by an earlier version, counted at every check (store.outdated_feature_count): a range of
    -- this index, usually empty, instead of a pass over every photo's (photo_id, version) (~40 ms at 100k)
    CREATE INDEX IF NOT EXISTS photo_features_outdated ON photo_features(version, photo_id);
    """
    + "".join(
        f"""
    CREATE TRIGGER IF NOT EXISTS index_change_{name} AFTER {event} {condition}
    BEGIN
        UPDATE library_state SET generation = generation + 1;
        DELETE FROM index_changes WHERE photo_id = {row};
        INSERT INTO index_changes(photo_id, generation) VALUES ({row}, (SELECT generation FROM library_state));
    END;
    """
        for name, event, condition, row in (
            ("features_added", "INSERT ON photo_features", "", "NEW.photo_id"),
            ("features_changed", "UPDATE OF index_keys ON photo_features", "", "NEW.photo_id"),
            ("features_removed", "DELETE ON photo_features", "", "OLD.photo_id"),
            ("status_changed", "UPDATE OF status ON photos", "WHEN OLD.status IS NOT NEW.status", "NEW.id"),
            ("photo_added", "INSERT ON photos", "", "NEW.id"),
            ("hashes_changed", "UPDATE OF hashes ON photos", "WHEN OLD.hashes IS NOT NEW.hashes", "NEW.id"),
            ("photo_removed", "DELETE ON photos", "", "OLD.id"),
        )
    ),
)


def needs_upgrade(db_path: Path) -> bool:
    """Whether ``db_path`` is a library made by an earlier version, whose first opening will migrate it (a
    data migration takes ~0.16 ms per photo: callers with a user waiting open it off their UI thread)."""
    if not db_path.is_file():
        return False
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return False  # opening it for real reports the problem
    return 0 < version < len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring ``conn`` to the newest schema; returns the version now in force."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for number, step in enumerate(MIGRATIONS, start=1):
        if number <= version:
            continue
        if isinstance(step, str):
            with conn:
                conn.executescript(f"BEGIN; {step}; PRAGMA user_version = {number}; COMMIT;")
        else:  # a data migration in Python: all or nothing, like the SQL ones
            conn.commit()
            conn.execute("BEGIN IMMEDIATE")
            try:
                if int(conn.execute("PRAGMA user_version").fetchone()[0]) < number:  # not done meanwhile
                    step(conn)
                    conn.execute(f"PRAGMA user_version = {number}")
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
        version = number
    return version
