"""Exhibits: one per strong or moderate finding, with large pictures and the measured values.

Checks may supply their own evidence images (side by side, outline, heat map, thumbnail...);
where they do not, the exhibit is built from the raw data: the complaint photo next to the
matched listing photo, or the complaint photo with the finding's regions outlined.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

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

# A check's images that stand for a finding on their own; heat maps, ELA and noise maps follow them.
PRIVATE_FIELDS_KEY = "private_fields"
LEAD_KINDS = ("side-by-side", "changed-outline", "thumbnail")
EXHIBIT_IMAGE_HEIGHT_PT = 105 * mm
# Further pictures (outline, heat map...) two to a page with their captions.
FURTHER_IMAGE_HEIGHT_PT = 88 * mm


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
    caption_key = (
        image.caption_key
        if image.caption_key and has_key(image.caption_key)
        else (f"report.kind.{image.kind}" if has_key(f"report.kind.{image.kind}") else "report.kind.other")
    )
    return lambda lang: text("report.caption.evidence", lang, caption=text(caption_key, lang))


def pictures_for(ctx: ReportContext, item: RankedFinding, max_side: int) -> Iterator[Shown]:
    """Pictures that show ``item``, most telling first (made lazily: page 1 takes only the first).

    A check's own side-by-side or outline image beats one built here; the pair built from the
    complaint and the matched listing photo beats a heat map, which needs explaining.
    """
    finding, photo = item.finding, item.photo
    kinds = {image.kind for image in finding.images}

    def check_images(wanted: Callable[[str], bool]) -> Iterator[Shown]:
        for image in finding.images:
            if wanted(image.kind):
                picture = ctx.pictures.evidence(image.path, max_side)
                if picture:
                    caption = _image_caption(image)
                    yield Shown(picture, caption, caption, image)

    shown_any = False
    for shown in check_images(lambda kind: kind in ("side-by-side", "changed-outline")):
        shown_any = True
        yield shown
    if finding.library_photo and "side-by-side" not in kinds:
        picture = ctx.pictures.pair(photo.stored_path, finding.library_photo, finding.regions, max_side)
        if picture:
            shown_any = True
            added = show_time(str(finding.evidence.get("library_added_at", "")))
            yield Shown(
                picture,
                key("report.caption.pair", photo=photo.name, listing=file_name(finding.library_photo), added=added),
                key("report.caption.pair.short"),
            )
    for shown in check_images(lambda kind: kind == "thumbnail"):
        shown_any = True
        yield shown
    if finding.regions and "changed-outline" not in kinds:
        picture = ctx.pictures.outlined(photo.stored_path, finding.regions, max_side)
        if picture:
            shown_any = True
            yield Shown(picture, key("report.caption.outline", photo=photo.name), key("report.caption.outline.short"))
    for shown in check_images(lambda kind: kind not in LEAD_KINDS):
        shown_any = True
        yield shown
    if not shown_any:
        picture = ctx.pictures.plain(photo.stored_path, max_side)
        if picture:
            yield Shown(picture, key("report.caption.photo", photo=photo.name), key("report.caption.photo.short"))


def lead_picture(ctx: ReportContext, item: RankedFinding, max_side: int) -> Shown | None:
    """The one picture that best shows ``item`` (page 1)."""
    return next(pictures_for(ctx, item, max_side), None)


def _shown(ctx: ReportContext, shown: Shown, max_height: float) -> list[Flowable]:
    """A picture and its caption (the caller keeps them together; KeepTogethers must not nest:
    reportlab sizes a KeepTogether as "too tall" inside another one and breaks the page)."""
    writer = ctx.writer
    return [
        picture_flowable(shown.picture, writer.width, max_height),
        Spacer(1, 2),
        writer.block(shown.caption, "caption"),
        Spacer(1, 6),
    ]


def _evidence_label(name: str, parent: str | None = None) -> Say:
    label_key = f"report.evidence.{name}"
    label = key(label_key) if has_key(label_key) else literal(name)
    if parent is None:
        return label
    outer = _evidence_label(parent)
    return lambda lang: f"{outer(lang)} › {label(lang)}"


def _evidence_rows(ctx: ReportContext, item: RankedFinding) -> list[tuple[Say, str]]:
    """One row per measured value; a nested table of values (decoded label fields) one row per field."""
    rows: list[tuple[Say, str]] = []
    hidden_gps = False
    evidence = item.finding.evidence
    # Checks list values that are private (coordinates) under "private_fields" (metadata checks).
    private = {str(name) for name in evidence.get(PRIVATE_FIELDS_KEY) or ()}
    for name, value in evidence.items():
        if name == PRIVATE_FIELDS_KEY:
            continue
        if name in private and not ctx.options.include_gps:
            hidden_gps = True
            continue
        entries = value.items() if isinstance(value, dict) and value else [(None, value)]
        for sub_name, sub_value in entries:
            if (is_gps_key(name) or (sub_name and is_gps_key(str(sub_name)))) and not ctx.options.include_gps:
                hidden_gps = True
                continue
            label = _evidence_label(name) if sub_name is None else _evidence_label(str(sub_name), name)
            rows.append((label, show_value(sub_value)))
    if hidden_gps:
        rows.append(
            (key("report.evidence.gps"), " / ".join(text("report.gps.hidden", lang) for lang in ctx.writer.languages))
        )
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
        writer.heading(title, "h2"),
        fact_table(
            ctx,
            [
                (key("report.field.photo"), f"{photo.name}  (SHA-256 {photo.sha256[:16]}…)"),
                (key("report.field.strength"), writer.joined(strength, " / ")),
                (key("report.field.check"), f"{finding.check} · {finding.category.value}"),
            ],
            label_width=34 * mm,
            style="small",
        ),
        Spacer(1, 4),
        writer.block(finding.detail),
        Spacer(1, 6),
    ]
    shown_all = list(pictures_for(ctx, item, EXHIBIT_MAX_SIDE_PX))
    pictures = [
        _shown(ctx, shown, EXHIBIT_IMAGE_HEIGHT_PT if index == 0 else FURTHER_IMAGE_HEIGHT_PT)
        for index, shown in enumerate(shown_all)
    ]
    # The exhibit's title and text stay on the page of its first picture.
    story: list[Flowable] = [KeepTogether(head + (pictures[0] if pictures else []))]
    story += [KeepTogether(picture) for picture in pictures[1:]]
    rows = _evidence_rows(ctx, item)
    if rows:
        story += [
            writer.heading(key("report.exhibit.values"), "h2"),
            fact_table(ctx, rows, label_width=50 * mm, style="mono"),
        ]
    if finding.limits_key:
        story += [writer.heading(key("report.exhibit.limits"), "h2"), writer.block(limits, "small")]
    story.append(Spacer(1, 10))
    return story


def exhibits_section(ctx: ReportContext) -> list[Flowable]:
    """Every strong and moderate finding as an exhibit (weaker ones are listed in the appendix)."""
    writer = ctx.writer
    # "loose": a kept-with-next heading before a KeepTogether would nest them (see _shown)
    story: list[Flowable] = [writer.heading(key("report.section.exhibits"), "h1:loose")]
    items = ranked_findings(ctx.case, Strength.MODERATE)
    if not items:
        story.append(writer.block(key("report.exhibits.none")))
    for number, item in enumerate(items, start=1):
        story += exhibit(ctx, number, item)
    return story
