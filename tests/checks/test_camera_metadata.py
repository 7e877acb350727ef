"""Camera make/model and GPS as info; coordinates only in evidence, marked private; no metadata is info."""

from __future__ import annotations

import json
from pathlib import Path

from shopguard.checks.camera_metadata import PRIVATE_FIELDS_KEY, CameraMetadataCheck
from shopguard.checks.findings import Strength
from tests.checks.metadata_support import jpeg_bytes, run_check


def test_gps_coordinates_stay_out_of_the_texts(testdata: Path) -> None:
    findings = run_check(CameraMetadataCheck(), testdata / "exif-camera" / "gps__DSCN0010.jpg")
    assert all(f.strength is Strength.INFO for f in findings)
    [gps] = [f for f in findings if f.title_key == "finding.metadata.gps.title"]
    lat = gps.evidence["gps"]["latitude"]
    assert round(lat, 2) == 43.47 and gps.evidence[PRIVATE_FIELDS_KEY] == ["gps"]
    for lang in ("en", "zh_CN"):
        rendered = gps.title(lang) + gps.detail(lang)
        assert "43.4" not in rendered and "11.8" not in rendered
    json.dumps(gps.to_json())  # evidence stays JSON-safe
    camera = [f for f in findings if f.title_key == "finding.metadata.camera.title"]
    assert "COOLPIX P6000" in camera[0].title("en")


def test_no_metadata_says_absence_proves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bare.jpg"
    path.write_bytes(jpeg_bytes())
    [finding] = run_check(CameraMetadataCheck(), path)
    assert finding.strength is Strength.INFO and "proves nothing" in finding.detail("en")


def test_malformed_exif_is_info_unreadable(testdata: Path) -> None:
    findings = run_check(CameraMetadataCheck(), testdata / "bad-inputs" / "pillow__invalid-exif.jpg")
    assert [f.title_key for f in findings] == ["finding.metadata.unreadable.title"]
    assert findings[0].strength is Strength.INFO
