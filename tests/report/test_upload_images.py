"""Pictures for upload forms: per-platform presets, a long image first, and the byte limit kept (issue 15, item 5)."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest
from PIL import Image

from shopguard.cases.model import Case
from shopguard.errors import ReportError
from shopguard.report.builder import build_report
from shopguard.report.options import ReportOptions
from shopguard.report.upload_images import (
    JPEG_QUALITIES_PCT,
    UploadPreset,
    export_upload_images,
    fit_jpeg,
    preset_for_platform,
    preset_named,
    upload_presets,
)
from tests.report.pdf_reading import page_count

PLATFORMS = ("taobao", "tmall", "pinduoduo", "jd", "douyin", "amazon", "ebay", "etsy", "generic")


@pytest.fixture(scope="module")
def demo_report(pipeline_case: Case, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("upload") / "appeal.pdf"
    return build_report(pipeline_case, out, ReportOptions(lang="both", shop_name="Mi Select"))


def test_presets_file_names_every_platform_within_the_conservative_limits() -> None:
    raw = json.loads(resources.files("shopguard.report").joinpath("upload_presets.json").read_text("utf-8"))
    assert raw["about"], "the file explains itself to the seller who opens it"
    presets = upload_presets()
    assert tuple(presets) == PLATFORMS
    for preset in presets.values():
        assert 1 <= preset.count <= 9 and preset.width_px <= 1080 and preset.max_bytes <= 1_000_000, preset
        assert preset.format == "jpeg" and preset.basis, preset


def test_the_order_forms_platform_picks_the_preset() -> None:
    assert preset_for_platform("pinduoduo").name == "pinduoduo"
    assert preset_for_platform("Taobao").name == "taobao"  # the CLI stores what was typed
    assert preset_for_platform("kuaishou").name == "generic"  # a platform without a preset of its own
    assert preset_for_platform(None).name == "generic"
    with pytest.raises(ReportError):
        preset_named("myspace")


def test_export_respects_count_width_and_bytes(demo_report: Path, tmp_path: Path) -> None:
    preset = preset_named("taobao")
    pictures = export_upload_images(demo_report, tmp_path / "taobao", preset)
    pages = page_count(demo_report)
    assert len(pictures) == min(preset.count, 1 + pages)
    assert pictures[0].name == "appeal-long.jpg"
    assert [p.name for p in pictures[1:3]] == ["appeal-page-01.jpg", "appeal-page-02.jpg"]
    for picture in pictures:
        assert picture.stat().st_size <= preset.max_bytes, picture
        with Image.open(picture) as im:
            assert im.format == "JPEG" and im.width <= preset.width_px
    with Image.open(pictures[0]) as long_image, Image.open(pictures[1]) as page_one:
        # page 1 above the first exhibit's page, at the preset's full width
        assert long_image.width == preset.width_px == page_one.width
        assert long_image.height > 2 * page_one.height
        top = long_image.crop((0, 0, page_one.width, page_one.height)).convert("L")
        assert (
            abs(sum(top.histogram()[:128]) - sum(page_one.convert("L").histogram()[:128]))
            < 0.02 * top.width * top.height
        )


def test_a_small_form_gets_the_long_image_and_the_first_pages(demo_report: Path, tmp_path: Path) -> None:
    three = UploadPreset("three", count=3, width_px=720, max_bytes=1_000_000)
    pictures = export_upload_images(demo_report, tmp_path / "three", three)
    assert [p.name for p in pictures] == ["appeal-long.jpg", "appeal-page-01.jpg", "appeal-page-02.jpg"]
    with Image.open(pictures[0]) as im:
        assert im.width == 720


def _jpeg_size(image: Image.Image, quality: int) -> int:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.tell()


def test_byte_limit_lowers_quality_first(demo_report: Path, tmp_path: Path) -> None:
    from shopguard.report.page_images import export_report_images

    page = export_report_images(demo_report, tmp_path / "png", "png", dpi=130)[0]
    with Image.open(page) as im:
        rendered = im.convert("RGB")
    best, worst = _jpeg_size(rendered, JPEG_QUALITIES_PCT[0]), _jpeg_size(rendered, JPEG_QUALITIES_PCT[-1])
    assert worst < best
    limit = (best + worst) // 2
    data, shown = fit_jpeg(rendered, limit)
    assert len(data) <= limit < best
    assert shown.size == rendered.size, "a lower quality was enough: the picture keeps its width"


def test_byte_limit_then_makes_the_picture_narrower(demo_report: Path, tmp_path: Path) -> None:
    tight = UploadPreset("tight", count=2, width_px=1080, max_bytes=120_000)
    pictures = export_upload_images(demo_report, tmp_path / "tight", tight)
    for picture in pictures:
        assert picture.stat().st_size <= tight.max_bytes
    with Image.open(pictures[0]) as im:
        # the long image (two pages) does not fit 120 kB at 1080 px even at the lowest quality
        assert im.width < tight.width_px


def test_a_limit_no_readable_picture_fits_is_an_error(tmp_path: Path) -> None:
    noisy = Image.effect_noise((1080, 1500), 80).convert("RGB")
    data, shown = fit_jpeg(noisy, 400_000)
    assert len(data) <= 400_000 and shown.width <= 1080
    with pytest.raises(ReportError):
        fit_jpeg(noisy, 2_000)


def test_page_images_without_a_preset_stay_as_before(pipeline_case: Case, tmp_path: Path) -> None:
    """``--images`` without ``--preset``: one PNG per page (tests/report/test_page_images.py), untouched here."""
    case = replace(pipeline_case)
    out = build_report(case, tmp_path / "plain.pdf", ReportOptions(lang="en"))
    from shopguard.report.page_images import export_report_images

    assert len(export_report_images(out, tmp_path / "png", "png", dpi=36)) == page_count(out)
