"""A damaged library database is refused on open with a way out, and rebuilt from its folders; cases untouched."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest

from shopguard.cli.main import main
from shopguard.errors import HomeError
from shopguard.library.recovery import REVERIFY_AFTER_S, verified_at, verified_path
from shopguard.library.store import LibraryStore


def _damage(db: Path) -> None:
    """Overwrite the b-tree pages of the features table with garbage, as a failing disk sector would."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = int(conn.execute("PRAGMA page_size").fetchone()[0])
        root = int(conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'photo_features'").fetchone()[0])
    data = bytearray(db.read_bytes())
    start = (root - 1) * page
    data[start + 8 : start + page] = bytes(i % 251 for i in range(page - 8))
    db.write_bytes(bytes(data))


def _home_with_a_case(demo: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, bytes]:
    assert main(["--home", str(home), "library", "add", str(demo / "library"), "--workers", "1"]) == 0
    complaint = sorted((demo / "complaints").glob("*.jpg"))[0]
    capsys.readouterr()
    assert main(["--home", str(home), "check", str(complaint), "--json"]) == 0
    case_id = json.loads(capsys.readouterr().out)["case_id"]
    count = LibraryStore(home / "library.sqlite3").count()
    return count, case_id, (home / "cases" / case_id / "case.json").read_bytes()


def test_a_damaged_library_says_how_to_recover_and_rebuild_keeps_the_cases(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    count, case_id, case_json = _home_with_a_case(demo, home, capsys)
    db = home / "library.sqlite3"
    _damage(db)

    with pytest.raises(HomeError) as caught:
        LibraryStore(db)
    assert caught.value.message_key == "error.library.damaged"
    assert main(["--home", str(home), "library", "list"]) == 4
    err = capsys.readouterr().err
    assert "is damaged" in err and "shopguard library rebuild" in err and "cases are safe" in err

    assert main(["--home", str(home), "library", "rebuild", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["folders"] == [str(demo / "library")]
    assert summary["case_photos"] == 1
    assert Path(summary["set_aside"]).is_file() and ".damaged-" in summary["set_aside"]  # kept, not deleted
    store = LibraryStore(db)
    assert store.count() == count
    assert [r.case_id for r in store.case_photos()] == [case_id]
    assert (home / "cases" / case_id / "case.json").read_bytes() == case_json  # untouched
    assert main(["--home", str(home), "cases", "show", case_id]) == 0


def test_a_file_that_is_not_a_database_is_damage_too(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "library.sqlite3").write_bytes(b"this was overwritten by a sync tool" * 200)
    assert main(["--home", str(home), "library", "list"]) == 4
    assert "shopguard library rebuild" in capsys.readouterr().err
    # nothing to salvage: the seller names the folders
    assert main(["--home", str(home), "library", "rebuild", str(demo / "library")]) == 0
    assert LibraryStore(home / "library.sqlite3").count() == len(list((demo / "library").rglob("*.jpg")))


def _damage_in_place(db: Path) -> None:
    """Garbage over the features table's root page written into the same file, its size and time put back: what a
    disk returning other bytes looks like from outside."""
    with closing(sqlite3.connect(db)) as conn:
        page = int(conn.execute("PRAGMA page_size").fetchone()[0])
        root = int(conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'photo_features'").fetchone()[0])
    before = db.stat()
    with db.open("r+b") as f:
        f.seek((root - 1) * page + 8)
        f.write(bytes(i % 251 for i in range(page - 8)))
    os.utime(db, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert db.stat().st_ino == before.st_ino and db.stat().st_size == before.st_size


def test_a_check_records_the_library_as_whole_so_the_next_open_does_not_read_every_page(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    _home_with_a_case(demo, home, capsys)
    db = home / "library.sqlite3"
    checked = verified_at(db)
    assert checked is not None and time.time() - checked < 600  # recorded after the check's own writes
    record = json.loads(verified_path(db).read_text())
    assert record["file"]["size"] == db.stat().st_size and record["file"]["mtime_ns"] == db.stat().st_mtime_ns

    with closing(sqlite3.connect(db)) as conn:  # the test's own reads left pages in the WAL: into the file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store = LibraryStore(db)  # the file changed (the checkpoint): read whole again, and recorded
    store.record_verified()  # as a command that ended normally does
    _damage_in_place(db)  # unseen by its size and time: within the week the open trusts the record
    LibraryStore(db).close()
    # a week after the last full check the file is read again, changed or not, and the damage is found
    record["checked_at"] = time.time() - REVERIFY_AFTER_S - 60
    verified_path(db).write_text(json.dumps(record))
    with pytest.raises(HomeError) as caught:
        LibraryStore(db)
    assert caught.value.message_key == "error.library.damaged"
    assert main(["--home", str(home), "library", "list"]) == 4


def test_a_library_file_changed_or_replaced_by_anything_else_is_checked_again(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    _home_with_a_case(demo, home, capsys)
    db = home / "library.sqlite3"
    assert verified_at(db) is not None
    damaged = tmp_path / "damaged.sqlite3"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    damaged.write_bytes(db.read_bytes())
    _damage_in_place(damaged)
    damaged.replace(db)  # a sync tool puts another copy in its place: same size, another file
    assert verified_at(db) is None
    assert main(["--home", str(home), "check", str(sorted((demo / "complaints").glob("*.jpg"))[0])]) == 4
    assert "is damaged" in capsys.readouterr().err
    verified_path(db).write_text("{not json")  # an unreadable record is no record
    assert verified_at(db) is None
