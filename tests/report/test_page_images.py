"""Report pages exported as images (for appeal forms that accept only pictures)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from shopguard.cases.model import Case
from shopguard.errors import Cancelled, ReportError
from shopguard.progress import CancelToken, Progress
from shopguard.report.builder import build_report
from shopguard.report.options import ReportOptions
from shopguard.report.page_images import export_report_images
from tests.report.pdf_reading import page_count


@pytest.fixture
def report_pdf(ai_label_case: Case, tmp_path: Path) -> Path:
    options = ReportOptions(lang="both", page_size="Letter")
    return build_report(ai_label_case, tmp_path / "case report.pdf", options)


def test_png_per_page_at_requested_dpi(report_pdf: Path, tmp_path: Path) -> None:
    seen: list[Progress] = []
    images = export_report_images(report_pdf, tmp_path / "pages", "png", dpi=50, progress=seen.append)
    assert len(images) == page_count(report_pdf)
    assert [p.name for p in images][:2] == ["case report-page-01.png", "case report-page-02.png"]
    with Image.open(images[0]) as first:
        assert first.format == "PNG"
        # Letter is 8.5 x 11 in
        assert abs(first.width - 8.5 * 50) <= 2 and abs(first.height - 11 * 50) <= 2
        # a rendered page is not blank: text and pictures give dark pixels
        assert first.convert("L").getextrema()[0] < 80
    assert seen[-1].done == seen[-1].total == len(images)


def test_jpeg_export(report_pdf: Path, tmp_path: Path) -> None:
    images = export_report_images(report_pdf, tmp_path / "jpg", "jpeg", dpi=40)
    assert images and all(p.suffix == ".jpg" for p in images)
    with Image.open(images[-1]) as last:
        assert last.format == "JPEG"


def test_bad_inputs_are_report_errors(report_pdf: Path, tmp_path: Path) -> None:
    with pytest.raises(ReportError):
        export_report_images(report_pdf, tmp_path / "x", "gif")
    with pytest.raises(ReportError):
        export_report_images(report_pdf, tmp_path / "x", "png", dpi=5000)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(report_pdf.read_bytes()[:300])
    with pytest.raises(ReportError):
        export_report_images(broken, tmp_path / "x")
    with pytest.raises(ReportError):
        export_report_images(tmp_path / "missing.pdf", tmp_path / "x")


def test_cancel_stops_between_pages(report_pdf: Path, tmp_path: Path) -> None:
    token = CancelToken()

    def cancel_after_first(progress: Progress) -> None:
        token.cancel()

    with pytest.raises(Cancelled):
        export_report_images(report_pdf, tmp_path / "c", dpi=40, progress=cancel_after_first, cancel=token)
    assert len(list((tmp_path / "c").iterdir())) == 1
