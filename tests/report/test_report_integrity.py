"""Each report re-hashes the case's stored photo copies and says whether they are unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path

from shopguard.cases.service import CheckRequest, check_photos
from shopguard.library.store import LibraryStore
from shopguard.paths import Home
from shopguard.report.builder import build_report
from shopguard.report.options import ReportOptions
from tests.report.pdf_reading import pdf_text, squash

ALL_OK = squash("the SHA-256 of all 2 stored copies was computed again: each still matches")
CHANGED = squash("CHANGED after the check, SHA-256 now")


def test_report_verifies_each_stored_copy_and_flags_a_tampered_one(demo: Path, tmp_path: Path) -> None:
    home = Home(tmp_path / "home").ensure()
    photos = tuple(sorted((demo / "complaints").glob("*.jpg")))
    case = check_photos(home, CheckRequest(photos=photos), LibraryStore(home.library_db))
    options = ReportOptions(lang="en")

    first = pdf_text(build_report(case, tmp_path / "before.pdf", options))
    assert len(photos) == 2
    assert ALL_OK in first and CHANGED not in first

    copy = Path(case.photos[1].stored_path or "")
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit: invisible in the picture, fatal to the hash
    copy.write_bytes(bytes(data))
    second = pdf_text(build_report(case, tmp_path / "after.pdf", options))
    assert ALL_OK not in second and squash("1 no longer match (marked below)") in second
    assert second.count(CHANGED) == 1
    assert squash(f"now {hashlib.sha256(bytes(data)).hexdigest()}") in second

    copy.unlink()
    third = pdf_text(build_report(case, tmp_path / "gone.pdf", options))
    assert squash("stored copy missing or unreadable: not verified") in third


def test_a_report_is_written_whole_or_not_at_all(demo: Path, tmp_path: Path) -> None:
    home = Home(tmp_path / "home").ensure()
    photo = sorted((demo / "complaints").glob("*.jpg"))[0]
    case = check_photos(home, CheckRequest(photos=(photo,)), LibraryStore(home.library_db))
    out = tmp_path / "reports" / "case.pdf"
    out.parent.mkdir()
    stale = out.parent / ".case.pdf.999999.tmp"
    stale.write_bytes(b"%PDF-1.4 half a report from a killed process")
    build_report(case, out, ReportOptions(lang="en"))
    assert sorted(p.name for p in out.parent.iterdir()) == ["case.pdf"]  # no temporary left, the stale one gone
    assert out.read_bytes().rstrip().endswith(b"%%EOF")
