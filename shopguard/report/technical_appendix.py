"""The technical appendix at the end of the report: the numbers the exhibits rest on.

A reviewer reads page 1 and the exhibits in plain words; whoever checks the method finds here,
per exhibit, the check's own account with its measurements (transform, inlier counts, similarity,
thresholds) and every measured value, then the shop library's journal entry of each listing
photo the report cites and the journal's head when the report was made. Anyone holding the
library can re-run ``shopguard library verify``: an entry edited, removed or re-ordered after
this report no longer chains to the head printed here.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from shopguard.checks.findings import Strength
from shopguard.i18n import text
from shopguard.report.content import Fact, ReportContext, fact_grid, ranked_findings, show_time
from shopguard.report.evidence_values import evidence_rows
from shopguard.report.listing_dates import file_name
from shopguard.report.private_details import private_details
from shopguard.report.writer import key

# number and time first: both short, they share a row
JOURNAL_FIELDS = ("seq", "recorded_at", "sha256", "prev_hash", "entry_hash")


def _journal_rows(entry: dict[str, Any]) -> list[Fact]:
    rows: list[Fact] = []
    for name in JOURNAL_FIELDS:
        value = entry.get(name)
        if value is None or value == "":
            continue
        shown = show_time(str(value)) if name == "recorded_at" else str(value)
        rows.append((key(f"report.journal.{name}"), shown))
    return rows


def journal_head(ctx: ReportContext) -> dict[str, Any] | None:
    """The library journal's head stored with the case (``library_journal_head``), if any."""
    head = getattr(ctx.case, "library_journal_head", None)
    return head if isinstance(head, dict) and head.get("entry_hash") else None


def _journal(ctx: ReportContext) -> list[Flowable]:
    """Each cited listing photo's journal entry, then the chain head."""
    writer = ctx.writer
    entries: dict[str, dict[str, Any]] = {}
    for photo in ctx.case.photos:
        for finding in photo.findings:
            entry = finding.evidence.get("journal_entry")
            if finding.library_photo and isinstance(entry, dict) and finding.library_photo not in entries:
                entries[finding.library_photo] = entry
    head = journal_head(ctx)
    if not entries and head is None:
        return []
    rows: list[Fact] = []
    for path, entry in entries.items():
        rows += [(key("report.journal.entry", listing=file_name(path)), None), *_journal_rows(entry)]
    if head is not None:
        rows += [
            (key("report.journal.head", seq=head.get("seq", "—")), None),
            (key("report.journal.entry_hash"), str(head["entry_hash"])),
        ]
    story: list[Flowable] = [
        CondPageBreak(30 * mm),
        writer.heading(key("report.journal.section"), "h2"),
        *writer.block(key("report.journal.intro"), "small"),
        Spacer(1, 4),
        fact_grid(ctx, rows, 30 * mm, "mono", is_list=False),
    ]
    if head is None:
        story += writer.block(key("report.journal.no_head"), "small")
    return story


def technical_appendix(ctx: ReportContext) -> list[Flowable]:
    """Per exhibit: the check's account with its numbers and every measured value; then the journal."""
    writer = ctx.writer
    items = ranked_findings(ctx.case, Strength.MODERATE)
    story: list[Flowable] = []
    for number, item in enumerate(items, start=1):
        finding = item.finding
        rows = evidence_rows(ctx, item)

        def title(lang: str, number: int = number, finding: Any = finding) -> str:
            return text("report.appendix.exhibit", lang, number=number, title=finding.title(lang, with_zone=True))

        def detail(lang: str, finding: Any = finding) -> str:
            return str(finding.detail(lang, with_zone=True))

        head: list[Flowable] = [
            *writer.title(title, "h2"),
            *writer.block(detail, "small"),
            Spacer(1, 3),
        ]
        if rows:
            # the heading row repeats if the table runs onto the next page; title and account stay with it
            # two short values to a row; the table may run onto the next page, the account stays whole
            story += [*head, fact_grid(ctx, rows, 46 * mm, "mono", is_list=False)]
        else:
            story.append(KeepTogether(head))
        story.append(Spacer(1, 6))
    story += private_details(ctx)
    story += _journal(ctx)
    if not story:
        return []
    intro = [
        CondPageBreak(40 * mm),
        writer.heading(key("report.section.appendix")),
        *writer.block(key("report.appendix.intro"), "small"),
        Spacer(1, 4),
    ]
    return [*intro, *story]
