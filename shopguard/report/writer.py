"""Text on the page in one language or two, from catalogue keys only.

A ``Say`` is a function from a language code to the text in that language, so one piece of
content can be laid out once for "en", once for "zh_CN", or for "both". In "both" the languages
are interleaved paragraph by paragraph: Chinese first, the English right under it in smaller,
muted type (a reviewer reads one language and skips the other), instead of two copies of
every section.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from shopguard.i18n import text

Say = Callable[[str], str]

INK = colors.HexColor("#1d1d1f")
MUTED = colors.HexColor("#5f6368")
RULE = colors.HexColor("#c8c8cc")
PANEL = colors.HexColor("#f3f4f6")
# The second language of a bilingual report, under the first: smaller and muted, never below
# 6.5 pt (the smallest size that stays legible on a 300 dpi office print).
SECOND_SCALE = 0.86
SECOND_MIN_PT = 6.5


def key(name: str, **fields: Any) -> Say:
    """Text of a catalogue key in the asked language."""
    return lambda lang: text(name, lang, **fields)


def literal(value: str) -> Say:
    """Data that is the same in every language (names, ids, hashes, dates)."""
    return lambda _lang: value


def make_styles(font: str) -> dict[str, ParagraphStyle]:
    """Paragraph styles; ``wordWrap="CJK"`` lets Chinese (and long hashes) break anywhere."""
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13.5, textColor=INK, wordWrap="CJK")
    styles = {
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=25),
        "h1": ParagraphStyle("h1", parent=base, fontSize=14, leading=19, spaceBefore=8, spaceAfter=4, keepWithNext=1),
        "h2": ParagraphStyle("h2", parent=base, fontSize=11.5, leading=16, spaceBefore=6, spaceAfter=2, keepWithNext=1),
        "verdict": ParagraphStyle("verdict", parent=base, fontSize=12.5, leading=17.5),
        "badge": ParagraphStyle("badge", parent=base, fontSize=12.5, leading=16, textColor=colors.white),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11),
        "label": ParagraphStyle("label", parent=base, fontSize=7.8, leading=10.5, textColor=MUTED),
        "caption": ParagraphStyle("caption", parent=base, fontSize=7.8, leading=10.5, textColor=MUTED),
        "mono": ParagraphStyle("mono", parent=base, fontSize=7.8, leading=10.5),
    }
    styles["h1:loose"] = ParagraphStyle("h1:loose", parent=styles["h1"], keepWithNext=0)
    for name, style in list(styles.items()):
        size = max(SECOND_MIN_PT, style.fontSize * SECOND_SCALE)
        colour = style.textColor if name == "badge" else MUTED
        styles[f"{name}:second"] = ParagraphStyle(
            f"{name}:second",
            parent=style,
            fontSize=size,
            leading=size * style.leading / style.fontSize,
            textColor=colour,
            spaceBefore=0,
        )
    # English breaks at spaces (CJK wrapping would split words anywhere); over-long tokens such as
    # file names are still split, by reportlab's splitLongWords.
    for name, style in list(styles.items()):
        styles[f"{name}:en"] = ParagraphStyle(f"{name}:en", parent=style, wordWrap=None)
    return styles


class Writer:
    """Lays out ``Say`` texts for the report's languages across a frame ``width`` points wide."""

    def __init__(self, languages: Sequence[str], width: float, styles: dict[str, ParagraphStyle]) -> None:
        self.languages = tuple(languages)
        self.width = width
        self.styles = styles

    def style(self, style: str, lang: str, is_second: bool = False) -> ParagraphStyle:
        """The paragraph style for ``lang``; ``is_second``: the smaller style of the second language."""
        name = f"{style}:second" if is_second else style
        return self.styles.get(f"{name}:{lang}", self.styles[name])

    def p(self, say: Say, style: str = "body", lang: str | None = None, is_second: bool = False) -> Paragraph:
        """One paragraph in one language (the first report language by default)."""
        lang = lang or self.languages[0]
        return Paragraph(escape(say(lang)), self.style(style, lang, is_second))

    def stacked(self, say: Say, style: str = "body") -> list[Flowable]:
        """The text in each report language, one under the other, the second one smaller.

        A text that is the same in both languages (a name, a number) is printed once.
        """
        shown: list[str] = []
        flowables: list[Flowable] = []
        for index, lang in enumerate(self.languages):
            value = say(lang)
            if value in shown:
                continue
            shown.append(value)
            flowables.append(Paragraph(escape(value), self.style(style, lang, is_second=index > 0)))
        # a translation never starts the next page without the text it translates
        for paragraph in flowables[:-1]:
            paragraph.keepWithNext = 1
        return flowables

    def block(self, say: Say, style: str = "body") -> list[Flowable]:
        """A paragraph in every report language (see ``stacked``), for the story."""
        return self.stacked(say, style)

    def table(
        self,
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        commands: Sequence[tuple[Any, ...]],
        heading: Flowable | None = None,
    ) -> Table:
        """A table whose cell font is the embedded one.

        reportlab sets each table's cell font (Helvetica by default) before drawing any cell, even
        when every cell is a paragraph, which would list a non-embedded font in the PDF.

        ``heading`` becomes a first row across the table, repeated on every page the table runs
        onto: a heading kept with a whole table (keepWithNext) would move the table to the next
        page when it does not fit, leaving the rest of this page empty.
        """
        data = [list(r) for r in rows]
        style: list[tuple[Any, ...]] = [("FONTNAME", (0, 0), (-1, -1), self.styles["body"].fontName)]
        if heading is not None:
            data.insert(0, [heading] + [""] * (len(widths) - 1))
            style += [
                ("SPAN", (0, 0), (-1, 0)),
                ("LEFTPADDING", (0, 0), (-1, 0), 0),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 2),
            ]
            commands = [_shifted(command) for command in commands]
        table = Table(data, colWidths=list(widths), repeatRows=1 if heading is not None else 0)
        # the heading row's own padding last, so that the caller's commands do not override it
        table.setStyle(TableStyle([*style[:1], *commands, *style[1:]]))
        return table

    def joined(self, say: Say, separator: str = " · ") -> str:
        """Plain text in every report language joined on one line (short values such as "强 / Strong")."""
        parts: list[str] = []
        for lang in self.languages:
            value = say(lang)
            if value not in parts:
                parts.append(value)
        return separator.join(parts)

    def _inline(self, say: Say, style: str, separator: str) -> str:
        """Markup: the first language, then the others in the smaller, muted second-language size."""
        second = self.styles[f"{style}:second"]
        parts: list[str] = []
        for lang in self.languages:
            value = escape(say(lang))
            if parts and value == parts[0]:
                continue
            if parts:
                colour = second.textColor.hexval()[2:]
                value = f'<font size="{second.fontSize:.1f}" color="#{colour}">{value}</font>'
            parts.append(value)
        return separator.join(parts)

    def heading(self, say: Say, style: str = "h1") -> Paragraph:
        """A short heading: the first language, the second after it on the same line, smaller."""
        return Paragraph(self._inline(say, style, "  "), self.styles[style])

    def title(self, say: Say, style: str = "h2") -> list[Flowable]:
        """A long heading (an exhibit's title): one line per language, kept with what follows."""
        return self.stacked(say, style)

    def label(self, say: Say, is_one_line: bool = False) -> Paragraph:
        """A field label: the second language on its own line under the first, smaller.

        ``is_one_line``: both languages on one line (wrapping only if the cell is too narrow).
        """
        return Paragraph(self._inline(say, "label", " " if is_one_line else "<br/>"), self.styles["label"])

    def one_line_width(self, say: Say, style: str) -> float:
        """Width in points of ``say`` set on one line as ``label(..., is_one_line=True)`` would set it."""
        total = 0.0
        first = ""
        for index, lang in enumerate(self.languages):
            value = say(lang)
            if index and value == first:
                continue
            first = first or value
            font = self.style(style, lang, is_second=index > 0)
            total += stringWidth(value + " ", font.fontName, font.fontSize)
        return total


def _shifted(command: tuple[Any, ...]) -> tuple[Any, ...]:
    """A table style command moved one row down (a heading row was put on top).

    Negative row indices count from the end and stay; a command over all rows from row 0 keeps
    starting at row 1, so rules and padding do not apply to the heading.
    """
    name, start, stop, *rest = command
    (c0, r0), (c1, r1) = start, stop
    return (name, (c0, r0 + 1 if r0 >= 0 else r0), (c1, r1 + 1 if r1 >= 0 else r1), *rest)
