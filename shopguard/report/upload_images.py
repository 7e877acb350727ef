"""Pictures of a report for upload forms: a platform's count, width and size limits, and a long image.

Many appeal forms take only a few pictures, each under a size limit. A preset (one per platform,
all in ``upload_presets.json``, a file the seller can read) says how many JPEGs, how wide and how
many bytes each. The first picture is the "long image" (长图) that Chinese platforms' forms and
chats show best: page 1 of the report above the page of its first exhibit, one tall picture; the
report's pages follow in order until the count is reached. A picture over the byte limit is
re-encoded at a lower JPEG quality, then made narrower, until it fits.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from shopguard.errors import ReportError
from shopguard.progress import CancelToken, ProgressFn, report

if TYPE_CHECKING:  # pypdfium2 loads only to make pictures: the CLI reads the presets for its --preset choices
    import pypdfium2 as pdfium

log = logging.getLogger(__name__)

GENERIC_PRESET = "generic"
# Page 1 and the page of the first exhibit (the exhibits start on page 2).
LONG_IMAGE_PAGES = 2
# JPEG qualities tried in turn before a picture is made narrower: text stays legible down to ~60
# (JPEG's ringing around glyph edges grows below that), so the steps are fine above it.
JPEG_QUALITIES_PCT = (88, 82, 76, 70, 64, 58)
# Each further try is 85% as wide: 1080 -> 918 -> 780 px ...; below 480 px an A4 page's 7 pt
# footer is ~1.7 px tall and no longer readable, so the export fails instead of writing mush.
SHRINK_STEP = 0.85
MIN_WIDTH_PX = 480
# White between page 1 and the exhibit page in the long image, so the pages read as two.
LONG_IMAGE_GAP_PX = 24


@dataclass(frozen=True)
class UploadPreset:
    """Limits of one upload form: at most ``count`` pictures, ``width_px`` wide, ``max_bytes`` each."""

    name: str
    count: int
    width_px: int
    max_bytes: int
    format: str = "jpeg"
    basis: str = ""


@cache
def _preset_file() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("shopguard.report").joinpath("upload_presets.json").read_text(encoding="utf-8")
    )
    return data


def upload_presets() -> dict[str, UploadPreset]:
    """Every preset of ``upload_presets.json``, by name (the platforms' ids in lower case)."""
    data = _preset_file()
    default = data["default"]
    found: dict[str, UploadPreset] = {}
    for name, values in data["presets"].items():
        merged = {**default, **values}
        found[name] = UploadPreset(
            name=name,
            count=int(merged["count"]),
            width_px=int(merged["width_px"]),
            max_bytes=int(merged["max_bytes"]),
            format=str(merged["format"]),
            basis=str(merged.get("basis", "")),
        )
    return found


def preset_named(name: str) -> UploadPreset:
    """The preset called ``name`` (case-insensitive).

    Raises:
        ReportError: for a name the presets file does not have.
    """
    presets = upload_presets()
    preset = presets.get(name.strip().lower())
    if preset is None:
        raise ReportError(path="", reason=f"unknown preset {name!r} (use one of: {', '.join(presets)})")
    return preset


def preset_for_platform(platform: str | None) -> UploadPreset:
    """The preset of the platform chosen in the order form; the generic one for any other platform."""
    presets = upload_presets()
    return presets.get((platform or "").strip().lower(), presets[GENERIC_PRESET])


def fit_jpeg(image: Image.Image, max_bytes: int) -> tuple[bytes, Image.Image]:
    """JPEG bytes of ``image`` at most ``max_bytes`` long: lower quality first, then narrower.

    Returns:
        The bytes and the picture they encode (narrower than ``image`` if it had to be).

    Raises:
        ReportError: when even a ``MIN_WIDTH_PX``-wide picture at the lowest quality is too large.
    """
    current = image.convert("RGB")
    while True:
        for quality in JPEG_QUALITIES_PCT:
            buffer = io.BytesIO()
            current.save(buffer, "JPEG", quality=quality, optimize=True)
            if buffer.tell() <= max_bytes:
                return buffer.getvalue(), current
        width = round(current.width * SHRINK_STEP)
        if width < MIN_WIDTH_PX:
            raise ReportError(path="", reason=f"a picture does not fit in {max_bytes:,} bytes at a readable size")
        current = current.resize(
            (width, max(1, round(current.height * width / current.width))), Image.Resampling.LANCZOS
        )


def _render(document: pdfium.PdfDocument, index: int, width_px: int) -> Image.Image:
    page = document[index]
    try:
        scale = width_px / page.get_width()
        image: Image.Image = page.render(scale=scale).to_pil().convert("RGB")
    finally:
        page.close()
    return image


def _long_image(pages: list[Image.Image]) -> Image.Image:
    width = max(page.width for page in pages)
    height = sum(page.height for page in pages) + LONG_IMAGE_GAP_PX * (len(pages) - 1)
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    top = 0
    for page in pages:
        canvas.paste(page, (0, top))
        top += page.height + LONG_IMAGE_GAP_PX
    return canvas


def export_upload_images(
    pdf_path: Path,
    out_dir: Path,
    preset: UploadPreset,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> list[Path]:
    """Write the report's pictures for an upload form: the long image, then pages, within ``preset``.

    Args:
        pdf_path: a report written by ``build_report``.
        out_dir: folder for the pictures (created); files of the same name are replaced.
        preset: the form's limits (``preset_for_platform``, ``preset_named``).
        progress: called after each picture.
        cancel: checked before each picture.

    Returns:
        The picture paths: ``<report>-long.jpg`` first, then ``<report>-page-NN.jpg``.

    Raises:
        ReportError: unreadable PDF, a picture that cannot fit the byte limit, or files that cannot be written.
        Cancelled: when ``cancel`` is set (pictures written so far are kept).
    """
    if preset.format.lower() not in ("jpeg", "jpg"):
        raise ReportError(path=str(out_dir), reason=f"preset {preset.name}: only JPEG is supported")
    written: list[Path] = []
    from shopguard.report.page_images import opened_pdf

    with opened_pdf(pdf_path, out_dir) as document:
        pages = len(document)
        page_count = min(pages, max(0, preset.count - 1))
        total = 1 + page_count
        # the long image: its pages at the preset width (a tall picture is as wide as a page)
        head = [_render(document, index, preset.width_px) for index in range(min(LONG_IMAGE_PAGES, pages))]
        jobs: list[tuple[str, Image.Image | int]] = [(f"{pdf_path.stem}-long.jpg", _long_image(head))]
        jobs += [(f"{pdf_path.stem}-page-{index + 1:02d}.jpg", index) for index in range(page_count)]
        for number, (name, source) in enumerate(jobs, start=1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            image = source if isinstance(source, Image.Image) else _render(document, source, preset.width_px)
            data, _shown = fit_jpeg(image, preset.max_bytes)
            target = out_dir / name
            target.write_bytes(data)
            written.append(target)
            report(progress, number, total, "progress.report_page", page=number, pages=total)
    log.info("exported %d upload pictures (%s preset) of %s to %s", len(written), preset.name, pdf_path, out_dir)
    return written
