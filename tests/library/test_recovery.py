"""A damaged library database is refused on open with a way out, and rebuilt from its folders; cases untouched."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from shopguard.cli.main import main
from shopguard.errors import HomeError
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
