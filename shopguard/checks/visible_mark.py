"""``ai-visible-mark``: a generator's visible AI label read from the photo's border (OCR).

GB 45438-2025 makes Chinese generators draw an explicit label on generated images, at an edge or in
a corner; Meta and others draw their own ("Imagined with AI"). Platforms strip metadata labels, but
these stay in the pixels unless cropped or painted out. The check reads text where marks are drawn:

- small photos (``WHOLE_PHOTO_MAX_PIXELS``): the whole photo at full resolution;
- larger ones: the top and bottom bands (``BAND_SHARE`` of the short side), reduced to
  ``BAND_BUDGET_PIXELS`` when large, where a mark of label size (the standard asks for text at least
  5 % of the short side) stays readable; and the four corners, where a mark drawn small sits: at full
  resolution (``CORNER_TILE_PX``) when the bands were reduced, else enlarged 2x.

A line counts only when it reads as a mark of the table (``visible_mark_table``) and sits within
``BAND_SHARE`` of the short side from an edge; a cut mark must also run into the photo's edge on the
side where it is cut. So product packaging that prints "AI" in the middle of a photo never fires.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from PIL import Image, ImageDraw

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, EvidenceImage, Finding, Strength
from shopguard.checks.registry import register
from shopguard.checks.visible_mark_table import MarkMatch, match_line
from shopguard.imaging.ocr import OcrUnavailableError, TextLine, read_text

log = logging.getLogger(__name__)

WHOLE_PHOTO_MAX_PIXELS = 500_000
"""Up to ~800x600 the whole photo costs no more OCR than the border bands of a large one."""
SMALL_CORNER_ZOOM = 2.0
"""PP-OCR's detector loses text under ~14 px; doubling a small photo's corners lifts 12 px marks over it."""
BAND_SHARE = 0.15
"""Marks sit at an edge or in a corner, drawn with a margin of a few per cent; 15 % of the short
side holds a label of 5 % height plus that margin."""
CORNER_TILE_PX = (640, 200)
"""Full-resolution corner tiles: a 12 px mark with its margin fits many times over."""
BAND_BUDGET_PIXELS = 300_000
"""Pixels of both bands after reduction. On a 12 MP photo the bands shrink to ~0.3x, where a label
of the standard's size (5 % of the short side, ~150 px) is still ~40 px tall; smaller marks are
read by the full-resolution corner tiles."""
CLEAR_SCORE = 0.8
"""A whole mark read with mean character confidence >= 0.8 is 'clear'; below, OCR guessed letters."""
MIN_MARK_ASPECT = 1.2
"""A mark, or what a crop leaves of it, is at least two characters (or "AI" split off by the detector
from "Made with"), so its box is wider than tall; squarer boxes (single digits, texture blobs) are
not worth recognising."""
ROW_GAP_SHARE = 1.2
"""The detector sometimes splits one mark into pieces ("Made with" + "AI"); pieces on one baseline,
less than 1.2 line heights apart, are read as one line (word spacing is ~0.3-0.5 of the height)."""
EDGE_TOLERANCE_PX = 6
"""A cut line must end within this (or 60 % of its height) of the photo edge: detection boxes are
drawn a few pixels inside the glyphs' ink."""


@dataclass(frozen=True)
class _Tile:
    box: tuple[int, int, int, int]  # x, y, w, h in full-resolution pixels
    scale: float


def _tiles(width: int, height: int) -> list[_Tile]:
    if width * height <= WHOLE_PHOTO_MAX_PIXELS:
        # Small photos: the whole photo, plus its corners enlarged (``SMALL_CORNER_ZOOM``): a mark of
        # 12-16 px is near the detector's floor, and twice the size is well above it.
        cw, ch = min(width, CORNER_TILE_PX[0] // 2), min(height, CORNER_TILE_PX[1] // 2)
        zoom = SMALL_CORNER_ZOOM
        return [_Tile((0, 0, width, height), 1.0)] + [
            _Tile((x, y, cw, ch), zoom) for x in (0, width - cw) for y in (0, height - ch)
        ]
    band = max(1, round(BAND_SHARE * min(width, height)))
    band_scale = min(1.0, (BAND_BUDGET_PIXELS / (2 * width * band)) ** 0.5)
    tiles = [_Tile((0, 0, width, band), band_scale), _Tile((0, height - band, width, band), band_scale)]
    # Corners: at full resolution when the bands were reduced (small marks were lost there), else
    # enlarged like a small photo's, where 12-16 px marks sit at the detector's floor.
    zoom = 1.0 if band_scale < 1.0 else SMALL_CORNER_ZOOM
    cw = min(width, round(CORNER_TILE_PX[0] / zoom))
    ch = min(height, round(CORNER_TILE_PX[1] / zoom))
    tiles += [_Tile((x, y, cw, ch), zoom) for x in (0, width - cw) for y in (0, height - ch)]
    return tiles


def _read_tiles(image: Image.Image, tiles: list[_Tile]) -> list[TextLine]:
    lines: list[TextLine] = []
    for tile in tiles:
        x, y, w, h = tile.box
        crop = image.crop((x, y, x + w, y + h))
        if tile.scale != 1.0:
            size = (max(8, round(w * tile.scale)), max(8, round(h * tile.scale)))
            crop = crop.resize(size, Image.Resampling.BOX if tile.scale < 1 else Image.Resampling.BICUBIC)
        pixels = np.asarray(crop, dtype=np.uint8)
        lines.extend(read_text(pixels, offset=(x, y), scale=tile.scale, min_aspect=MIN_MARK_ASPECT))
    return lines


def _joined_rows(lines: list[TextLine]) -> list[TextLine]:
    """Lines made of pieces that sit side by side on one baseline (each piece is also kept alone)."""
    joined: list[TextLine] = []
    pieces = sorted(lines, key=lambda ln: (ln.box[0], ln.box[1]))
    for i, first in enumerate(pieces):
        row, (x, y, w, h) = [first], first.box
        for piece in pieces[i + 1 :]:
            px, py, pw, ph = piece.box
            same_baseline = abs((py + ph) - (y + h)) <= 0.4 * max(h, ph) and abs(ph - h) <= 0.5 * max(h, ph)
            gap = px - (x + w)
            if same_baseline and -0.2 * h <= gap <= ROW_GAP_SHARE * max(h, ph):
                row.append(piece)
                x0, y0 = min(x, px), min(y, py)
                x, y, w, h = x0, y0, max(x + w, px + pw) - x0, max(y + h, py + ph) - y0
        if len(row) > 1:
            score = min(piece.score for piece in row)
            joined.append(TextLine(" ".join(piece.text for piece in row), score, (x, y, w, h)))
    return joined


def _near_border(box: tuple[int, int, int, int], width: int, height: int) -> bool:
    x, y, w, h = box
    reach = BAND_SHARE * min(width, height)
    return min(x, y, width - (x + w), height - (y + h)) <= reach


def _cut_at_edge(match: MarkMatch, box: tuple[int, int, int, int], width: int) -> bool:
    x, _, w, h = box
    tolerance = max(EDGE_TOLERANCE_PX, 0.6 * h)
    if match.cut == "start":  # the mark's beginning is missing: the line starts at the left edge
        return x <= tolerance
    return width - (x + w) <= tolerance


@dataclass(frozen=True)
class MarkSighting:
    """A mark read in the photo: the OCR line, what it matched, and how strong it is."""

    line: TextLine
    match: MarkMatch
    strength: Strength


def find_marks(image: Image.Image) -> list[MarkSighting]:
    """Every visible AI mark in a full-resolution RGB photo, best first (one per mark text).

    Raises:
        OcrUnavailableError: the OCR engine is not installed.
    """
    width, height = image.size
    sightings: dict[str, MarkSighting] = {}
    read = _read_tiles(image, _tiles(width, height))
    for line in [*read, *_joined_rows(read)]:
        match = match_line(line.text)
        if match is None or not _near_border(line.box, width, height):
            continue
        if match.cut is not None and not _cut_at_edge(match, line.box, width):
            continue
        clear = match.cut is None and line.score >= CLEAR_SCORE
        strength = Strength.STRONG if clear else Strength.MODERATE
        sighting = MarkSighting(line, match, strength)
        old = sightings.get(match.mark.text)
        if old is None or (strength.rank, line.score) > (old.strength.rank, old.line.score):
            sightings[match.mark.text] = sighting
    # Overlapping tiles can each read the same ink: a corner tile whose side cuts "豆包AI生成" reads
    # "AI生成". Keep the longest mark read at one place, then the strongest.
    ranked = sorted(sightings.values(), key=lambda s: (-len(s.match.mark.key), -s.strength.rank, -s.line.score))
    kept: list[MarkSighting] = []
    for sighting in ranked:
        if not any(_overlap(sighting.line.box, other.line.box) for other in kept):
            kept.append(sighting)
    return sorted(kept, key=lambda s: (-s.strength.rank, -s.line.score))


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether two boxes share at least half of the smaller one."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return w > 0 and h > 0 and w * h >= 0.5 * min(a[2] * a[3], b[2] * b[3])


def _zoom(image: Image.Image, box: tuple[int, int, int, int], path: str) -> None:
    """Save the mark enlarged (>= 120 px tall) with its outline, so a reader can read it in the report."""
    x, y, w, h = box
    pad = max(8, h)
    left, top = max(0, x - pad), max(0, y - pad)
    right, bottom = min(image.width, x + w + pad), min(image.height, y + h + pad)
    crop = image.crop((left, top, right, bottom))
    factor = max(1.0, min(8.0, 120 / max(1, crop.height)))
    crop = crop.resize((round(crop.width * factor), round(crop.height * factor)), Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(crop)
    outline = ((x - left) * factor, (y - top) * factor, (x - left + w) * factor, (y - top + h) * factor)
    draw.rectangle(outline, outline=(255, 0, 60), width=max(2, round(factor)))
    crop.save(path)


@register
class VisibleMarkCheck:
    id: ClassVar[str] = "ai-visible-mark"
    order: ClassVar[int] = 44

    def run(self, ctx: CheckContext) -> list[Finding]:
        image = ctx.pixels().image
        try:
            sightings = find_marks(image)
        except OcrUnavailableError:
            # A broken install must not stop the other checks; the log says why this one is silent.
            log.warning("OCR engine unavailable: the visible-mark check is skipped")
            return []
        findings = []
        for index, sighting in enumerate(sightings):
            mark, line = sighting.match.mark, sighting.line
            generator = " / ".join(sighting.match.generators) or "—"
            images: tuple[EvidenceImage, ...] = ()
            if ctx.artifact_dir is not None:
                path = ctx.artifact_path(f"visible-mark-{index}.png")
                _zoom(image, line.box, str(path))
                images = (EvidenceImage("visible-mark", str(path), "evidence.visible_mark.zoom"),)
            partial = sighting.match.cut is not None
            findings.append(
                Finding(
                    self.id,
                    Category.AI_LABEL,
                    sighting.strength,
                    "finding.visible_mark.title",
                    "finding.visible_mark.partial" if partial else "finding.visible_mark.detail",
                    fields={"mark": mark.text, "read": line.text, "generator": generator},
                    regions=(line.box,),
                    evidence={
                        "mark": mark.text,
                        "generator": mark.generator,
                        "could_also_be": [m.text for m in sighting.match.alternatives],
                        "read_text": line.text,
                        "ocr_score": round(line.score, 3),
                        "edits": sighting.match.edits,
                        "cut": sighting.match.cut,
                        "matched_part": sighting.match.matched,
                        "source": mark.source,
                    },
                    images=images,
                    limits_key="finding.visible_mark.limits",
                )
            )
        return findings
