"""Build the evidence report PDF for a case (first version: summary, findings, file facts)."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab.rl_config
from PIL import Image as PILImage
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer

from shopguard import __version__
from shopguard.cases.model import Case
from shopguard.errors import ReportError
from shopguard.i18n import text
from shopguard.report.fonts import register_fonts
from shopguard.report.options import ReportOptions

log = logging.getLogger(__name__)

# ASCII85-encoding image streams in pure Python is the slow part of reportlab (PERFORMANCE.md).
reportlab.rl_config.useA85 = 0

PHOTO_MAX_SIDE_PX = 1000


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontSize=13, leading=18, spaceBefore=8, spaceAfter=4),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11),
    }


def _jpeg(path: str, max_side: int = PHOTO_MAX_SIDE_PX) -> tuple[io.BytesIO, int, int]:
    with PILImage.open(path) as im:
        im = im.convert("RGB")
        im.thumbnail((max_side, max_side))
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=85)
        buf.seek(0)
        return buf, im.width, im.height


def build_report(case: Case, out_path: Path, options: ReportOptions | None = None) -> Path:
    """Write the case's evidence report to ``out_path``.

    Raises:
        ReportError: when the PDF cannot be written.
    """
    options = options or ReportOptions()
    lang = "en" if options.lang == "both" else options.lang
    font = register_fonts()
    st = _styles(font)
    t = lambda key, **f: escape(text(key, lang, **f))  # noqa: E731
    story: list[object] = [
        Paragraph(t("report.title"), st["title"]),
        Paragraph(t("report.case_id", case_id=case.id), st["body"]),
        Paragraph(escape(case.verdict.summary(lang)), st["h2"]),
    ]
    for photo in case.photos:
        story.append(Paragraph(escape(photo.name), st["h2"]))
        story.append(Paragraph(t("report.file_facts", sha256=photo.sha256, format=photo.format,
                                 width=photo.width, height=photo.height), st["small"]))
        if photo.stored_path and photo.is_readable:
            try:
                buf, w, h = _jpeg(photo.stored_path)
                scale = min(160 * mm / w, 90 * mm / h)
                story.append(Image(buf, width=w * scale, height=h * scale))
            except OSError:
                log.warning("could not embed %s", photo.stored_path)
        for finding in photo.findings:
            label = text(f"strength.{finding.strength.value}", lang)
            story.append(Paragraph(f"<b>[{escape(label)}] {escape(finding.title(lang))}</b>", st["body"]))
            story.append(Paragraph(escape(finding.detail(lang)), st["small"]))
        story.append(Spacer(1, 6))
    story.append(Paragraph(t("report.footer", version=__version__), st["small"]))
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        doc = SimpleDocTemplate(str(out_path), pagesize=A4, title=text("report.title", lang),
                                author="ShopGuard", leftMargin=18 * mm, rightMargin=18 * mm)
        doc.build(story)
    except OSError as exc:
        raise ReportError(path=str(out_path), reason=exc.strerror or str(exc)) from exc
    return out_path
