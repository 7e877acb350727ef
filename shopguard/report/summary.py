"""Page 1: who, what, the verdict in one sentence, and the three strongest facts with pictures.

A platform reviewer spends about a minute on a report; this page has to carry the case alone,
for a reader of either language (in "both" mode every text appears in Chinese and English).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepInFrame, Spacer, Table

from shopguard.checks.findings import Finding, Strength, VerdictLevel
from shopguard.i18n import has_key, text
from shopguard.report.content import (
    Fact,
    RankedFinding,
    ReportContext,
    fact_grid,
    picture_flowable,
    ranked_findings,
)
from shopguard.report.exhibits import Shown, lead_picture, zoom_picture
from shopguard.report.listing_dates import lead_match, three_facts
from shopguard.report.pictures import EXHIBIT_MAX_SIDE_PX, THUMB_MAX_SIDE_PX
from shopguard.report.writer import PANEL, RULE, Say, key, literal

KEY_FACTS = 3
MIN_FACTS_ROOM_PT = 50 * mm
FIT_SLACK_PT = 4.0
FULL, CLIPPED = 100_000, 120  # page-1 detail length in characters
LOGO_BOX_PT = (30 * mm, 18 * mm)
LOGO_MAX_SIDE_PX = 300
# Page-1 picture box: larger when fewer facts share the page.
THUMB_BOX_PT = {1: (90 * mm, 66 * mm), 2: (76 * mm, 56 * mm), 3: (60 * mm, 44 * mm)}
TINY_BOX_PT = (46 * mm, 30 * mm)
# The buyer's photo beside the listing photo across the page: at 70 mm high each half of a pair
# is ~85 mm wide, and a changed region of 5% of the picture is still ~1.5 cm across on paper.
MAX_PAIR_HEIGHT_PT = 82 * mm
MIN_PAIR_HEIGHT_PT = 50 * mm
# The enlarged crop of a thin or faint region under the pair: two halves of ~45 mm each, so a 2 px crack in
# a 4,000 px photo is a line of a few mm on paper.
ZOOM_HEIGHT_PT = 45 * mm
# ... or beside the pair when the pair (portrait photos) leaves at least this much of the width free.
MIN_BESIDE_ZOOM_PT = 60 * mm
BESIDE_GAP_PT = 6 * mm
HASH_LABEL_PT = 40 * mm
LEVEL_COLOURS = {
    VerdictLevel.STRONG: colors.HexColor("#b3261e"),
    VerdictLevel.MODERATE: colors.HexColor("#b26a00"),
    VerdictLevel.WEAK: colors.HexColor("#5f6368"),
    VerdictLevel.NONE: colors.HexColor("#3c6e91"),
}


def _header(ctx: ReportContext) -> list[Flowable]:
    writer = ctx.writer
    shop = shop_name(ctx)
    lines: list[Flowable] = [writer.heading(key("report.title"), "title")]
    if shop:
        lines.append(writer.heading(literal(shop), "h2"))
    lines.append(writer.p(literal(f"{writer.joined(key('report.case_id', case_id=ctx.case.id))}"), "small"))
    logo = ctx.pictures.plain(ctx.options.shop_logo, LOGO_MAX_SIDE_PX) if ctx.options.shop_logo else None
    if logo is None:
        return lines
    logo_w = LOGO_BOX_PT[0] + 6
    return [
        writer.table(
            [[lines, picture_flowable(logo, *LOGO_BOX_PT)]],
            [writer.width - logo_w, logo_w],
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ],
        )
    ]


def shop_name(ctx: ReportContext) -> str:
    """The shop's name: from the report options (Settings), else the one stored with the case."""
    stored = getattr(ctx.case.facts, "shop_name", None)
    return ctx.options.shop_name or (str(stored) if stored else "")


def platform_name(platform: str | None) -> Say | None:
    """The platform's name in each language (the order form stores ids such as "taobao")."""
    if not platform:
        return None
    name_key = f"gui.platform.{platform.lower()}"
    return key(name_key) if has_key(name_key) else literal(platform)


def _case_facts(ctx: ReportContext) -> Table:
    """The order facts the seller entered (a field left empty is left out, not shown as "not given")."""
    writer, facts = ctx.writer, ctx.case.facts

    def day(value: date | None) -> Say | None:
        return literal(value.isoformat()) if value else None

    shop = shop_name(ctx)
    given: list[tuple[str, Say | None]] = [
        ("report.field.shop", literal(shop) if shop else None),
        ("report.field.platform", platform_name(facts.platform)),
        ("report.field.order_id", literal(facts.order_id) if facts.order_id else None),
        ("report.field.buyer", literal(facts.buyer) if facts.buyer else None),
        ("report.field.order_date", day(facts.order_date)),
        ("report.field.delivery_date", day(facts.delivery_date)),
        ("report.field.complaint_date", day(facts.complaint_date)),
        ("report.field.photos", literal(str(len(ctx.case.photos)))),
    ]
    pairs = [(label, say) for label, say in given if say is not None]
    label_w, value_w = 26 * mm, writer.width / 2 - 26 * mm
    rows: list[list[Flowable | str]] = []
    for index in range(0, len(pairs), 2):
        row: list[Flowable | str] = []
        for label, say in pairs[index : index + 2]:
            row += [writer.label(key(label)), writer.p(literal(writer.joined(say, " / ")))]
        rows.append(row + [""] * (4 - len(row)))
    if facts.claim_text:
        rows.append(
            [writer.label(key("report.field.claim")), writer.p(literal(facts.claim_text)), Spacer(0, 0), Spacer(0, 0)]
        )
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
    ]
    if facts.claim_text:
        commands.append(("SPAN", (1, len(rows) - 1), (3, len(rows) - 1)))
    return writer.table(rows, [label_w, value_w, label_w, value_w], commands)


def _verdict_box(ctx: ReportContext) -> Table:
    writer = ctx.writer
    verdict = ctx.case.verdict
    level_colour = LEVEL_COLOURS[verdict.level]
    counts = Counter(p.verdict.level for p in ctx.case.photos)
    tally = key(
        "report.verdict.tally",
        total=len(ctx.case.photos),
        strong=counts[VerdictLevel.STRONG],
        moderate=counts[VerdictLevel.MODERATE],
        weak=counts[VerdictLevel.WEAK],
        none=counts[VerdictLevel.NONE],
    )
    badge = writer.stacked(key(f"verdict.level.{verdict.level.value}"), "badge")
    badge_w = 36 * mm
    sentence = [*writer.block(verdict.summary, "verdict"), Spacer(1, 3), *writer.block(tally, "small")]
    table = writer.table(
        [[badge, sentence]],
        [badge_w, writer.width - badge_w],
        [
            ("BACKGROUND", (0, 0), (0, 0), level_colour),
            ("BACKGROUND", (1, 0), (1, 0), PANEL),
            ("BOX", (0, 0), (-1, -1), 1.2, level_colour),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ],
    )
    return table


def _key_fact_row(
    ctx: ReportContext, number: int, item: RankedFinding, box: tuple[float, float], detail_chars: int
) -> list[object]:
    writer = ctx.writer
    finding = item.finding
    shown = lead_picture(ctx, item, THUMB_MAX_SIDE_PX)
    picture_cell: list[Flowable] = []
    if shown:
        picture_cell = [
            picture_flowable(shown.picture, *box),
            Spacer(1, 2),
            *writer.stacked(shown.short_caption, "caption"),
        ]
    text_cell: list[Flowable] = []
    # Chinese title and detail, then the English ones in the smaller second-language type
    for index, lang in enumerate(writer.languages):
        strength = key(f"strength.{finding.strength.value}")(lang)
        title = key(
            "report.key_fact.title", number=number, strength=strength, title=finding.title(lang, with_zone=True)
        )
        text_cell.append(writer.p(title, "h2", lang, is_second=index > 0))
        if detail_chars:
            detail = finding.detail(lang, with_zone=True)
            clipped = detail if len(detail) <= detail_chars else detail[: detail_chars - 1] + "…"
            text_cell.append(writer.p(literal(clipped), "small", lang, is_second=index > 0))
        text_cell.append(Spacer(1, 3))
    photo_label = writer.joined(key("report.field.photo"), " / ")
    text_cell.append(writer.p(literal(f"{photo_label}: {item.photo.name}"), "caption"))
    return [picture_cell, text_cell]


def _key_facts_table(
    ctx: ReportContext, items: list[RankedFinding], detail_chars: int, box: tuple[float, float]
) -> Table:
    writer = ctx.writer
    rows = [_key_fact_row(ctx, number, item, box, detail_chars) for number, item in enumerate(items, start=1)]
    picture_w = box[0] + 8
    return writer.table(
        rows,
        [picture_w, writer.width - picture_w],
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -2), 0.3, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ],
    )


def _height(flowables: list[Flowable], width: float) -> float:
    return float(sum(f.wrap(width, 1e6)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables))


def _photos_checked(ctx: ReportContext) -> list[Flowable]:
    """With nothing to show as evidence, page 1 shows the photos that were checked (up to three)."""
    writer = ctx.writer
    cells: list[list[Flowable]] = []
    for photo in ctx.case.photos[:KEY_FACTS]:
        picture = ctx.pictures.plain(photo.picture_path, THUMB_MAX_SIDE_PX)
        # a file that could not be read says so where its picture would be, not an empty gap
        cell = (
            [picture_flowable(picture, *THUMB_BOX_PT[3])] if picture else writer.stacked(key("report.file.unreadable"))
        )
        cells.append([*cell, Spacer(1, 2), writer.p(literal(photo.name), "caption")])
    if not cells:
        return []
    column = writer.width / KEY_FACTS
    table = writer.table(
        [cells], [column] * len(cells), [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]
    )
    return [writer.heading(key("report.section.photos_checked"), "h2"), table]


def _hashes(ctx: ReportContext, match: RankedFinding | None) -> Table:
    """SHA-256 of the buyer's photo(s) and of the matched listing photo: the files, fixed.

    With a match, the two photos of the pair (and the listing photo's library journal entry);
    the file facts in the appendix give every photo's hash.
    """
    photos = [match.photo] if match is not None else list(ctx.case.photos[:KEY_FACTS])
    rows: list[Fact] = [(key("report.hash.buyer"), photo.sha256 or "—") for photo in photos]
    if match is not None:
        listing_sha = str(match.finding.evidence.get("library_sha256") or "—")
        rows.append((key("report.hash.listing"), listing_sha))
        entry = match.finding.evidence.get("journal_entry")
        if isinstance(entry, dict) and entry.get("entry_hash"):
            rows.append((key("report.hash.journal", seq=entry.get("seq", "?")), str(entry["entry_hash"])))
    return fact_grid(ctx, rows, label_width=HASH_LABEL_PT, style="mono", is_list=True)


def _others(ctx: ReportContext, lead: RankedFinding) -> list[Flowable]:
    """The other strong and moderate findings by title, one line each (their exhibits follow)."""
    writer = ctx.writer
    items = [item for item in ranked_findings(ctx.case, Strength.MODERATE) if item.finding is not lead.finding]
    if not items:
        return []
    story: list[Flowable] = [writer.heading(key("report.page1.also"), "h2")]
    for item in items[:KEY_FACTS]:
        finding = item.finding

        def line(lang: str, finding: Finding = finding, photo: str = item.photo.name) -> str:
            strength = text(f"strength.{finding.strength.value}", lang)
            return f"• [{strength}] {finding.title(lang, with_zone=True)} ({photo})"

        story += writer.block(line, "small")
    return story


def _beside_pair(ctx: ReportContext, pair: Shown, zoom: Shown, height: float, shrink: bool) -> Table | None:
    """The pair at ``height`` with the enlarged crop and its caption beside it; None when the pair leaves
    less than ``MIN_BESIDE_ZOOM_PT`` of the page's width (``shrink``: lower the pair to leave it, down to
    ``MIN_PAIR_HEIGHT_PT``)."""
    writer = ctx.writer
    aspect = pair.picture.width_px / pair.picture.height_px
    if shrink:
        height = min(height, (writer.width - BESIDE_GAP_PT - MIN_BESIDE_ZOOM_PT) / aspect)
        if height < MIN_PAIR_HEIGHT_PT:
            return None
    pair_width = min(writer.width, aspect * height)
    free = writer.width - pair_width - BESIDE_GAP_PT
    if free < MIN_BESIDE_ZOOM_PT - 0.5:  # (a shrunk pair leaves exactly the minimum, give or take rounding)
        return None
    zoom_cell = [
        picture_flowable(zoom.picture, free, height * 0.8),
        Spacer(1, 2),
        *writer.block(zoom.short_caption, "caption"),
    ]
    return writer.table(
        [[picture_flowable(pair.picture, pair_width, height), zoom_cell]],
        [pair_width + BESIDE_GAP_PT, free],
        [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ],
    )


def _match_page(ctx: ReportContext, head: list[Flowable], match: RankedFinding) -> list[Flowable]:
    """Page 1 of a case whose photo was made from a listing photo: the pair, the three facts, the facts."""
    writer = ctx.writer
    shown = lead_picture(ctx, match, EXHIBIT_MAX_SIDE_PX)
    facts_block: list[Flowable] = [
        Spacer(1, 6),
        writer.heading(key("report.page1.what_shows"), "h2"),
        *writer.block(three_facts(ctx, match)),
        Spacer(1, 6),
        writer.heading(key("report.page1.case"), "h2"),
        _case_facts(ctx),
        Spacer(1, 4),
        _hashes(ctx, match),
    ]
    caption: list[Flowable] = [Spacer(1, 2), *writer.block(shown.short_caption, "caption")] if shown else []
    zoom_shown = zoom_picture(ctx, match, EXHIBIT_MAX_SIDE_PX) if shown else None
    zoom: list[Flowable] = []
    if zoom_shown is not None:
        zoom_picture_flowable = picture_flowable(zoom_shown.picture, writer.width, ZOOM_HEIGHT_PT)
        zoom_picture_flowable.hAlign = "CENTER"
        zoom = [Spacer(1, 4), zoom_picture_flowable, Spacer(1, 2), *writer.block(zoom_shown.short_caption, "caption")]
    head = [*head, Spacer(1, 6)]
    others = [Spacer(1, 4), *_others(ctx, match)]

    # A narrow pair (portrait photos) leaves the page's width free: the enlarged crop goes beside it. Else
    # under the pair; else beside a pair made smaller. "Also found" only when the pair keeps its size: the
    # exhibits list those findings anyway (and show the crop again).
    def beside(shrink: bool) -> list[Flowable] | None:
        if shown is None or zoom_shown is None:
            return None
        for extra in (others, []):
            room = ctx.frame_height - _height([*head, *caption, *facts_block, *extra], writer.width) - FIT_SLACK_PT
            table = _beside_pair(ctx, shown, zoom_shown, min(room, MAX_PAIR_HEIGHT_PT), shrink)
            if room >= MIN_PAIR_HEIGHT_PT and table is not None:
                return [*head, table, *caption, *facts_block, *extra]
        return None

    def under(extra_zoom: list[Flowable]) -> list[Flowable] | None:
        for extra in (others, []):
            room = ctx.frame_height - _height([*head, *caption, *extra_zoom, *facts_block, *extra], writer.width)
            room -= FIT_SLACK_PT
            if shown is not None and room >= MIN_PAIR_HEIGHT_PT:
                picture = picture_flowable(shown.picture, writer.width, min(room, MAX_PAIR_HEIGHT_PT))
                return [*head, picture, *caption, *extra_zoom, *facts_block, *extra]
        return None

    page = beside(shrink=False) or (under(zoom) if zoom else None) or beside(shrink=True)
    if page is not None and zoom_shown is not None and zoom_shown.source is not None:
        ctx.on_page_one.add(zoom_shown.source.path)
    page = page or under([])
    if page is not None:
        return page
    # absurdly long claim text or names: shrink the whole page rather than lose the pair or the facts
    story = [*head, *([picture_flowable(shown.picture, writer.width, MIN_PAIR_HEIGHT_PT)] if shown else [])]
    return [KeepInFrame(writer.width, ctx.frame_height - FIT_SLACK_PT, [*story, *caption, *facts_block], mode="shrink")]


def summary_page(ctx: ReportContext) -> list[Flowable]:
    """The flowables of page 1 (the caller adds the page break).

    With a listing photo matched, page 1 carries the case alone: the verdict, the buyer's photo
    beside the listing photo with the changed region outlined, the three facts in two sentences,
    the order facts and the hashes. Without one, it shows the strongest facts with pictures.
    """
    writer = ctx.writer
    head: list[Flowable] = [*_header(ctx), Spacer(1, 4), _verdict_box(ctx)]
    match = lead_match(ctx)
    if match is not None:
        return _match_page(ctx, head, match)
    story: list[Flowable] = [
        *head,
        Spacer(1, 6),
        _case_facts(ctx),
        Spacer(1, 4),
        _hashes(ctx, None),
        Spacer(1, 6),
        # not kept with the table: a table that does not fit whole would take the heading off page 1
        writer.heading(key("report.section.key_facts"), "h1:loose"),
    ]
    items = ranked_findings(ctx.case)[:KEY_FACTS]
    if not items:
        story += [*writer.block(key("report.key_facts.none")), Spacer(1, 8), *_photos_checked(ctx)]
        return story
    # Page 1 must hold the facts: with their details if they fit, else titles only, else shrunk.
    room = ctx.frame_height - _height(story, writer.width) - FIT_SLACK_PT
    if room < MIN_FACTS_ROOM_PT:
        # absurdly long names or claim text: shrink the whole page rather than lose the facts
        table = _key_facts_table(ctx, items, 0, TINY_BOX_PT)
        return [KeepInFrame(writer.width, ctx.frame_height - FIT_SLACK_PT, [*story, table], mode="shrink")]
    # The detail names the value the finding rests on, so it goes before picture size.
    big, small, tiny = THUMB_BOX_PT[len(items)], THUMB_BOX_PT[KEY_FACTS], TINY_BOX_PT
    # Pictures one size up when the page has the room (a one-language report often has).
    larger = THUMB_BOX_PT[max(1, len(items) - 1)]
    # Clipped details say "…" and the exhibit has them in full.
    attempts = ((FULL, larger), (FULL, big), (FULL, small), (CLIPPED, small), (CLIPPED, tiny), (0, small), (0, tiny))
    for detail_chars, box in attempts:
        table = _key_facts_table(ctx, items, detail_chars, box)
        if table.wrap(writer.width, room)[1] <= room:
            story.append(table)
            return story
    story.append(KeepInFrame(writer.width, room, [table], mode="shrink"))
    return story
