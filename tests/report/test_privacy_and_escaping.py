"""What a buyer's photo carries stays data: private EXIF stays out of reports, markup in prompts prints as text."""

from __future__ import annotations

import io
import json
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


def test_gps_position_stays_out_of_reports_unless_the_seller_opts_in(
    testdata: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = testdata / "exif-camera" / "gps__DSCN0010.jpg"
    case = _case(photo, tmp_path / "home", tmp_path / "plain.pdf", capsys)
    findings = [f for p in case["photos"] for f in p["findings"]]  # type: ignore[attr-defined]
    (gps,) = [f["evidence"]["gps"] for f in findings if "gps" in f["evidence"]]
    latitude = f"{gps['latitude']}"
    assert len(latitude) > 5
    plain = pdf_text(tmp_path / "plain.pdf")
    assert latitude not in plain
    assert squash("GPS") in plain  # the report says a position exists and was left out
    # the opt-in is accepted for this report only (the position is printed where an exhibit lists the values)
    _case(photo, tmp_path / "home", tmp_path / "opted.pdf", capsys, "--include-private-metadata")
    assert (tmp_path / "opted.pdf").is_file()


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
