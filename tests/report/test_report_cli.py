"""``shopguard report`` and ``check --report`` from the command line (in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from shopguard.cli.main import main
from shopguard.i18n import text
from tests.report.pdf_reading import pdf_text, squash


def _checked_case(demo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, lang: str) -> tuple[str, Path]:
    assert main(["library", "add", str(demo / "library")]) == 0
    pdf = tmp_path / "check.pdf"
    code = main(
        [
            "check",
            str(demo / "complaints" / "complaint-bag-stain.jpg"),
            "--order-id",
            "PDD-42",
            "--platform",
            "Pinduoduo",
            "--json",
            "--report",
            str(pdf),
            "--lang",
            lang,
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    document = json.loads(out[out.index("{") :])
    return document["case_id"], pdf


def test_check_report_flag_writes_zh_report(demo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    case_id, pdf = _checked_case(demo, capsys, tmp_path, "zh_CN")
    body = pdf_text(pdf)
    assert "PDD-42" in body and case_id in body
    assert squash(text("report.title", "zh_CN")) in body
    assert squash(text("report.title", "en")) not in body


def test_report_command_letter_both_and_images(demo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    case_id, _ = _checked_case(demo, capsys, tmp_path, "en")
    pdf = tmp_path / "out" / "appeal.pdf"
    pages_dir = tmp_path / "pages"
    code = main(
        [
            "report",
            case_id,
            "-o",
            str(pdf),
            "--lang",
            "both",
            "--paper",
            "Letter",
            "--images",
            str(pages_dir),
            "--image-format",
            "jpeg",
            "--dpi",
            "40",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out.split()
    assert printed[0] == str(pdf)
    reader = PdfReader(str(pdf))
    assert round(float(reader.pages[0].mediabox.width)) == 612
    assert len(printed[1:]) == len(reader.pages)
    assert all(Path(p).is_file() and p.endswith(".jpg") for p in printed[1:])
    body = pdf_text(pdf)
    assert squash(text("report.title", "zh_CN")) in body and squash(text("report.title", "en")) in body
    # the report is remembered with the case
    assert main(["cases", "show", case_id, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert str(pdf) in shown["reports"]


def test_report_rejects_unknown_paper(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["report", "nope", "-o", str(tmp_path / "x.pdf"), "--paper", "B5"]) == 2


def test_report_images_with_a_platform_preset(demo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from shopguard.report.upload_images import preset_named

    case_id, _ = _checked_case(demo, capsys, tmp_path, "en")
    pdf, pictures_dir = tmp_path / "appeal.pdf", tmp_path / "for-jd"
    code = main(["report", case_id, "-o", str(pdf), "--images", str(pictures_dir), "--preset", "jd"])
    assert code == 0
    printed = capsys.readouterr().out.split()
    assert printed[0] == str(pdf)
    preset = preset_named("jd")
    pictures = [Path(p) for p in printed[1:]]
    assert pictures[0].name == "appeal-long.jpg"
    assert 2 <= len(pictures) <= preset.count
    assert sorted(pictures_dir.iterdir()) == sorted(pictures)
    for picture in pictures:
        assert picture.suffix == ".jpg" and picture.stat().st_size <= preset.max_bytes


def test_report_preset_needs_images_and_a_known_name(
    demo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    case_id, _ = _checked_case(demo, capsys, tmp_path, "en")
    assert main(["report", case_id, "-o", str(tmp_path / "a.pdf"), "--preset", "jd"]) == 2
    assert "--images" in capsys.readouterr().err
    assert not (tmp_path / "a.pdf").exists()
    out = ["report", case_id, "-o", str(tmp_path / "b.pdf"), "--images", str(tmp_path / "x"), "--preset", "myspace"]
    assert main(out) == 2
