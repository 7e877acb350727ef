"""CLI of issue 15: ``recheck``, ``library verify``, listing facts, case facts that are true, no case on exit 3."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from shopguard.paths import Home
from shopguard.settings import Settings, save_settings
from tests.cli.test_cli import assert_case_json, run


@pytest.fixture
def home(tmp_path: Path, demo: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    home = tmp_path / "home"
    code, out, _ = run(
        capsys,
        *("--home", str(home), "library", "add", str(demo / "library"), "--json"),
        *("--listed-since", "2025-06-01", "--listing-url", "https://shop.example/item/1"),
    )
    assert code == 0 and json.loads(out)["listed"] == 12
    save_settings(Home(home), Settings(shop_name="莉莉箱包"))
    return home


def test_check_records_the_shop_the_journal_head_and_when_the_listing_existed(
    home: Path, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    complaint = demo / "complaints" / "complaint-bag-stain.jpg"
    code, out, err = run(capsys, "--home", str(home), "check", str(complaint), "--order-date", "2026-11-01", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert_case_json(doc)
    assert doc["facts"]["shop_name"] == "莉莉箱包" and doc["facts"]["complaint_date"] is None
    assert doc["library_journal_head"]["seq"] == 24  # 12 additions, 12 listing facts
    derived = doc["photos"][0]["findings"][0]
    assert derived["evidence"]["listing_existed_by"] == {
        "date": "2025-06-01",
        "source": "listed_since",
        "detail": "https://shop.example/item/1",
    }
    assert derived["evidence"]["listing_before_order"] is True
    assert derived["evidence"]["journal_entry"]["seq"] > 12
    assert "existed by 2025-06-01" in derived["detail"] and "before the order date 2026-11-01" in derived["detail"]


def test_recheck_updates_the_case_with_new_order_facts(
    home: Path, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    complaint = demo / "complaints" / "complaint-bulb-resaved.jpg"
    code, out, _ = run(capsys, "--home", str(home), "check", str(complaint), "--json", "--platform", "jd")
    first = json.loads(out)
    code, out, err = run(capsys, "--home", str(home), "recheck", first["case_id"], "--order-id", "JD-7", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["case_id"] == first["case_id"]
    assert (doc["facts"]["platform"], doc["facts"]["order_id"]) == ("jd", "JD-7"), "given options replace, others stay"
    assert [h["facts"]["order_id"] for h in doc["history"]] == [None]
    assert not [f for f in doc["photos"][0]["findings"] if f["category"] == "reused-photo"]
    assert doc["verdict"]["level"] == first["verdict"]["level"]
    code, _, err = run(capsys, "--home", str(home), "recheck", "20990101-000000-abcd")
    assert code == 4 and err.count("\n") == 1


def test_library_verify_passes_then_names_a_removed_entry(
    home: Path, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--home", str(home), "library", "verify", "--json")
    assert code == 0 and json.loads(out)["entries"] == 24
    code, out, _ = run(capsys, "--home", str(home), "check", str(demo / "complaints" / "complaint-bag-stain.jpg"))
    assert code == 0
    with sqlite3.connect(Home(home).library_db) as conn:  # the last entry goes: the chain before it still holds
        conn.execute("DROP TRIGGER library_journal_no_delete")
        conn.execute("DELETE FROM library_journal WHERE seq = 24")
    code, out, err = run(capsys, "--home", str(home), "library", "verify")
    assert code == 4 and out == ""
    assert err.count("\n") == 1 and "journal is broken at entry 24" in err and "rewritten" in err


@pytest.mark.parametrize("target", ["folder", "missing"])
def test_no_case_is_created_when_no_photo_can_be_read(
    target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    path = tmp_path if target == "folder" else tmp_path / "gone.jpg"
    code, out, err = run(capsys, "--home", str(home), "check", str(path), "--json")
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and str(path) in err and "no case was created" in err
    assert not list((home / "cases").glob("*"))
