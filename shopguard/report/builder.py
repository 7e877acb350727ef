"""Build the evidence report PDF of a case: summary page, exhibits, file facts, method and limits."""

from __future__ import annotations

import contextlib
import glob
import hashlib
import io
import json
import logging
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import reportlab.rl_config
from reportlab.platypus import Flowable, PageBreak, SimpleDocTemplate

from shopguard import __version__
from shopguard.cases.model import Case
from shopguard.errors import ReportError
from shopguard.i18n import text
from shopguard.report.appendix import files_section, findings_section, method_section
from shopguard.report.content import ReportContext, show_time
from shopguard.report.exhibits import exhibits_section
from shopguard.report.fonts import register_fonts
from shopguard.report.layout import FOOTER_PT, MARGIN_PT, FooterLines, footer_canvas, frame_size, page_size
from shopguard.report.options import ReportOptions
from shopguard.report.pictures import PictureMaker
from shopguard.report.summary import summary_page
from shopguard.report.technical_appendix import technical_appendix
from shopguard.report.writer import Writer, make_styles

log = logging.getLogger(__name__)

# ASCII85-encoding image streams in pure Python is the slow part of reportlab (PERFORMANCE.md).
reportlab.rl_config.useA85 = 0


def report_id(case: Case, generated_at: str) -> str:
    """A short id naming this report: the case id plus a digest of the case and the generation time."""
    digest = hashlib.sha256(json.dumps(case.to_json("en"), sort_keys=True, default=str).encode())
    digest.update(generated_at.encode())
    return f"{case.id}-{digest.hexdigest()[:6].upper()}"


def _footer(languages: Sequence[str], rid: str, generated: str) -> FooterLines:
    def lines(page: int, pages: int) -> list[str]:
        return [
            text(
                "report.footer.line",
                lang,
                report_id=rid,
                generated=generated,
                version=__version__,
                page=page,
                pages=pages,
            )
            for lang in languages
        ]

    return lines


def write_atomically(out_path: Path, data: bytes | memoryview) -> None:
    """Write ``data`` to ``out_path`` through a synced hidden temporary file and a rename.

    Raises:
        ReportError: when the folder or the file cannot be written (disk full, read-only, permissions).
    """
    tmp_path = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        for stale in out_path.parent.glob(f".{glob.escape(out_path.name)}.*.tmp"):  # left by a killed run
            stale.unlink(missing_ok=True)
        with tmp_path.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        tmp_path.replace(out_path)
        if hasattr(os, "O_DIRECTORY"):  # Windows has no directory handles to sync; its rename is durable
            folder = os.open(out_path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
    except OSError as exc:
        with contextlib.suppress(OSError):  # the folder itself may be the problem
            tmp_path.unlink(missing_ok=True)
        raise ReportError(path=str(out_path), reason=exc.strerror or str(exc)) from exc


def build_report(case: Case, out_path: Path, options: ReportOptions | None = None) -> Path:
    """Write the case's evidence report to ``out_path``.

    Args:
        case: the stored case (its photo copies and evidence images are read, never changed).
        out_path: the PDF to write (its folder is created).
        options: language ("en", "zh_CN" or "both"), paper, shop name, GPS opt-in.

    Returns:
        ``out_path``.

    Raises:
        ReportError: when the PDF cannot be written or the options are invalid.
    """
    options = options or ReportOptions()
    paper = page_size(options.page_size)
    font = register_fonts()
    generated_at = options.generated_at or datetime.now(UTC).replace(microsecond=0).isoformat()
    rid = report_id(case, generated_at)
    width, height = frame_size(paper)
    writer = Writer(options.languages, width, make_styles(font))
    ctx = ReportContext(
        case=case,
        options=options,
        writer=writer,
        pictures=PictureMaker(writer.joined(lambda lang: text("report.stamp", lang)), font),
        report_id=rid,
        generated_at=generated_at,
        frame_height=height,
    )
    story: list[Flowable] = [
        *summary_page(ctx),
        PageBreak(),
        *exhibits_section(ctx),
        *findings_section(ctx),
        *files_section(ctx),
        *method_section(ctx),
        *technical_appendix(ctx),
    ]
    title = writer.joined(lambda lang: text("report.title", lang))
    canvas = footer_canvas(font, _footer(options.languages, rid, show_time(generated_at)))
    # Built in memory, then written to a hidden temporary file beside the target, synced and renamed over it: a
    # crash or a full disk never leaves a half-written PDF under the name the case lists (rename is atomic on one
    # file system), and a failed write never leaves reportlab's file handle open.
    pdf = io.BytesIO()
    doc = SimpleDocTemplate(
        pdf,
        pagesize=paper,
        title=f"{title} {case.id}",
        author=options.shop_name or "ShopGuard",
        creator=f"ShopGuard {__version__}",
        subject=rid,
        initialFontName=font,
        leftMargin=MARGIN_PT,
        rightMargin=MARGIN_PT,
        topMargin=MARGIN_PT,
        bottomMargin=MARGIN_PT + FOOTER_PT,
    )
    try:
        doc.build(story, canvasmaker=canvas)
    except OSError as exc:  # an evidence image or the logo could not be read
        raise ReportError(path=str(out_path), reason=exc.strerror or str(exc)) from exc
    write_atomically(out_path, pdf.getbuffer())
    log.info("report %s written to %s", rid, out_path)
    return out_path
