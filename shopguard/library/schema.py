"""The library database schema as numbered migrations (applied in order, never edited once shipped)."""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[str, ...] = (
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
)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring ``conn`` to the newest schema; returns the version now in force."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for number, script in enumerate(MIGRATIONS, start=1):
        if number <= version:
            continue
        with conn:
            conn.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
        version = number
    return version
