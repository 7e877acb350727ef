"""Editing software: editors and AI apps are named from the exact field; firmware is not an editor."""

from __future__ import annotations

import io
from pathlib import Path

import piexif
import pytest
from PIL import Image

from shopguard.checks.editing_software import EditingSoftwareCheck
from shopguard.checks.findings import Category, Strength
from shopguard.checks.software_table import SoftwareKind, classify
from tests.checks.metadata_support import jpeg_with_xmp, run_check, xmp_packet


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("Adobe Photoshop 24.1 (Windows)", SoftwareKind.EDITOR),
        ("Adobe Photoshop Lightroom Classic 12.0", SoftwareKind.EDITOR),
        ("GIMP 2.10.34", SoftwareKind.EDITOR),
        ("美图秀秀", SoftwareKind.EDITOR),
        ("醒图", SoftwareKind.EDITOR),
        ("Snapseed 2.0", SoftwareKind.EDITOR),
        ("PicsArt", SoftwareKind.EDITOR),
        ("豆包", SoftwareKind.AI_APP),
        ("即梦AI", SoftwareKind.AI_APP),
        ("可灵", SoftwareKind.AI_APP),
        ("Ver.1.00", SoftwareKind.FIRMWARE),
        ("Digital Camera FinePix40i Ver1.39", SoftwareKind.FIRMWARE),
        ("14.4.2", SoftwareKind.FIRMWARE),
        ("J320FXXU0AQL1", SoftwareKind.FIRMWARE),
        ("HDR+ 1.0.621982163zd", SoftwareKind.FIRMWARE),
        ("Nikon Transfer 1.1 W", SoftwareKind.VENDOR),
    ],
)
def test_classification(value: str, kind: SoftwareKind) -> None:
    assert classify(value).kind is kind


def _exif_software(tmp_path: Path, value: str) -> Path:
    exif = piexif.dump({"0th": {piexif.ImageIFD.Software: value.encode("utf-8")}})
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(buf, "JPEG", exif=exif)
    path = tmp_path / "sw.jpg"
    path.write_bytes(buf.getvalue())
    return path


def test_ai_app_in_exif_software_is_moderate(tmp_path: Path) -> None:
    [finding] = run_check(EditingSoftwareCheck(), _exif_software(tmp_path, "即梦"))
    assert (finding.category, finding.strength) == (Category.EDITING_SOFTWARE, Strength.MODERATE)
    assert 'EXIF Software = "即梦"' in finding.detail("en")


def test_firmware_gives_no_finding(tmp_path: Path) -> None:
    assert run_check(EditingSoftwareCheck(), _exif_software(tmp_path, "Ver.1.00")) == []


def test_xmp_history_agent_is_read(tmp_path: Path) -> None:
    inner = (
        '<rdf:Description rdf:about=""><xmpMM:History><rdf:Seq>'
        '<rdf:li stEvt:action="saved" stEvt:softwareAgent="Adobe Photoshop 25.0 (Macintosh)"/>'
        "</rdf:Seq></xmpMM:History></rdf:Description>"
    )
    ns = 'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"'
    path = tmp_path / "hist.jpg"
    path.write_bytes(jpeg_with_xmp(xmp_packet(inner, ns)))
    [finding] = run_check(EditingSoftwareCheck(), path)
    assert finding.strength is Strength.WEAK
    assert "stEvt:softwareAgent" in finding.detail("en") and "Photoshop 25.0" in finding.detail("en")


def test_shared_files(testdata: Path) -> None:
    gimp = run_check(EditingSoftwareCheck(), testdata / "exif-camera" / "Canon_40D.jpg")
    assert [(f.fields["name"], f.strength) for f in gimp] == [("GIMP", Strength.WEAK)]
    fuji = run_check(EditingSoftwareCheck(), testdata / "exif-camera" / "exif-org__fujifilm-dx10.jpg")
    assert fuji == []


def test_free_text_comment_is_not_a_program(tmp_path: Path) -> None:
    from tests.checks.metadata_support import insert_jpeg_segment, jpeg_bytes

    path = tmp_path / "comment.jpg"
    path.write_bytes(insert_jpeg_segment(jpeg_bytes(), 0xFE, b"mi imagen de la nieve, snow day"))
    assert run_check(EditingSoftwareCheck(), path) == []
    path.write_bytes(insert_jpeg_segment(jpeg_bytes(), 0xFE, b"Created with GIMP"))
    assert [f.fields["name"] for f in run_check(EditingSoftwareCheck(), path)] == ["GIMP"]


def test_samsung_gallery_editor_trace(tmp_path: Path) -> None:
    from tests.checks.metadata_support import jpeg_bytes, samsung_trailer

    path = tmp_path / "galaxy.jpg"
    block = (0x0BA1, "PhotoEditor_Re_Edit_Data", b'{"rotation":1}')
    path.write_bytes(jpeg_bytes() + samsung_trailer([block]))
    [finding] = run_check(EditingSoftwareCheck(), path)
    assert finding.strength is Strength.WEAK and "PhotoEditor_Re_Edit_Data" in finding.detail("en")
