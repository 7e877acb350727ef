"""The technical appendix's section on the private values in the buyer's photos (GPS, owner names, serials).

A buyer's photo may carry where it was taken, its owner's name and the serial numbers of the camera and lens.
They are personal data and rarely evidence, so by default the report only says which kinds each photo carries
and that they were withheld; when the seller opts in (Settings, ``--include-private-metadata``) they are
printed here, read again from the case's stored copy of each photo (the copy the report re-verifies).
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer

from shopguard.cases.model import CasePhoto
from shopguard.errors import ShopGuardError
from shopguard.i18n import text
from shopguard.imaging import read_source
from shopguard.imaging.private_metadata import PrivateMetadata, read_private_metadata
from shopguard.report.content import Fact, ReportContext, fact_grid
from shopguard.report.writer import Say, key, literal


def _read(photo: CasePhoto) -> PrivateMetadata:
    if photo.media != "photo" or not photo.is_readable or not photo.stored_path:
        return PrivateMetadata()
    path = Path(photo.stored_path)
    try:
        return read_private_metadata(read_source(path))
    except (ShopGuardError, OSError):  # the files section already says a stored copy is missing
        return PrivateMetadata()


def _withheld(photo: CasePhoto, found: PrivateMetadata) -> Say:
    """ "<photo> carries <kinds>: withheld" in the asked language."""
    kinds = [
        name
        for name, present in (
            ("report.private.kind.gps", found.gps is not None),
            ("report.private.kind.names", bool(found.names)),
            ("report.private.kind.serials", bool(found.serials)),
        )
        if present
    ]

    def say(lang: str) -> str:
        listed = text("report.private.kind.separator", lang).join(text(kind, lang) for kind in kinds)
        return text("report.private.withheld", lang, photo=photo.name, kinds=listed)

    return say


def _rows(photo: CasePhoto, found: PrivateMetadata) -> list[Fact]:
    rows: list[Fact] = [(literal(photo.name), None)]
    if found.gps is not None:
        lat, lon = found.gps
        rows.append((key("report.private.gps"), f"{lat:.6f}, {lon:.6f}"))
    for name, value in (*found.names.items(), *found.serials.items()):
        rows.append((key(f"report.private.field.{name}"), value))
    return rows


def private_details(ctx: ReportContext) -> list[Flowable]:
    """Either the private values of each buyer photo (opted in) or which kinds were withheld; [] when none."""
    found = [(photo, _read(photo)) for photo in ctx.case.photos]
    found = [(photo, values) for photo, values in found if not values.is_empty]
    if not found:
        return []
    writer = ctx.writer
    story: list[Flowable] = [CondPageBreak(30 * mm), writer.heading(key("report.private.section"), "h2")]
    if ctx.options.include_gps:
        rows = [row for photo, values in found for row in _rows(photo, values)]
        story += [
            *writer.block(key("report.private.shown"), "small"),
            Spacer(1, 4),
            fact_grid(ctx, rows, 30 * mm, "mono", is_list=False),
        ]
        return story
    for photo, values in found:
        story += writer.block(_withheld(photo, values), "small")
    story += writer.block(key("report.private.how_to_include"), "small")
    return story
