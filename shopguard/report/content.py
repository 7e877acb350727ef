"""What every report section shares: the case, the options, the writer, pictures and helpers."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, Image, Paragraph, Table

from shopguard.cases.model import Case, CasePhoto
from shopguard.checks.findings import Finding, Strength
from shopguard.report.options import ReportOptions
from shopguard.report.pictures import Picture, PictureMaker
from shopguard.report.writer import RULE, Say, Writer, key

# Evidence keys that carry a location; printed only when the seller opted in (settings).
GPS_MARKERS = ("gps", "latitude", "longitude", "altitude", "location")
MAX_VALUE_CHARS = 400


@dataclass
class ReportContext:
    """Inputs shared by the section builders of one report."""

    case: Case
    options: ReportOptions
    writer: Writer
    pictures: PictureMaker
    report_id: str
    generated_at: str
    frame_height: float


@dataclass(frozen=True)
class RankedFinding:
    """A finding with the photo it belongs to."""

    photo: CasePhoto
    finding: Finding


def ranked_findings(case: Case, minimum: Strength = Strength.WEAK) -> list[RankedFinding]:
    """Findings of every photo at ``minimum`` strength or above, strongest first (stable)."""
    found = [
        RankedFinding(p, f)
        for p in case.photos
        for f in p.findings
        if f.strength.rank >= minimum.rank and f.strength is not Strength.INFO
    ]
    return sorted(found, key=lambda r: -r.finding.strength.rank)


def show_time(iso: str | None) -> str:
    """ISO 8601 time as "YYYY-MM-DD HH:MM UTC" (times are stored in UTC); "" when absent."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    zone = "UTC" if moment.utcoffset() is not None and not moment.utcoffset() else moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M} {zone}".strip()


def show_date(value: date | None) -> Say:
    return (lambda _lang: value.isoformat()) if value else key("report.value.not_given")


def show_value(value: object) -> str:
    """An evidence value as one readable line (nested values flattened, long ones cut)."""
    if isinstance(value, float):
        shown = f"{value:.4g}"
    elif isinstance(value, dict):
        shown = "; ".join(f"{k}={show_value(v)}" for k, v in value.items())
    elif isinstance(value, list | tuple):
        shown = ", ".join(show_value(v) for v in value)
    else:
        shown = str(value)
    return shown if len(shown) <= MAX_VALUE_CHARS else shown[: MAX_VALUE_CHARS - 1] + "…"


def is_gps_key(name: str) -> bool:
    low = name.lower()
    return any(marker in low for marker in GPS_MARKERS)


def picture_flowable(picture: Picture, max_width: float, max_height: float) -> Image:
    """The picture scaled to fit the box, keeping its aspect ratio."""
    scale = min(max_width / picture.width_px, max_height / picture.height_px)
    return Image(io.BytesIO(picture.jpeg), width=picture.width_px * scale, height=picture.height_px * scale)


def fact_table(
    ctx: ReportContext,
    rows: list[tuple[Say, Flowable | str]],
    label_width: float,
    width: float | None = None,
    style: str = "body",
) -> Table:
    """A two-column label/value table with thin rules (values that are strings become paragraphs)."""
    writer = ctx.writer
    total = width or writer.width
    data = [
        [writer.label(label), value if not isinstance(value, str) else Paragraph(escape(value), writer.styles[style])]
        for label, value in rows
    ]
    table = writer.table(
        data,
        [label_width, total - label_width],
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ],
    )
    return table
