"""Exhibits: one per strong or moderate finding, with large pictures and the measured values.

Checks may supply their own evidence images (side by side, outline, heat map, thumbnail...);
where they do not, the exhibit is built from the raw data: the complaint photo next to the
matched listing photo, or the complaint photo with the finding's regions outlined. Each picture
appears once: the check's side-by-side is made of its outline and aligned-listing images, so
those two are not shown again beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from shopguard.checks.findings import EvidenceImage, Strength
from shopguard.i18n import has_key, text
from shopguard.report.content import (
    FitPicture,
    RankedFinding,
    ReportContext,
    fact_grid,
    picture_flowable,
    ranked_findings,
    show_time,
)
from shopguard.report.evidence_values import evidence_rows
from shopguard.report.listing_dates import is_library_match, lead_match, three_facts
from shopguard.report.pictures import EXHIBIT_MAX_SIDE_PX, Picture
from shopguard.report.writer import Say, key

# A check's images that stand for a finding on their own; heat maps, ELA and noise maps follow them.
LEAD_KINDS = ("side-by-side", "changed-outline", "thumbnail")
# The library-match check's side-by-side is its changed-outline image and its aligned listing
# photo joined (checks/match_evidence.py): with the pair shown, the halves would repeat it.
HALVES_OF_PAIR = ("changed-outline", "listing")
# Its images carry an English caption band that the report replaces with its own label.
BANDED_CHECK = "library-match"
# Forensic maps with the English strip forensic_maps.annotate_stamp burns along their top.
STRIPPED_KINDS = ("ela", "noise", "copy-move")
# The lead picture: at 72 mm a side-by-side pair is still ~65 mm per photo (sharp at 1200 px).
EXHIBIT_IMAGE_HEIGHT_PT = 72 * mm
# ... and down to 40 mm (~38 mm per photo of a pair) to finish the page it starts on (content.FitPicture).
MIN_EXHIBIT_IMAGE_HEIGHT_PT = 40 * mm
# The photo as received, when the finding rests on its data (an AI label) rather than its pixels.
CONTEXT_IMAGE_HEIGHT_PT = 55 * mm
CONTEXT_IMAGE_WIDTH_PT = 55 * mm
# Further pictures (heat map, ELA...) two to a row at half the width, captions under them.
FURTHER_IMAGE_HEIGHT_PT = 48 * mm
PICTURE_GAP_PT = 12.0


def file_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Shown:
    """A picture and what its caption says; ``source`` is the evidence image it came from, if any."""

    picture: Picture
    caption: Say
    short_caption: Say
    source: EvidenceImage | None = None
    is_context: bool = False
    """The buyer's photo as received, shown for context when nothing was drawn for the finding."""


def _image_caption(image: EvidenceImage) -> Say:
    caption_key = (
        image.caption_key
        if image.caption_key and has_key(image.caption_key)
        else (f"report.kind.{image.kind}" if has_key(f"report.kind.{image.kind}") else "report.kind.other")
    )

    def caption(lang: str) -> str:
        said = text(caption_key, lang)
        # Captions of checks' maps already say "annotated copy": say it once.
        if text("report.stamp", lang).lower() in said.lower():
            return said
        return text("report.caption.evidence", lang, caption=said)

    return caption


def pictures_for(ctx: ReportContext, item: RankedFinding, max_side: int) -> Iterator[Shown]:
    """Pictures that show ``item``, most telling first (made lazily: page 1 takes only the first).

    A check's own side-by-side or outline image beats one built here; the pair built from the
    complaint and the matched listing photo beats a heat map, which needs explaining.
    """
    finding, photo = item.finding, item.photo
    kinds = {image.kind for image in finding.images}
    has_pair = "side-by-side" in kinds
    has_band = finding.check == BANDED_CHECK

    def check_images(wanted: Callable[[str], bool]) -> Iterator[Shown]:
        for image in finding.images:
            if wanted(image.kind) and not (has_pair and image.kind in HALVES_OF_PAIR):
                picture = ctx.pictures.evidence(image.path, max_side, has_band, image.kind in STRIPPED_KINDS)
                if picture:
                    caption = _image_caption(image)
                    yield Shown(picture, caption, caption, image)

    shown_any = False
    for shown in check_images(lambda kind: kind in ("side-by-side", "changed-outline")):
        shown_any = True
        yield shown
    if finding.library_photo and "side-by-side" not in kinds:
        picture = ctx.pictures.pair(photo.picture_path, finding.library_photo, finding.regions, max_side)
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
        picture = ctx.pictures.outlined(photo.picture_path, finding.regions, max_side)
        if picture:
            shown_any = True
            yield Shown(picture, key("report.caption.outline", photo=photo.name), key("report.caption.outline.short"))
    for shown in check_images(lambda kind: kind not in LEAD_KINDS):
        shown_any = True
        yield shown
    if not shown_any:
        picture = ctx.pictures.plain(photo.picture_path, max_side)
        if picture:
            caption = key("report.caption.photo", photo=photo.name)
            yield Shown(picture, caption, key("report.caption.photo.short"), is_context=True)


def lead_picture(ctx: ReportContext, item: RankedFinding, max_side: int) -> Shown | None:
    """The one picture that best shows ``item`` (page 1)."""
    return next(pictures_for(ctx, item, max_side), None)


def zoom_picture(ctx: ReportContext, item: RankedFinding, max_side: int) -> Shown | None:
    """The enlarged crop of a thin or faint changed region (``changed-zoom``), if the check made one.

    A 2 px crack is a few pixels of a page-wide pair; the reviewer must see it on page 1, not on page 2.
    """
    for image in item.finding.images:
        if image.kind == "changed-zoom":
            picture = ctx.pictures.evidence(image.path, max_side, item.finding.check == BANDED_CHECK)
            if picture:
                caption = _image_caption(image)
                return Shown(picture, caption, caption, image)
    return None


def _shown(ctx: ReportContext, shown: Shown, max_width: float, max_height: float) -> list[Flowable]:
    """A picture and its caption (the caller keeps them together; KeepTogethers must not nest:
    reportlab sizes a KeepTogether as "too tall" inside another one and breaks the page)."""
    writer = ctx.writer
    return [
        picture_flowable(shown.picture, max_width, max_height),
        Spacer(1, 2),
        *writer.block(shown.caption, "caption"),
        Spacer(1, 6),
    ]


def _beside(ctx: ReportContext, text_cell: list[Flowable], shown: Shown) -> Table:
    """Text on the left, a small picture with its caption on the right."""
    writer = ctx.writer
    column = CONTEXT_IMAGE_WIDTH_PT + PICTURE_GAP_PT
    picture = [picture_flowable(shown.picture, CONTEXT_IMAGE_WIDTH_PT, CONTEXT_IMAGE_HEIGHT_PT), Spacer(1, 2)]
    return writer.table(
        [[text_cell, picture + writer.block(shown.caption, "caption")]],
        [writer.width - column, column],
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("LEFTPADDING", (1, 0), (1, 0), PICTURE_GAP_PT),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ],
    )


def _further_pictures(ctx: ReportContext, shown_all: list[Shown]) -> Table:
    """Pictures after the first, two to a row; a lone one gets its caption beside it."""
    writer = ctx.writer
    column = (writer.width - PICTURE_GAP_PT) / 2
    rows: list[list[object]] = []
    if len(shown_all) == 1:
        only = shown_all[0]
        rows.append(
            [picture_flowable(only.picture, column, FURTHER_IMAGE_HEIGHT_PT), writer.block(only.caption, "caption")]
        )
    else:
        cells = [_shown(ctx, shown, column, FURTHER_IMAGE_HEIGHT_PT) for shown in shown_all]
        for index in range(0, len(cells), 2):
            pair: list[object] = list(cells[index : index + 2])
            rows.append(pair + [[]] * (2 - len(pair)))
    return writer.table(
        rows,
        [column + PICTURE_GAP_PT, column],
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (0, -1), PICTURE_GAP_PT),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ],
    )


def _check_name(ctx: ReportContext, check: str, category: str) -> str:
    """The category in words (the heading of its method text at the end), then the check's id, on one line."""
    name_key = f"report.category.{category}"
    if not has_key(name_key):
        return f"{check} · {category}"
    return f"{ctx.writer.joined(key(name_key), ' / ')} ({check})"


def exhibit_numbers(ctx: ReportContext) -> dict[int, int]:
    """Exhibit number of each finding that has an exhibit, by the finding's ``id()``."""
    items = ranked_findings(ctx.case, Strength.MODERATE)
    return {id(item.finding): number for number, item in enumerate(items, start=1)}


def exhibit(ctx: ReportContext, number: int, item: RankedFinding) -> list[Flowable]:
    """The flowables of one exhibit."""
    writer = ctx.writer
    finding, photo = item.finding, item.photo

    def title(lang: str) -> str:
        return text("report.exhibit.title", lang, number=number, title=finding.title(lang, with_zone=True))

    def limits(lang: str) -> str:
        return finding.limits(lang, with_zone=True) or ""

    head: list[Flowable] = [
        *writer.title(title, "h2"),
        Spacer(1, 2),
        fact_grid(
            ctx,
            [
                (key("report.field.photo"), f"{photo.name}  (SHA-256 {photo.sha256[:16]}…)"),
                (key("report.field.strength"), key(f"strength.{finding.strength.value}")),
                (key("report.field.check"), _check_name(ctx, finding.check, finding.category.value)),
            ],
            label_width=24 * mm,
            style="small",
            is_list=False,
        ),
        Spacer(1, 4),
    ]
    shown_all = list(pictures_for(ctx, item, EXHIBIT_MAX_SIDE_PX))
    lead: FitPicture | None = None
    # The plain-words account; the check's own detail names its measurements (the appendix has it).
    account: Say = finding.detail
    if is_library_match(finding):
        account = three_facts(ctx, item)
    if item.finding is getattr(lead_match(ctx), "finding", None) and shown_all and not shown_all[0].is_context:
        # page 1 shows this pair at the same size (and the enlarged crop, if it had the room): not printed twice
        shown_all = [s for s in shown_all[1:] if s.source is None or s.source.path not in ctx.on_page_one]
        head += [*writer.block(account), Spacer(1, 2), *writer.block(key("report.exhibit.on_page1"), "small")]
        head += [Spacer(1, 6)]
    elif shown_all and shown_all[0].is_context:
        # the photo as received only gives context: beside the text, not under it
        head += [_beside(ctx, writer.block(account), shown_all[0]), Spacer(1, 6)]
        shown_all = shown_all[1:]
    else:
        head += [*writer.block(account), Spacer(1, 6)]
        if shown_all:
            caption = writer.block(shown_all[0].caption, "caption")
            lead = FitPicture(
                shown_all[0].picture, writer.width, MIN_EXHIBIT_IMAGE_HEIGHT_PT, EXHIBIT_IMAGE_HEIGHT_PT, caption
            )
            shown_all = shown_all[1:]
    if evidence_rows(ctx, item) or is_library_match(finding):
        head += [*writer.block(key("report.exhibit.see_appendix", number=number), "small"), Spacer(1, 6)]
    # The exhibit's title and text stay together; its picture takes the room left on that page, or
    # starts the next one (keeping them together left half a page empty before a large picture).
    story: list[Flowable] = [KeepTogether(head)]
    if lead is not None:
        story += [lead, Spacer(1, 6)]
    if shown_all:
        # a gap above the maps: a heat map right under the text above reads as part of it
        story += [Spacer(1, PICTURE_GAP_PT / 2), _further_pictures(ctx, shown_all)]
    if finding.limits_key:
        story += [writer.heading(key("report.exhibit.limits"), "h2"), *writer.block(limits, "small")]
    story.append(Spacer(1, 10))
    return story


def exhibits_section(ctx: ReportContext) -> list[Flowable]:
    """Every strong and moderate finding as an exhibit (weaker ones are listed in the appendix)."""
    writer = ctx.writer
    # "loose": a kept-with-next heading before a KeepTogether would nest them (see _shown)
    story: list[Flowable] = [writer.heading(key("report.section.exhibits"), "h1:loose")]
    items = ranked_findings(ctx.case, Strength.MODERATE)
    if not items:
        story += writer.block(key("report.exhibits.none"))
    for number, item in enumerate(items, start=1):
        story += exhibit(ctx, number, item)
    return story
