"""The pages after the exhibits: every finding, every file's facts, the listing photos, method and limits."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from shopguard.cases.model import CasePhoto
from shopguard.checks.findings import Category, Finding
from shopguard.errors import ImageReadError
from shopguard.i18n import text
from shopguard.imaging import probe, read_source
from shopguard.report.content import Fact, ReportContext, fact_grid, show_time
from shopguard.report.exhibits import exhibit_numbers, file_name
from shopguard.report.listing_dates import LIBRARY_ADDED_SOURCE, existed_by
from shopguard.report.writer import RULE, Say, key, literal

log = logging.getLogger(__name__)


def _size(size_bytes: int) -> str:
    """Bytes and KB with unit symbols only, the same in every language."""
    return f"{size_bytes:,} B ({size_bytes / 1024:,.1f} KB)"


def findings_section(ctx: ReportContext) -> list[Flowable]:
    """Every photo's findings, including weak and informational ones, strongest first.

    A finding that has an exhibit is listed by its title with a pointer to the exhibit, where its
    detail, pictures and values are printed in full (once).
    """
    writer = ctx.writer
    # "loose": kept with the table, the heading would carry the whole table to the next page; the
    # conditional break leaves room for the heading and the first rows instead
    story: list[Flowable] = [CondPageBreak(50 * mm), writer.heading(key("report.section.findings"), "h1:loose")]
    strength_w = 22 * mm
    exhibits = exhibit_numbers(ctx)
    for photo in ctx.case.photos:
        level = key(f"verdict.level.{photo.verdict.level.value}")
        heading = writer.heading(literal(f"{photo.name} — {writer.joined(level, ' / ')}"), "h2")
        rows: list[list[object]] = []
        for finding in sorted(photo.findings, key=lambda f: -f.strength.rank):
            number = exhibits.get(id(finding))
            detail = key("report.findings.see_exhibit", number=number) if number else finding.detail
            cell: list[Flowable] = []
            for index, lang in enumerate(writer.languages):
                cell += [
                    writer.p(finding.title, "body", lang, is_second=index > 0),
                    writer.p(detail, "small", lang, is_second=index > 0),
                ]
            rows.append([writer.stacked(key(f"strength.{finding.strength.value}"), "small"), cell])
        if rows:
            table = writer.table(
                rows,
                [strength_w, writer.width - strength_w],
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ],
                heading,
            )
            story.append(table)
        else:
            story.append(heading)
    return story


def _photo_facts(ctx: ReportContext, photo: CasePhoto, verified: Say | None) -> Flowable:
    """``verified``: the re-verification result, shown when the copy did not match (all matching is said once)."""
    rows: list[Fact] = [
        (key("report.file.name"), photo.name),
        (key("report.file.sha256"), photo.sha256 or "—"),
        (key("report.file.size"), _size(photo.size_bytes)),
        (key("report.file.dimensions"), f"{photo.width} × {photo.height} px"),
        (key("report.file.format"), photo.format.upper()),
        (key("report.file.received"), show_time(photo.received_at)),
        (key("report.file.mtime"), show_time(photo.file_mtime) or "—"),
    ]
    if verified is not None:
        rows.insert(2, (key("report.file.verified"), verified))
    if not photo.is_readable:
        rows.append(
            (
                key("report.file.unreadable"),
                ctx.writer.joined(
                    lambda lang: photo.findings[0].detail(lang, with_zone=True) if photo.findings else "", " / "
                ),
            )
        )
    return fact_grid(ctx, rows, label_width=30 * mm, style="mono")


def _verify_copy(photo: CasePhoto) -> Say | None:
    """The stored copy's SHA-256 computed again now, against the one recorded when the photo was checked:
    None when it matches (or the photo was unreadable and has no copy), else what is wrong."""
    if not photo.stored_path or not photo.sha256:
        return None
    try:
        digest = hashlib.sha256()
        with Path(photo.stored_path).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        log.warning("stored copy of %s is unreadable", photo.name, exc_info=True)
        return key("report.file.verified.missing")
    if digest.hexdigest() != photo.sha256:
        log.warning("stored copy of %s changed: %s != %s", photo.name, digest.hexdigest(), photo.sha256)
        return key("report.file.verified.changed", sha256=digest.hexdigest())
    return None


def _library_photos(ctx: ReportContext) -> dict[str, Finding]:
    """Listing photos the findings refer to: path -> the first finding naming it."""
    found: dict[str, Finding] = {}
    for photo in ctx.case.photos:
        for finding in photo.findings:
            if finding.library_photo and finding.library_photo not in found:
                found[finding.library_photo] = finding
    return found


def _predates(ctx: ReportContext, added_at: str) -> Say:
    order_date = ctx.case.facts.order_date
    if order_date is None or not added_at:
        return key("report.library.predates.unknown")
    try:
        added = datetime.fromisoformat(added_at).date()
    except ValueError:
        return key("report.library.predates.unknown")
    name = "report.library.predates.yes" if added < order_date else "report.library.predates.no"
    return key(name, order_date=order_date.isoformat())


def _listing_facts(ctx: ReportContext, path: str, finding: Finding) -> Flowable:
    added_at = str(finding.evidence.get("library_added_at", ""))
    rows: list[Fact] = [(key("report.file.name"), file_name(path))]
    try:
        source = read_source(path)
        facts = probe(source)
        rows += [
            (key("report.file.sha256"), source.sha256),
            (key("report.file.dimensions"), f"{facts.width} × {facts.height} px, {facts.format.upper()}"),
            (key("report.file.mtime"), show_time(datetime.fromtimestamp(source.mtime, UTC).isoformat())),
        ]
    except ImageReadError as exc:
        rows.append((key("report.file.unreadable"), " / ".join(exc.message(lang) for lang in ctx.writer.languages)))
    rows += [
        (key("report.library.added"), show_time(added_at) or "—"),
        (key("report.library.timing"), _predates(ctx, added_at)),
    ]
    existed = existed_by(finding)
    if existed is not None and existed.source != LIBRARY_ADDED_SOURCE:
        # the library's earliest dated evidence: the three-facts sentence of the exhibit names it
        detail = f" — {existed.detail}" if existed.detail else ""
        said_source, shown = existed.source_say(), existed.shown()
        rows.append((key("report.listing.existed_by"), lambda lang: f"{shown} ({said_source(lang)}){detail}"))
    return fact_grid(ctx, rows, label_width=30 * mm, style="mono")


def files_section(ctx: ReportContext) -> list[Flowable]:
    """File facts of every complaint photo and of every listing photo a finding names."""
    writer = ctx.writer
    # Every stored copy is hashed again now: the report says so once, and names each copy that changed.
    verified = [_verify_copy(photo) for photo in ctx.case.photos]
    tables = [_photo_facts(ctx, photo, v) for photo, v in zip(ctx.case.photos, verified, strict=True)]
    changed = sum(v is not None for v in verified)
    copies = sum(bool(photo.stored_path and photo.sha256) for photo in ctx.case.photos)
    check = (
        key("report.files.verified_all", count=copies)
        if not changed
        else key("report.files.verified_not", count=changed)
    )
    # each heading stays on the page of its first table; each table stays whole
    head: list[Flowable] = [
        writer.heading(key("report.section.files")),
        *writer.block(lambda lang: f"{text('report.files.intro', lang)} {check(lang)}", "small"),
    ]
    story: list[Flowable] = _kept(head, tables)
    listings = _library_photos(ctx)
    if listings:
        head = [
            Spacer(1, 6),
            writer.heading(key("report.section.listings"), "h2"),
            *writer.block(key("report.listings.intro"), "small"),
        ]
        story += _kept(head, [_listing_facts(ctx, path, finding) for path, finding in listings.items()])
    return story


def _kept(head: list[Flowable], tables: list[Flowable]) -> list[Flowable]:
    """``head`` kept with the first table, and every table kept whole (none nested in another)."""
    if not tables:
        return head
    return [KeepTogether([*head, Spacer(1, 4), tables[0]])] + [KeepTogether([Spacer(1, 4), t]) for t in tables[1:]]


def method_section(ctx: ReportContext) -> list[Flowable]:
    """What the checks can and cannot prove, in plain words; only categories this case touched."""
    writer = ctx.writer
    story: list[Flowable] = [CondPageBreak(60 * mm), writer.heading(key("report.section.method"))]
    for name in ("report.method.local", "report.method.originals", "report.method.strength", "report.method.absence"):
        story += [*writer.block(key(name)), Spacer(1, 4)]
    seen = {f.category for p in ctx.case.photos for f in p.findings}
    for category in Category:
        if category in seen and category is not Category.INPUT:
            story += [
                writer.heading(key(f"report.category.{category.value}"), "h2"),
                *writer.block(key(f"report.method.{category.value}"), "small"),
            ]
    return story
