"""``capture-time``: when the camera says the photo was taken, against the order and delivery dates.

A photo of delivered goods whose EXIF ``DateTimeOriginal`` is before the delivery date (or before the
order) cannot show the delivered item as received: ``strong``. Only the date part is compared, with
one day of tolerance, because EXIF times carry no time zone unless ``OffsetTimeOriginal`` is set and
the seller's dates are calendar days. Camera clocks can be wrong (never set, reset after a battery
change), which the finding's limits say. A later "modified" time (EXIF ``DateTime``) than the capture
time means software re-saved the file: ``weak`` when more than a day apart.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import ClassVar

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.registry import register
from shopguard.imaging.photo_metadata import PhotoMetadata, read_metadata

TOLERANCE = timedelta(days=1)
"""Time-zone slack: a capture "yesterday" in UTC+8 can be "today" for the seller's dates."""
MODIFY_GAP = timedelta(days=1)
# EXIF "YYYY:MM:DD HH:MM:SS"; XMP dates are ISO 8601 and may stop at the day or the minute.
_EXIF_TIME = re.compile(r"^(\d{4})[:-](\d{2})[:-](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?")
# In preference order. xmp:CreateDate is when the *document* was created: for a camera file that is the
# capture, but an edited composite may carry its template's date, so it only ever gives ``moderate``.
_XMP_CAPTURE = ("DateTimeOriginal", "DateCreated", "CreateDate")
_XMP_NS_OK = ("http://ns.adobe.com/exif/1.0/", "http://ns.adobe.com/photoshop/1.0/", "http://ns.adobe.com/xap/1.0/")


def parse_exif_time(value: str) -> datetime | None:
    """EXIF "YYYY:MM:DD HH:MM:SS" (or the XMP ISO form); None for blanks like "0000:00:00 00:00:00"."""
    match = _EXIF_TIME.match(value.strip())
    if not match:
        return None
    try:
        year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def capture_time(meta: PhotoMetadata) -> tuple[str, str, datetime] | None:
    """(field, raw value, parsed time) of the best capture time the file states."""
    for name in ("DateTimeOriginal", "DateTimeDigitized"):
        raw = meta.exif.text.get(name)
        if raw and (parsed := parse_exif_time(raw)):
            return f"EXIF {name}", raw, parsed
    for name in _XMP_CAPTURE:
        for prop in meta.xmp:
            parsed = parse_exif_time(prop.value) if prop.name == name else None
            if parsed and prop.namespace in _XMP_NS_OK:
                return f"XMP {prop.name}", prop.value, parsed
    return None


@register
class CaptureTimeCheck:
    id: ClassVar[str] = "capture-time"
    order: ClassVar[int] = 51

    def run(self, ctx: CheckContext) -> list[Finding]:
        meta = read_metadata(ctx.source)
        found = capture_time(meta)
        if found is None:
            return []
        field, raw, taken = found
        findings = self._against_case(ctx, field, raw, taken.date())
        modified_raw = meta.exif.text.get("DateTime")
        modified = parse_exif_time(modified_raw) if modified_raw else None
        if modified_raw and modified and modified - taken > MODIFY_GAP:
            findings.append(
                Finding(
                    self.id,
                    Category.CAPTURE_TIME,
                    Strength.WEAK,
                    "finding.capture.modified.title",
                    "finding.capture.modified.detail",
                    fields={"field": field, "taken": raw, "modified": modified_raw, "days": (modified - taken).days},
                    evidence={
                        "capture_field": field,
                        "capture_value": raw,
                        "DateTime": modified_raw,
                        "gap_days": (modified - taken).days,
                    },
                    limits_key="finding.capture.modified.limits",
                )
            )
        return findings

    def _against_case(self, ctx: CheckContext, field: str, raw: str, taken: date) -> list[Finding]:
        case = ctx.case
        evidence = {"capture_field": field, "capture_value": raw, "capture_date": taken.isoformat()}
        for label, when in (("delivery", case.delivery_date), ("order", case.order_date)):
            if when is not None and taken < when - TOLERANCE:
                return [
                    Finding(
                        self.id,
                        Category.CAPTURE_TIME,
                        Strength.MODERATE if field == "XMP CreateDate" else Strength.STRONG,
                        f"finding.capture.before_{label}.title",
                        f"finding.capture.before_{label}.detail",
                        fields={"field": field, "taken": raw, "date": when.isoformat(), "days": (when - taken).days},
                        evidence={**evidence, f"{label}_date": when.isoformat(), "days_before": (when - taken).days},
                        limits_key="finding.capture.limits",
                    )
                ]
        if case.complaint_date is not None and taken > case.complaint_date + TOLERANCE:
            return [
                Finding(
                    self.id,
                    Category.CAPTURE_TIME,
                    Strength.WEAK,
                    "finding.capture.after_complaint.title",
                    "finding.capture.after_complaint.detail",
                    fields={"field": field, "taken": raw, "date": case.complaint_date.isoformat()},
                    evidence={**evidence, "complaint_date": case.complaint_date.isoformat()},
                    limits_key="finding.capture.limits",
                )
            ]
        key = "consistent" if (case.delivery_date or case.order_date) else "no_case"
        return [
            Finding(
                self.id,
                Category.CAPTURE_TIME,
                Strength.INFO,
                f"finding.capture.{key}.title",
                f"finding.capture.{key}.detail",
                fields={"field": field, "taken": raw},
                evidence=evidence,
                limits_key="finding.capture.limits",
            )
        ]
