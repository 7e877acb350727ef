"""What every report section shares: the case, the options, the writer, pictures and helpers."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Image, Paragraph, Table

from shopguard.cases.model import Case, CasePhoto
from shopguard.checks.findings import Finding, Strength
from shopguard.i18n.local_time import parse_time, utc_offset
from shopguard.report.options import ReportOptions
from shopguard.report.pictures import Picture, PictureMaker
from shopguard.report.writer import RULE, Say, Writer

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
    on_page_one: set[str] = field(default_factory=set)
    """Evidence images page 1 printed (their paths): the exhibits do not print them again."""


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
    """A stored ISO 8601 time as local time with its UTC offset, "2026-12-04 14:31 UTC+01:00": numeric, so one
    string reads in every language of the report, and with the offset, so a reader in another zone knows the
    moment; "" when absent. (The app and the CLI use ``i18n.local_time.format_time`` with month names.)"""
    if not iso:
        return ""
    moment = parse_time(iso)
    if moment is None:
        return iso
    local = moment.astimezone()
    return f"{local:%Y-%m-%d %H:%M} {utc_offset(local)}"


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


# The "annotated copy" label over a picture's top-left corner: 7 pt text stays legible on an office
# print (the writer's 6.5 pt floor), whatever the picture's pixel size or printed size.
STAMP_FONT_PT = 7.0
STAMP_PAD_PT = 2.0
STAMP_RGB = (0.80, 0.0, 0.0)


class LabelledImage(Image):  # type: ignore[misc]  # reportlab ships no type hints
    """A picture with its "annotated copy" label drawn over the top-left corner as PDF text."""

    def __init__(self, data: io.BytesIO, width: float, height: float, label: str, font: str) -> None:
        super().__init__(data, width=width, height=height)
        self.label = label
        self.font = font

    def draw(self) -> None:
        super().draw()
        canvas = self.canv
        label_w = stringWidth(self.label, self.font, STAMP_FONT_PT) + 2 * STAMP_PAD_PT
        box_h = STAMP_FONT_PT + 2 * STAMP_PAD_PT
        left = self._offs_x if hasattr(self, "_offs_x") else 0.0
        bottom = (self._offs_y if hasattr(self, "_offs_y") else 0.0) + self.drawHeight - box_h
        canvas.saveState()
        canvas.setFillColorRGB(1, 1, 1)
        canvas.rect(left, bottom, min(label_w, self.drawWidth), box_h, stroke=0, fill=1)
        canvas.setFillColorRGB(*STAMP_RGB)
        canvas.setFont(self.font, STAMP_FONT_PT)
        canvas.drawString(left + STAMP_PAD_PT, bottom + STAMP_PAD_PT + 1.0, self.label)
        canvas.restoreState()


def picture_flowable(picture: Picture, max_width: float, max_height: float) -> Image:
    """The picture scaled to fit the box, keeping its aspect ratio; labelled when annotated."""
    scale = min(max_width / picture.width_px, max_height / picture.height_px)
    width, height = picture.width_px * scale, picture.height_px * scale
    if picture.stamp and picture.stamp_font:
        return LabelledImage(io.BytesIO(picture.jpeg), width, height, picture.stamp, picture.stamp_font)
    return Image(io.BytesIO(picture.jpeg), width=width, height=height)


class FitPicture(Flowable):  # type: ignore[misc]  # reportlab ships no type hints
    """A picture with its caption under it, as large as the rest of the page allows.

    Between ``min_height`` and ``max_height``: a picture that must start on the next page at full
    size would leave a gap of up to half a page under the text before it (issue 15: "a large gap
    on page 3"); this one takes the room left, and moves on only when even ``min_height`` does not
    fit. Inside a KeepTogether it is measured at ``min_height`` (reportlab measures kept content
    against an unbounded height), so the text before it stays on the page whenever that fits.
    """

    UNBOUNDED_PT = 1e6

    def __init__(
        self, picture: Picture, max_width: float, min_height: float, max_height: float, caption: list[Flowable]
    ) -> None:
        super().__init__()
        self.picture = picture
        self.max_width = max_width
        self.min_height = min_height
        self.max_height = max_height
        self.caption = caption
        self._image: Image | None = None
        self._caption_h = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._caption_h = CAPTION_GAP_PT + sum(p.wrap(avail_width, self.UNBOUNDED_PT)[1] for p in self.caption)
        if avail_height >= self.UNBOUNDED_PT:
            box_h = self.min_height
        else:
            box_h = max(self.min_height, min(self.max_height, avail_height - self._caption_h - 1.0))
        self._image = picture_flowable(self.picture, min(avail_width, self.max_width), box_h)
        _w, image_h = self._image.wrap(avail_width, box_h)
        self.width, self.height = avail_width, image_h + self._caption_h
        return self.width, self.height

    def draw(self) -> None:
        if self._image is None:
            return
        image_w, image_h = self._image.drawWidth, self._image.drawHeight
        self._image.drawOn(self.canv, (self.width - image_w) / 2, self.height - image_h)
        y = self.height - image_h - CAPTION_GAP_PT
        for paragraph in self.caption:
            _w, h = paragraph.wrap(self.width, self.UNBOUNDED_PT)
            y -= h
            paragraph.drawOn(self.canv, 0, y)


CAPTION_GAP_PT = 2.0


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
