"""What the CLI says to a person (issue 16): empty folders, missing paths, plurals, local times; JSON stays ISO."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from shopguard.cli.main import main

ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_library_add_of_a_folder_without_photos_says_so_and_names_the_file_types(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "readme.txt").write_text("not a photo", encoding="utf-8")
    code, out, _err = run(capsys, "library", "add", str(folder))
    assert code == 0, "the command ran; there was nothing to add"
    assert f"no photos found in {folder}" in out
    assert ".jpg" in out and ".heic" in out and ".png" in out
    code, out, _ = run(capsys, "library", "add", str(folder), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["empty_folders"] == [str(folder)] and doc["added"] == 0


def test_library_add_of_a_missing_path_says_file_not_found(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    code, _out, err = run(capsys, "library", "add", str(missing))
    assert code == 3
    assert err.strip() == f"shopguard: {missing}: file not found."
    assert "Errno" not in err


def test_same_demo_from_two_folders_counts_once(capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(demo / "library", copy)
    assert run(capsys, "library", "add", str(demo / "library"))[0] == 0
    code, out, _ = run(capsys, "library", "add", str(copy), "--json")
    doc = json.loads(out)
    assert code == 0 and (doc["added"], doc["same_content"], doc["total"]) == (0, 12, 12)
    # forgetting the first folder keeps the photos, now at their other location
    code, out, _ = run(capsys, "library", "remove", str(demo / "library"))
    assert code == 0 and out.startswith("removed 12 photos")
    code, out, _ = run(capsys, "library", "list", "--json")
    listed = json.loads(out)
    assert listed["count"] == 12 and all(Path(p["path"]).is_relative_to(copy) for p in listed["photos"])


def test_cases_list_shows_local_time_and_plural_words_json_keeps_iso(
    capsys: pytest.CaptureFixture[str], demo: Path
) -> None:
    complaint = demo / "complaints" / "complaint-bulb-resaved.jpg"
    assert run(capsys, "check", str(complaint), "--json")[0] == 0
    code, out, _ = run(capsys, "cases", "list")
    assert code == 0
    assert "1 photo " in out and "photo(s)" not in out and out.rstrip().endswith("1 case")
    assert not ISO_TIME.search(out), out
    doc = json.loads(run(capsys, "cases", "list", "--json")[1])
    assert ISO_TIME.match(doc["cases"][0]["created_at"]), "JSON keeps ISO 8601"
    case_id = doc["cases"][0]["case_id"]
    code, out, _ = run(capsys, "cases", "show", case_id)
    assert code == 0 and "checked on " in out and not ISO_TIME.search(out)
