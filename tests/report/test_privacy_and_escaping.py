"""What a buyer's photo carries stays data: private EXIF stays out of reports, markup in prompts prints as text."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from shopguard.cli.main import main
from tests.report.pdf_reading import pdf_text, squash


def _case(photo: Path, home: Path, report: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> dict[str, object]:
    capsys.readouterr()
    code = main(["--home", str(home), "check", str(photo), "--json", "--lang", "en", "--report", str(report), *flags])
    assert code == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


PRIVATE_PHOTOS = (
    "exif-camera/gps__DSCN0010.jpg",  # Nikon COOLPIX P6000 with a GPS position
    "c2pa/adobe-20220124-A.jpg",  # camera body and lens serial numbers
    "exif-camera/long_description.jpg",  # EXIF Artist: a person's name
)


def _private_case(
    testdata: Path, home: Path, report: Path, capsys: pytest.CaptureFixture[str], *flags: str
) -> dict[str, object]:
    photos = [str(testdata / name) for name in PRIVATE_PHOTOS]
    capsys.readouterr()
    code = main(["--home", str(home), "check", *photos, "--json", "--report", str(report), *flags])
    assert code == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _gps_text(case: dict[str, object]) -> tuple[str, str]:
    findings = [f for p in case["photos"] for f in p["findings"]]  # type: ignore[attr-defined]
    (gps,) = [f["evidence"]["gps"] for f in findings if "gps" in f["evidence"]]
    return f"{gps['latitude']:.6f}", f"{gps['longitude']:.6f}"


PRIVATE_VALUES = ("062062059949", "000023990c", "SSG KYLE DAVIS")
"""The serial numbers of the Adobe sample's camera body and lens, the long_description photo's Artist."""


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_gps_owner_and_serials_are_withheld_by_default_and_the_report_says_so(
    testdata: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    report = tmp_path / "plain.pdf"
    case = _private_case(testdata, tmp_path / "home", report, capsys, "--lang", lang)
    latitude, longitude = _gps_text(case)
    text = pdf_text(report)
    for value in (latitude, longitude, latitude[:6], *PRIVATE_VALUES):
        assert squash(value) not in text, value
    withheld = {"en": "withheld from this report for privacy", "zh_CN": "为保护隐私，本报告未列出"}[lang]
    assert text.count(squash(withheld)) == 3  # one line per photo that carries private values
    kinds = {
        "en": ("a GPS position", "serial numbers", "an owner or author name"),
        "zh_CN": ("GPS 位置", "序列号", "所有者或作者姓名"),
    }
    for kind in kinds[lang]:
        assert squash(kind) in text


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_opted_in_report_prints_gps_position_owner_and_serials(
    testdata: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    report = tmp_path / "opted.pdf"
    case = _private_case(testdata, tmp_path / "home", report, capsys, "--lang", lang, "--include-private-metadata")
    latitude, longitude = _gps_text(case)
    text = pdf_text(report)
    assert squash(f"{latitude}, {longitude}") in text
    for value in PRIVATE_VALUES:
        assert squash(value) in text, value
    section = {"en": "Private details in the buyer's photos", "zh_CN": "买家照片中的隐私信息"}[lang]
    assert squash(section) in text
    assert squash("withheld") not in text and squash("本报告未列出") not in text


def test_gps_opt_in_from_the_settings_reaches_the_report(testdata: Path, tmp_path: Path) -> None:
    # The app's Settings checkbox is the same opt-in: ReportOptions.from_settings carries it to the report.
    from shopguard.cases.service import CheckRequest, check_photos
    from shopguard.library.store import LibraryStore
    from shopguard.paths import Home
    from shopguard.report.builder import build_report
    from shopguard.report.options import ReportOptions
    from shopguard.settings import load_settings, save_settings

    home = Home(tmp_path / "home").ensure()
    photo = testdata / PRIVATE_PHOTOS[0]
    store = LibraryStore(home.library_db)
    try:
        case = check_photos(home, CheckRequest(photos=(photo,)), store)
    finally:
        store.close()
    save_settings(home, replace(load_settings(home), include_gps_in_report=True))
    opted = build_report(case, tmp_path / "opted.pdf", ReportOptions.from_settings(load_settings(home)))
    save_settings(home, replace(load_settings(home), include_gps_in_report=False))
    plain = build_report(case, tmp_path / "plain.pdf", ReportOptions.from_settings(load_settings(home)))
    (gps,) = [f.evidence["gps"] for p in case.photos for f in p.findings if "gps" in f.evidence]
    latitude = f"{gps['latitude']:.6f}"
    assert latitude in pdf_text(opted)
    assert latitude not in pdf_text(plain)


def _png(parameters: str) -> bytes:
    info = PngInfo()
    info.add_itxt("parameters", parameters)
    buffer = io.BytesIO()
    Image.linear_gradient("L").convert("RGB").resize((640, 480)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def test_prompt_markup_and_100kb_of_text_print_as_plain_truncated_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    markup = '<font size="60" color="red">REFUND ME</font><para>injected</para><img src="/etc/passwd"/>'
    tail = "END-OF-THE-LONG-PROMPT"
    parameters = (
        markup
        + " a photo of a bag, " * 6_000
        + tail
        + "\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 640x480"
    )
    assert len(parameters) > 100_000
    photo = tmp_path / "ai.png"
    photo.write_bytes(_png(parameters))
    report = tmp_path / "report.pdf"
    case = _case(photo, tmp_path / "home", report, capsys)
    checks = {f["check"] for p in case["photos"] for f in p["findings"]}  # type: ignore[attr-defined]
    assert "generator-metadata" in checks
    text = pdf_text(report)
    assert squash('<font size="60" color="red">REFUND ME</font>') in text  # shown as the characters it is
    assert squash("<para>injected</para>") in text
    assert tail not in text  # truncated, not 100 kB spread over pages
    assert report.stat().st_size < 3_000_000
