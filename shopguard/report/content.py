"""What every report section shares: the case, the options, the writer, pictures and helpers."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfmetrics import stringWidth
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


PERSONAL_MARKERS = ("owner", "serial", "artist")
"""EXIF/XMP names that identify a person or one device (CameraOwnerName, BodySerialNumber, LensSerialNumber,
Artist): private like a position, so they stay out of reports unless the seller opts in."""


def is_gps_key(name: str) -> bool:
    """A location value, or another private one (owner names, serial numbers): hidden unless opted in."""
    low = name.lower()
    return any(marker in low for marker in GPS_MARKERS + PERSONAL_MARKERS)


def picture_flowable(picture: Picture, max_width: float, max_height: float) -> Image:
    """The picture scaled to fit the box, keeping its aspect ratio."""
    scale = min(max_width / picture.width_px, max_height / picture.height_px)
    return Image(io.BytesIO(picture.jpeg), width=picture.width_px * scale, height=picture.height_px * scale)


Fact = tuple[Say, str | Say | None]
"""A label and its value (data, or a text in each language); a None value makes the label a group
heading over the facts that follow it (the fields of a nested value)."""

# Cell padding (left + right; top and bottom) of the fact tables, in points.
CELL_PADDING_PT = 6.0
ROW_PADDING_PT = 1.8


def fact_grid(
    ctx: ReportContext,
    facts: list[Fact],
    label_width: float,
    style: str = "body",
    heading: Flowable | None = None,
    is_list: bool | None = None,
) -> Table:
    """Label/value facts with thin rules, as few rows as the text allows.

    A fact whose label (both languages on one line) and value each fit their half-row column
    shares the row with the next such fact; any other fact gets a row of its own, its label
    across the left half if it needs the room. Two facts per row and one-line labels roughly
    halve the height of the measured-values and file-facts tables.

    Args:
        ctx: the report.
        facts: in reading order (left to right, then down).
        label_width: width of each label column.
        style: paragraph style of the values.
        heading: a heading row on top, repeated where the table runs onto the next page.
        is_list: one fact per row with the values aligned at the middle; None: when most labels
            are too long to share a row.
    """
    writer = ctx.writer
    half = writer.width / 2
    value_style = writer.styles[style]
    rows: list[list[Flowable | list[Flowable] | str]] = []
    commands: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING_PT - 2),
        ("TOPPADDING", (0, 0), (-1, -1), ROW_PADDING_PT),
        ("BOTTOMPADDING", (0, 0), (-1, -1), ROW_PADDING_PT),
    ]
    pending: list[Flowable | list[Flowable] | str] | None = None
    group_rows: list[int] = []

    def value_cell(value: str | Say, is_short: bool) -> Flowable | list[Flowable]:
        if isinstance(value, str):
            return Paragraph(escape(value), value_style)
        if is_short:
            return Paragraph(escape(writer.joined(value, " / ")), value_style)
        return writer.stacked(value, style)  # a sentence in each language, one under the other

    def close_pending() -> None:
        nonlocal pending
        if pending is not None:
            rows.append([*pending, "", ""])
            pending = None

    def span(first: int, last: int) -> None:
        commands.append(("SPAN", (first, len(rows) - 1), (last, len(rows) - 1)))

    def widths_pt(label: Say, value: str | Say) -> tuple[float, float]:
        shown = value if isinstance(value, str) else writer.joined(value, " / ")
        label_pt = writer.one_line_width(label, "label") + CELL_PADDING_PT
        return label_pt, stringWidth(shown, value_style.fontName, value_style.fontSize) + CELL_PADDING_PT

    def is_narrow(label: Say, value: str | Say) -> bool:
        label_pt, value_pt = widths_pt(label, value)
        return label_pt <= label_width and value_pt <= half - label_width

    plain = [(label, value) for label, value in facts if value is not None]
    # Mostly long labels (measured values): one fact per row, values aligned at the middle.
    if is_list is None:
        is_list = 2 * sum(is_narrow(label, value) for label, value in plain) < len(plain)
    for label, value in facts:
        if value is None:
            close_pending()
            rows.append([writer.label(label, is_one_line=True), "", "", ""])
            span(0, 3)
            group_rows.append(len(rows) - 1)
            continue
        label_pt, value_pt = widths_pt(label, value)
        if not is_list and is_narrow(label, value):
            cells: list[Flowable | list[Flowable] | str] = [
                writer.label(label, is_one_line=True),
                value_cell(value, True),
            ]
            if pending is None:
                pending = cells
            else:
                rows.append([*pending, *cells])
                pending = None
            continue
        close_pending()
        if label_pt <= label_width and (value_pt > half or not is_list):
            rows.append([writer.label(label, is_one_line=True), value_cell(value, False), "", ""])
            span(1, 3)
        else:
            rows.append([writer.label(label, is_one_line=True), "", value_cell(value, value_pt <= half), ""])
            span(0, 1)
            span(2, 3)
    close_pending()
    # a group heading never ends a page: it stays with the row after it
    commands += [("NOSPLIT", (0, row), (-1, row + 1)) for row in group_rows if row + 1 < len(rows)]
    widths = [label_width, half - label_width, label_width, half - label_width]
    return writer.table(rows, widths, commands, heading)
