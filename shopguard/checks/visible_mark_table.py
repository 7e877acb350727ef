"""The table of visible AI marks (``visible_marks.json``) and fuzzy matching of OCR text against it.

OCR of a small, half-transparent mark on a textured photo drops or swaps a character now and then,
and a crop can cut the mark, so a mark is matched in two ways:

- **whole**: the mark appears inside the OCR line with at most one edit per ``CHARS_PER_EDIT``
  characters (semi-global edit distance: free text before and after);
- **cut**: only the mark's beginning or its end is there (the rest lies outside the frame), at least
  half of it and at least ``MIN_CUT_CHARS`` characters, with the same edit allowance. Whether the cut
  side really touches the photo's edge is the caller's test (it knows where the line sits).

A line that holds far more than the mark (``MAX_EXTRA_CHARS``) is ordinary text that happens to
contain the words (a slogan such as "Made with AI technology" on a box), not a label.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

CHARS_PER_EDIT = 7
"""PP-OCR's character error on clean small print is a few per cent; one edit per 7 characters lets a
16-character English mark lose two letters and a 6-character Chinese mark none."""
MIN_CUT_CHARS = 3
"""Two characters ("AI", "生成") are common words; three of a mark's own sequence start to be specific.
A generator's own two-character name ("豆包", "即梦") is accepted as the start of its mark: it is
the part a crop through the middle of "豆包AI生成" leaves."""
MIN_CUT_SHARE = 0.4
"""The visible part must be at least 40 % of the mark's width (a Chinese character counts as two
Latin ones), so that a crop through the middle of the mark still reads as that mark."""
MAX_EXTRA_CHARS = 8
"""Generators draw the mark alone or with a short product name ("AI生成 · 即梦"); more is running text."""
_DROP = set(" \t-_·•|,.:;!'\"()[]{}")
_SAME_SHAPE = {("l", "i"), ("1", "i"), ("0", "o")}
"""Glyph pairs OCR confuses in sans-serif fonts (capital I drawn like l: "AI" read "Al"); free swaps."""


@dataclass(frozen=True)
class Mark:
    """One table entry: ``text`` as drawn, the ``generator`` (None for the standard's generic wording)."""

    text: str
    generator: str | None
    lang: str
    source: str

    @property
    def key(self) -> str:
        return normalise(self.text)


@dataclass(frozen=True)
class MarkMatch:
    """How an OCR line matched a mark: ``cut`` is None, ``"start"`` (the beginning is missing) or
    ``"end"`` (the end is missing); ``matched`` is the part of the mark that was read."""

    mark: Mark
    cut: str | None
    matched: str
    edits: int
    alternatives: tuple[Mark, ...] = ()
    """Other marks the same cut part fits as well ("with AI" ends both Meta marks). ``mark`` is then
    the shortest generic wording of the standard when one fits, so no generator is named on a guess."""

    @property
    def generators(self) -> list[str]:
        """Every generator the read text may come from (empty for the standard's wording alone)."""
        names = [m.generator for m in (self.mark, *self.alternatives) if m.generator]
        return list(dict.fromkeys(names))


def normalise(text: str) -> str:
    """Case-, width- and spacing-insensitive form (NFKC folds full-width ``ＡＩ`` to ``AI``)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if ch not in _DROP)


@cache
def load_marks() -> tuple[Mark, ...]:
    """The marks in ``visible_marks.json`` (shipped in the package), longest first."""
    raw = resources.files("shopguard.checks").joinpath("visible_marks.json").read_text(encoding="utf-8")
    marks = tuple(
        Mark(str(m["text"]), m.get("generator"), str(m.get("lang", "")), str(m["source"]))
        for m in json.loads(raw)["marks"]
    )
    return tuple(sorted(marks, key=lambda m: -len(m.key)))


def _best_substring_edits(pattern: str, text: str) -> int:
    """Fewest edits turning ``pattern`` into some substring of ``text`` (Sellers' algorithm)."""
    previous = [0] * (len(text) + 1)  # empty pattern matches anywhere for free
    for i, pc in enumerate(pattern, start=1):
        current = [i] + [0] * len(text)
        for j, tc in enumerate(text, start=1):
            swap = 0 if pc == tc or (tc, pc) in _SAME_SHAPE else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + swap)
        previous = current
    return min(previous)


def _allowed(length: int) -> int:
    return length // CHARS_PER_EDIT


def match_line(text: str) -> MarkMatch | None:
    """The best mark in one OCR line: a whole mark beats a cut one, a longer mark beats a shorter."""
    line = normalise(text)
    if len(line) < 2:
        return None
    for mark in load_marks():
        key = mark.key
        if len(line) > len(key) + MAX_EXTRA_CHARS:
            continue
        edits = _best_substring_edits(key, line)
        if edits <= _allowed(len(key)):
            return MarkMatch(mark, None, mark.text, edits)
    found: list[tuple[int, Mark, str, str, int]] = []  # (score, mark, cut, part, edits)
    for mark in load_marks():
        key = mark.key
        total = _width(key)
        for size in range(len(key) - 1, 1, -1):
            for cut, part in (("end", key[:size]), ("start", key[-size:])):
                if _width(part) < MIN_CUT_SHARE * total:
                    continue
                if size < MIN_CUT_CHARS and (mark.generator is None or cut != "end"):
                    continue
                # The visible part must be the line's own start or end: a crop removes what lies
                # beyond the frame, so nothing of the mark can remain on the far side of the cut.
                if len(line) > size + MAX_EXTRA_CHARS // 2:
                    continue
                probe = line[-(size + _allowed(size)) :] if cut == "end" else line[: size + _allowed(size)]
                edits = _best_substring_edits(part, probe)
                if edits <= _allowed(size):
                    # More characters read, and fewer of them guessed, fit better.
                    found.append((_width(part) - 2 * edits, mark, cut, part, edits))
    if not found:
        return None
    top = max(score for score, *_ in found)
    fits = [entry for entry in found if entry[0] == top]
    marks = list(dict.fromkeys(entry[1] for entry in fits))
    chosen = min(fits, key=lambda entry: (entry[1].generator is not None, len(entry[1].key)))
    others = tuple(m for m in marks if m is not chosen[1])
    return MarkMatch(chosen[1], chosen[2], chosen[3], chosen[4], others)


def _width(text: str) -> int:
    """Display width: East Asian wide characters count two, others one."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
