"""The CLI contract (docs/cli.md), called in-process: exit codes, one-line errors, JSON shape."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from shopguard.cli.main import main

CATEGORIES = {
    "library-derived",
    "reused-photo",
    "ai-label",
    "ai-pixels",
    "editing-software",
    "capture-time",
    "thumbnail-mismatch",
    "compression",
    "noise",
    "copy-move",
    "metadata",
    "input",
}
LEVELS = {"none", "weak", "moderate", "strong"}
STRENGTHS = {"info", "weak", "moderate", "strong"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_case_json(doc: dict) -> None:  # type: ignore[type-arg]
    """The documented ``check --json`` shape."""
    assert isinstance(doc["case_id"], str) and doc["case_id"]
    assert doc["verdict"]["level"] in LEVELS and isinstance(doc["verdict"]["summary"], str)
    assert doc["report"] is None or isinstance(doc["report"], str)
    for photo in doc["photos"]:
        assert {"path", "sha256", "format", "width", "height", "verdict", "findings"} <= photo.keys()
        assert isinstance(photo["width"], int) and isinstance(photo["height"], int)
        assert photo["verdict"]["level"] in LEVELS
        for f in photo["findings"]:
            assert f["category"] in CATEGORIES and f["strength"] in STRENGTHS
            assert isinstance(f["check"], str) and f["title"] and isinstance(f["detail"], str)
            assert all(len(r) == 4 and all(isinstance(v, int) for v in r) for r in f["regions"])
            assert f["library_photo"] is None or isinstance(f["library_photo"], str)
            assert isinstance(f["evidence"], dict)


@pytest.fixture
def demo_library(tmp_path: Path, demo: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    home = tmp_path / "home"
    code, out, _ = run(capsys, "--home", str(home), "library", "add", str(demo / "library"))
    assert code == 0, out
    return home


def test_demo_complaint_is_traced_to_the_right_listing_photo(
    demo_library: Path, demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "out.pdf"
    code, out, err = run(
        capsys,
        "--home",
        str(demo_library),
        "check",
        str(demo / "complaints" / "complaint-bag-stain.jpg"),
        "--json",
        "--report",
        str(report),
        "--order-date",
        "2026-11-01",
        "--platform",
        "Taobao",
        "--order-id",
        "TB123",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert_case_json(doc)
    derived = [f for f in doc["photos"][0]["findings"] if f["category"] == "library-derived"]
    assert derived and derived[0]["strength"] == "strong"
    assert derived[0]["library_photo"].endswith("abo__B0799CK52K__528c608a.jpg")
    assert doc["verdict"]["level"] == "strong"
    assert doc["report"] == str(report)
    assert report.read_bytes().startswith(b"%PDF")


def test_a_photo_unrelated_to_the_shop_is_not_called_derived(
    demo_library: Path, testdata: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "--home", str(demo_library), "check", str(testdata / "product-photos" / "skimage__coffee.png"), "--json"
    )
    assert code == 0
    doc = json.loads(out)
    assert_case_json(doc)
    assert not [
        f for f in doc["photos"][0]["findings"] if f["category"] == "library-derived" and f["strength"] != "info"
    ]


def test_cases_are_stored_listed_and_reported(
    demo_library: Path, demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "--home",
        str(demo_library),
        "check",
        str(demo / "complaints" / "complaint-bulb-resaved.jpg"),
        "--json",
        "--buyer",
        "王小明",
    )
    case_id = json.loads(out)["case_id"]
    code, out, _ = run(capsys, "--home", str(demo_library), "cases", "list", "--json")
    assert code == 0
    rows = json.loads(out)["cases"]
    assert [r["case_id"] for r in rows] == [case_id] and rows[0]["buyer"] == "王小明"
    pdf = tmp_path / "again.pdf"
    code, out, err = run(capsys, "--home", str(demo_library), "report", case_id, "-o", str(pdf), "--lang", "zh")
    assert code == 0, err
    assert pdf.read_bytes().startswith(b"%PDF")
    code, _, err = run(capsys, "--home", str(demo_library), "report", "20990101-000000-abcd", "-o", str(pdf))
    assert code == 4 and err.count("\n") == 1


@pytest.mark.parametrize("kind", ["zero-byte", "text", "truncated"])
def test_unreadable_photos_exit_3_with_one_clear_line(
    kind: str, tmp_path: Path, testdata: Path, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / f"{kind}.jpg"
    if kind == "zero-byte":
        bad.write_bytes(b"")
    elif kind == "text":
        bad.write_text("not a photo at all\n", encoding="utf-8")
    else:
        shutil.copy(testdata / "bad-inputs" / "pillow__truncated_jpeg.jpg", bad)
    good = demo / "complaints" / "complaint-bulb-resaved.jpg"
    code, out, err = run(capsys, "check", str(bad), str(good), "--json")
    assert code == 3
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and "Traceback" not in err
    doc = json.loads(out)
    assert_case_json(doc)
    bad_photo, good_photo = doc["photos"]
    assert bad_photo["findings"][0]["category"] == "input"
    assert good_photo["format"] == "jpeg" and good_photo["sha256"]  # the other photo was still checked


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check")
    assert code == 2 and err.count("\n") == 1
    code, _, err = run(capsys, "check", "x.jpg", "--order-date", "yesterday")
    assert code == 2 and "YYYY-MM-DD" in err
    code, _, _ = run(capsys, "frobnicate")
    assert code == 2


def test_unusable_home_exits_4(tmp_path: Path, demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "--home", str(not_a_folder), "library", "list")
    assert code == 4 and str(not_a_folder) in err and err.count("\n") == 1


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("shopguard ")


def test_library_from_an_earlier_version_is_upgraded_and_said_so(
    demo_library: Path, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    from shopguard.library.schema import MIGRATIONS
    from shopguard.paths import Home

    db = Home(demo_library).library_db
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 2")  # as the previous version left it
    complaint = demo / "complaints" / "complaint-bag-stain.jpg"
    code, out, err = run(capsys, "--home", str(demo_library), "check", "--json", str(complaint))
    assert code == 0, err
    assert "Updating the photo library" in err
    assert json.loads(out)["photos"][0]["findings"][0]["check"] == "library-match"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    code, _, err = run(capsys, "--home", str(demo_library), "library", "list", "--json")
    assert code == 0 and "Updating" not in err  # once


def test_check_says_when_library_photos_need_a_rescan(
    demo_library: Path, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Photos an earlier version described keep matching as they were; ``check`` says so on stderr (the JSON is
    unchanged) until ``library add`` has described them again."""
    import sqlite3

    from shopguard.paths import Home

    with sqlite3.connect(Home(demo_library).library_db) as conn:
        conn.execute("UPDATE photo_features SET version = 1")
        outdated = conn.execute("SELECT COUNT(*) FROM photo_features").fetchone()[0]
    complaint = demo / "complaints" / "complaint-bag-stain.jpg"
    code, out, err = run(capsys, "--home", str(demo_library), "check", "--json", str(complaint))
    assert code == 0, err
    assert f"{outdated} library photos were described by an earlier version" in err
    assert json.loads(out)["photos"][0]["findings"][0]["check"] == "library-match"
    code, _, _ = run(capsys, "--home", str(demo_library), "library", "add", str(demo / "library"))
    assert code == 0
    code, _, err = run(capsys, "--home", str(demo_library), "check", "--json", str(complaint))
    assert code == 0 and "earlier version" not in err
