"""Text on the page in one language or two side by side, from catalogue keys only.

A ``Say`` is a function from a language code to the text in that language, so one piece of
content can be laid out once for "en", once for "zh_CN", or as two columns for "both".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from shopguard.i18n import text

Say = Callable[[str], str]

INK = colors.HexColor("#1d1d1f")
MUTED = colors.HexColor("#5f6368")
RULE = colors.HexColor("#c8c8cc")
PANEL = colors.HexColor("#f3f4f6")
COLUMN_GAP_PT = 14.0


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

    @property
    def is_bilingual(self) -> bool:
        return len(self.languages) > 1

    def p(self, say: Say, style: str = "body", lang: str | None = None) -> Paragraph:
        """One paragraph in one language (the first report language by default)."""
        lang = lang or self.languages[0]
        return Paragraph(escape(say(lang)), self.styles.get(f"{style}:{lang}", self.styles[style]))

    def block(self, say: Say, style: str = "body", width: float | None = None) -> Flowable:
        """A paragraph; with two languages, two columns side by side (Chinese left)."""
        if not self.is_bilingual:
            return self.p(say, style)
        return self.columns([[self.p(say, style, lang)] for lang in self.languages], width)

    def columns(self, cells: Sequence[Sequence[Flowable]], width: float | None = None) -> Table:
        """Equal columns of flowables, no borders."""
        total = width or self.width
        col = total / len(cells)
        return self.table(
            [list(cells)],
            [col] * len(cells),
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), COLUMN_GAP_PT),
                ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ],
        )

    def table(
        self, rows: Sequence[Sequence[Any]], widths: Sequence[float], commands: Sequence[tuple[Any, ...]]
    ) -> Table:
        """A table whose cell font is the embedded one.

        reportlab sets each table's cell font (Helvetica by default) before drawing any cell, even
        when every cell is a paragraph, which would list a non-embedded font in the PDF.
        """
        table = Table([list(r) for r in rows], colWidths=list(widths))
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), self.styles["body"].fontName), *commands]))
        return table

    def stacked(self, say: Say, style: str = "body") -> list[Paragraph]:
        """The text in each report language, one under the other (for narrow table cells)."""
        return [self.p(say, style, lang) for lang in self.languages]

    def joined(self, say: Say, separator: str = " · ") -> str:
        """Plain text in every report language joined on one line (headings, labels)."""
        parts: list[str] = []
        for lang in self.languages:
            value = say(lang)
            if value not in parts:
                parts.append(value)
        return separator.join(parts)

    def heading(self, say: Say, style: str = "h1") -> Paragraph:
        """A heading naming the section in every report language on one line."""
        return Paragraph(escape(self.joined(say, "  ")), self.styles[style])

    def label(self, say: Say) -> Paragraph:
        """A field label: both languages on separate lines when bilingual."""
        return Paragraph(escape(self.joined(say, "\n")).replace("\n", "<br/>"), self.styles["label"])
