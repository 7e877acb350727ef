"""Damaged library databases: detect them on open, set them aside, salvage the list of photo folders.

SQLite survives crashes and power loss in WAL mode, but not a disk that returns wrong bytes, a copy taken
mid-write or a file truncated by a sync tool. ``PRAGMA quick_check`` (https://sqlite.org/pragma.html#pragma_quick_check)
finds such damage in O(database size) without the index cross-checks of ``integrity_check``. The library holds
only data derived from the seller's own photo folders, so the recovery is a rebuild from those folders; cases
live in their own folders and are never touched by it.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from shopguard.errors import HomeError

log = logging.getLogger(__name__)

REVERIFY_AFTER_S = 7 * 24 * 3600
"""A library file that passed ``quick_check`` is checked again on open once this old, changed or not: damage from
the disk itself (a sector returning other bytes) leaves the file's size and time as they were."""


def is_damage(exc: sqlite3.Error) -> bool:
    """SQLite's own verdict on the file ("file is not a database", "database disk image is malformed"), as
    opposed to a locked, missing or unwritable one (``OperationalError``)."""
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


def library_error(exc: sqlite3.Error, db_path: Path) -> HomeError:
    """The message for a failed open: damaged (rebuild) or unusable (locked, missing, no permission)."""
    key = "error.library.damaged" if is_damage(exc) else "error.library.unusable"
    return HomeError(key, path=str(db_path), reason=str(exc))


def quick_check(conn: sqlite3.Connection, db_path: Path) -> None:
    """Refuse a damaged database with a message that names the way out.

    Raises:
        HomeError: ``error.library.damaged`` when SQLite reports damage (or cannot read the file at all).
    """
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise library_error(exc, db_path) from exc
    problems = [str(row[0]) for row in rows if row and row[0] != "ok"]
    if problems:
        log.error("library %s failed quick_check: %.2000s", db_path, problems)
        first = problems[0].replace("*** in database main ***", "").strip().splitlines()[0]
        raise HomeError("error.library.damaged", path=str(db_path), reason=first[:200])


def verified_path(db_path: Path) -> Path:
    """Where the last passed ``quick_check`` is recorded: the file's identity (device, inode), size and time."""
    return db_path.with_name(db_path.name + ".verified")


def _identity(db_path: Path) -> dict[str, int] | None:
    try:
        st = db_path.stat()
    except OSError:
        return None
    return {"dev": st.st_dev, "ino": st.st_ino, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def verified_at(db_path: Path) -> float | None:
    """When the library file was last found whole (Unix time), if nothing but ShopGuard changed it since and that
    was under ``REVERIFY_AFTER_S`` ago; else None (run ``quick_check``).

    ``quick_check`` reads every page: 1-2 s of CPU for a 3.7 GB library of 100k photos, on every command and
    every check in the app. A file copied, replaced, truncated or written by anything else since has another
    identity, size or time and is checked again; so is one whose record is missing or unreadable.
    """
    try:
        record = json.loads(verified_path(db_path).read_text(encoding="utf-8"))
        checked = float(record["checked_at"])
        same = record["file"] == _identity(db_path)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return checked if same and 0 <= time.time() - checked < REVERIFY_AFTER_S else None


def record_verified(db_path: Path, checked_at: float, only_if_same_file: bool = False) -> None:
    """Record that the library file is whole as it is now (found whole at ``checked_at``; changed since only by
    this process's own SQLite writes). With ``only_if_same_file``, not when the file was replaced meanwhile (a
    new inode: no longer the file that was checked). A home that cannot take the record just checks again."""
    identity = _identity(db_path)
    if identity is None:
        return
    path = verified_path(db_path)
    if only_if_same_file:
        try:
            before = json.loads(path.read_text(encoding="utf-8"))["file"]
        except (OSError, ValueError, KeyError, TypeError):
            return
        if not isinstance(before, dict) or (before.get("dev"), before.get("ino")) != (identity["dev"], identity["ino"]):
            return
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps({"file": identity, "checked_at": checked_at}), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        log.info("could not record the library check in %s: %s", path, exc)
        tmp.unlink(missing_ok=True)


def salvage_paths(db_path: Path) -> list[str]:
    """Photo paths still readable from a (possibly damaged) library database; empty when none are.

    Read twice, through the table and through its unique index on ``path`` (a separate b-tree, often intact
    when the table's pages are not), keeping whatever each scan returns before it meets damage.
    """
    if not db_path.exists():
        return []
    paths: dict[str, None] = {}
    for sql in ("SELECT path FROM photos", "SELECT path FROM photos INDEXED BY sqlite_autoindex_photos_1"):
        try:
            with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as conn:
                for (path,) in conn.execute(sql):
                    if isinstance(path, str):
                        paths[path] = None
        except sqlite3.DatabaseError as exc:  # the damage stops this scan part way: keep what was read
            log.warning("salvaging paths from %s: %s", db_path, exc)
    return list(paths)


def photo_folders(paths: list[str]) -> list[Path]:
    """The smallest set of folders holding ``paths``: each photo's folder, minus folders inside another."""
    folders = sorted({Path(p).parent for p in paths})
    kept: list[Path] = []
    for folder in folders:
        if not any(folder.is_relative_to(parent) for parent in kept):
            kept.append(folder)
    return kept


def set_aside(db_path: Path) -> Path | None:
    """Rename the database (with its WAL and shared-memory files) to ``<name>.damaged-<UTC time>``; returns
    the new name, or None when there was no database.

    Raises:
        HomeError: when the files cannot be renamed.
    """
    if not db_path.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
    try:
        for suffix in ("-wal", "-shm"):
            side = db_path.with_name(db_path.name + suffix)
            if side.exists():
                side.replace(target.with_name(target.name + suffix))
        db_path.replace(target)
    except OSError as exc:
        raise HomeError("error.library.unusable", path=str(db_path), reason=exc.strerror or str(exc)) from exc
    return target
