"""Capture time against the order and delivery dates, with one day of time-zone tolerance."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import piexif
import pytest
from PIL import Image

from shopguard.checks.capture_time import CaptureTimeCheck
from shopguard.checks.context import CaseFacts
from shopguard.checks.findings import Category, Strength
from tests.checks.metadata_support import run_check


def _photo(tmp_path: Path, original: str, modified: str | None = None) -> Path:
    exif: dict[str, dict[int, bytes]] = {
        "0th": {},
        "Exif": {piexif.ExifIFD.DateTimeOriginal: original.encode()},
    }
    if modified:
        exif["0th"][piexif.ImageIFD.DateTime] = modified.encode()
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(buf, "JPEG", exif=piexif.dump(exif))
    path = tmp_path / "photo.jpg"
    path.write_bytes(buf.getvalue())
    return path


CASE = CaseFacts(order_date=date(2026, 11, 1), delivery_date=date(2026, 11, 5), complaint_date=date(2026, 11, 8))


@pytest.mark.parametrize(
    ("taken", "strength", "key"),
    [
        ("2026:10:20 10:00:00", Strength.STRONG, "finding.capture.before_delivery.title"),
        ("2026:11:03 10:00:00", Strength.STRONG, "finding.capture.before_delivery.title"),
        ("2026:11:04 23:30:00", Strength.INFO, "finding.capture.consistent.title"),  # one day of tolerance
        ("2026:11:06 09:00:00", Strength.INFO, "finding.capture.consistent.title"),
        ("2026:11:20 09:00:00", Strength.WEAK, "finding.capture.after_complaint.title"),
    ],
)
def test_capture_date_against_case(tmp_path: Path, taken: str, strength: Strength, key: str) -> None:
    [finding] = run_check(CaptureTimeCheck(), _photo(tmp_path, taken), case=CASE)
    assert (finding.category, finding.strength, finding.title_key) == (Category.CAPTURE_TIME, strength, key)
    assert f'EXIF DateTimeOriginal = "{taken}"' in finding.detail("en")
    assert "clock" in (finding.limits("en") or "")


def test_only_order_date_known(tmp_path: Path) -> None:
    case = CaseFacts(order_date=date(2026, 11, 1))
    [finding] = run_check(CaptureTimeCheck(), _photo(tmp_path, "2026:10:01 08:00:00"), case=case)
    assert finding.title_key == "finding.capture.before_order.title" and finding.strength is Strength.STRONG


def test_no_case_dates_is_info(tmp_path: Path) -> None:
    [finding] = run_check(CaptureTimeCheck(), _photo(tmp_path, "2020:01:01 08:00:00"))
    assert finding.strength is Strength.INFO


def test_late_modify_time_is_weak(tmp_path: Path) -> None:
    path = _photo(tmp_path, "2026:11:06 09:00:00", modified="2026:11:09 10:00:00")
    findings = run_check(CaptureTimeCheck(), path, case=CASE)
    modified = [f for f in findings if f.title_key == "finding.capture.modified.title"]
    assert [f.strength for f in modified] == [Strength.WEAK]
    assert "2026:11:09 10:00:00" in modified[0].detail("en")


@pytest.mark.parametrize("value", ["0000:00:00 00:00:00", "    :  :     :  :  ", "garbage"])
def test_blank_or_bad_dates_give_nothing(tmp_path: Path, value: str) -> None:
    assert run_check(CaptureTimeCheck(), _photo(tmp_path, value), case=CASE) == []


def test_xmp_date_only_capture_time(tmp_path: Path) -> None:
    from tests.checks.metadata_support import jpeg_with_xmp, xmp_packet

    packet = xmp_packet(
        '<rdf:Description rdf:about="" photoshop:DateCreated="2026-10-01"/>',
        'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"',
    )
    path = tmp_path / "xmpdate.jpg"
    path.write_bytes(jpeg_with_xmp(packet))
    [finding] = run_check(CaptureTimeCheck(), path, case=CASE)
    assert finding.strength is Strength.STRONG and "XMP DateCreated" in finding.detail("en")
