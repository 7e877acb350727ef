"""JPEG quantisation tables: IJG quality estimate, software vs camera tables, screenshots."""

from __future__ import annotations

import io
from pathlib import Path

import piexif
import pytest
from PIL import Image

from shopguard.checks.findings import Category, Strength
from shopguard.checks.jpeg_quality import JpegCompressionCheck, estimate_quality
from shopguard.imaging.containers import read_container
from tests.checks.metadata_support import jpeg_bytes, run_check


@pytest.mark.parametrize("quality", [20, 50, 75, 90, 100])
def test_pillow_quality_is_recovered(quality: int) -> None:
    assert estimate_quality(read_container(jpeg_bytes(quality=quality)).quant_tables) == (quality, True)


def test_camera_labelled_photo_with_software_tables_is_weak(tmp_path: Path) -> None:
    exif = piexif.dump({"0th": {piexif.ImageIFD.Make: b"Canon", piexif.ImageIFD.Model: b"EOS 40D"}})
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(buf, "JPEG", quality=85, exif=exif)
    path = tmp_path / "resaved.jpg"
    path.write_bytes(buf.getvalue())
    [finding] = run_check(JpegCompressionCheck(), path)
    assert (finding.category, finding.strength) == (Category.COMPRESSION, Strength.WEAK)
    assert "Canon EOS 40D" in finding.detail("en") and "85" in finding.detail("en")


def test_metadata_free_small_jpeg_looks_like_chat_reencode(tmp_path: Path) -> None:
    path = tmp_path / "chat.jpg"
    path.write_bytes(jpeg_bytes(size=(1080, 1440), quality=80))
    [finding] = run_check(JpegCompressionCheck(), path)
    assert finding.title_key == "finding.compression.chat.title" and finding.strength is Strength.INFO


def test_camera_tables_are_custom(testdata: Path) -> None:
    [finding] = run_check(JpegCompressionCheck(), testdata / "exif-camera" / "exif-org__canon-ixus.jpg")
    assert finding.title_key == "finding.compression.custom.title" and finding.strength is Strength.INFO


def test_phone_sized_png_is_a_screenshot(tmp_path: Path) -> None:
    path = tmp_path / "shot.png"
    Image.new("RGB", (1170, 2532), "white").save(path)
    [finding] = run_check(JpegCompressionCheck(), path)
    assert finding.title_key == "finding.compression.screenshot.title" and finding.strength is Strength.INFO
