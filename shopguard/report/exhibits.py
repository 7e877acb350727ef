"""Exhibits: one per strong or moderate finding, with large pictures and the measured values.

Checks may supply their own evidence images (side by side, outline, heat map, thumbnail...);
where they do not, the exhibit is built from the raw data: the complaint photo next to the
matched listing photo, or the complaint photo with the finding's regions outlined.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from shopguard.checks.findings import EvidenceImage, Strength
from shopguard.i18n import has_key, text
from shopguard.report.content import (
    RankedFinding,
    ReportContext,
    fact_table,
    is_gps_key,
    picture_flowable,
    ranked_findings,
    show_time,
    show_value,
)
from shopguard.report.pictures import EXHIBIT_MAX_SIDE_PX, Picture
from shopguard.report.writer import Say, key, literal

# Which of a check's images best stands for the finding on its own (page 1, top of an exhibit).
IMAGE_PRIORITY = ("side-by-side", "changed-outline", "thumbnail", "heatmap", "listing", "ela", "noise")
EXHIBIT_IMAGE_HEIGHT_PT = 105 * mm


def file_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Shown:
    """A picture and what its caption says; ``source`` is the evidence image it came from, if any."""

    picture: Picture
    caption: Say
    short_caption: Say
    source: EvidenceImage | None = None


def _image_caption(image: EvidenceImage) -> Say:
    caption_key = image.caption_key if image.caption_key and has_key(image.caption_key) else (
        f"report.kind.{image.kind}" if has_key(f"report.kind.{image.kind}") else "report.kind.other")
    return lambda lang: text("report.caption.evidence", lang, caption=text(caption_key, lang))


def lead_picture(ctx: ReportContext, item: RankedFinding, max_side: int) -> Shown | None:
    """The one picture that best shows ``item``: a check's image, else a pair, outline or the photo."""
    finding, photo = item.finding, item.photo
    by_kind = sorted(finding.images, key=lambda i: IMAGE_PRIORITY.index(i.kind)
                     if i.kind in IMAGE_PRIORITY else len(IMAGE_PRIORITY))
    for image in by_kind:
        picture = ctx.pictures.evidence(image.path, max_side)
        if picture:
            return Shown(picture, _image_caption(image), _image_caption(image), image)
    if finding.library_photo:
        picture = ctx.pictures.pair(photo.stored_path, finding.library_photo, finding.regions, max_side)
        if picture:
            added = show_time(str(finding.evidence.get("library_added_at", "")))
            return Shown(picture, key("report.caption.pair", photo=photo.name,
                                      listing=file_name(finding.library_photo), added=added),
                         key("report.caption.pair.short"))
    if finding.regions:
        picture = ctx.pictures.outlined(photo.stored_path, finding.regions, max_side)
        if picture:
            return Shown(picture, key("report.caption.outline", photo=photo.name),
                         key("report.caption.outline.short"))
    picture = ctx.pictures.plain(photo.stored_path, max_side)
    if picture is None:
        return None
    return Shown(picture, key("report.caption.photo", photo=photo.name), key("report.caption.photo.short"))


def _shown(ctx: ReportContext, shown: Shown, max_height: float) -> Flowable:
    writer = ctx.writer
    return KeepTogether([picture_flowable(shown.picture, writer.width, max_height),
                         Spacer(1, 2), writer.block(shown.caption, "caption"), Spacer(1, 6)])


def _evidence_rows(ctx: ReportContext, item: RankedFinding) -> list[tuple[Say, str]]:
    rows: list[tuple[Say, str]] = []
    hidden_gps = False
    for name, value in item.finding.evidence.items():
        if is_gps_key(name) and not ctx.options.include_gps:
            hidden_gps = True
            continue
        label_key = f"report.evidence.{name}"
        label = key(label_key) if has_key(label_key) else literal(name)
        rows.append((label, show_value(value)))
    if hidden_gps:
        rows.append((key("report.evidence.gps"), " / ".join(
            text("report.gps.hidden", lang) for lang in ctx.writer.languages)))
    return rows


def exhibit(ctx: ReportContext, number: int, item: RankedFinding) -> list[Flowable]:
    """The flowables of one exhibit."""
    writer = ctx.writer
    finding, photo = item.finding, item.photo

    def title(lang: str) -> str:
        return text("report.exhibit.title", lang, number=number, title=finding.title(lang))

    def limits(lang: str) -> str:
        return finding.limits(lang) or ""

    strength = key(f"strength.{finding.strength.value}")
    head: list[Flowable] = [
        CondPageBreak(60 * mm), writer.heading(title, "h2"),
        fact_table(ctx, [(key("report.field.photo"), f"{photo.name}  (SHA-256 {photo.sha256[:16]}…)"),
                         (key("report.field.strength"), writer.joined(strength, " / ")),
                         (key("report.field.check"), f"{finding.check} · {finding.category.value}")],
                   label_width=34 * mm, style="small"),
        Spacer(1, 4), writer.block(finding.detail), Spacer(1, 6)]
    story: list[Flowable] = [KeepTogether(head)]
    lead = lead_picture(ctx, item, EXHIBIT_MAX_SIDE_PX)
    if lead:
        story.append(_shown(ctx, lead, EXHIBIT_IMAGE_HEIGHT_PT))
    for image in finding.images:
        if lead and image is lead.source:
            continue
        picture = ctx.pictures.evidence(image.path, EXHIBIT_MAX_SIDE_PX)
        if picture:
            caption = _image_caption(image)
            story.append(_shown(ctx, Shown(picture, caption, caption, image), EXHIBIT_IMAGE_HEIGHT_PT))
    if finding.regions and finding.library_photo and not finding.images:
        outlined = ctx.pictures.outlined(photo.stored_path, finding.regions, EXHIBIT_MAX_SIDE_PX)
        if outlined:
            caption = key("report.caption.outline", photo=photo.name)
            story.append(_shown(ctx, Shown(outlined, caption, caption), EXHIBIT_IMAGE_HEIGHT_PT))
    rows = _evidence_rows(ctx, item)
    if rows:
        story += [writer.heading(key("report.exhibit.values"), "h2"),
                  fact_table(ctx, rows, label_width=50 * mm, style="mono")]
    if finding.limits_key:
        story += [writer.heading(key("report.exhibit.limits"), "h2"), writer.block(limits, "small")]
    story.append(Spacer(1, 10))
    return story


def exhibits_section(ctx: ReportContext) -> list[Flowable]:
    """Every strong and moderate finding as an exhibit (weaker ones are listed in the appendix)."""
    writer = ctx.writer
    story: list[Flowable] = [writer.heading(key("report.section.exhibits"))]
    items = ranked_findings(ctx.case, Strength.MODERATE)
    if not items:
        story.append(writer.block(key("report.exhibits.none")))
    for number, item in enumerate(items, start=1):
        story += exhibit(ctx, number, item)
    return story
