"""``jpeg-ghost``: does one region lack the trace of an earlier JPEG save that the rest of the photo keeps?

A shop's listing photo was saved as JPEG at some quality q0. When a buyer paints a "defect" onto it
(or lets an app inpaint one) and saves again at a higher quality, the untouched areas keep q0's
quantisation lattice (a JPEG ghost: re-saving them at q0 hardly changes them), while the painted
area does not. H. Farid, "Exposing digital forgeries from JPEG ghosts", IEEE TIFS 4(1), 2009. The
maths is in ``jpeg_ghost_maps.py``: a sweep over IJG qualities 50-98 finds the photo's ghost
quality, then a map of 16×16 px cells shows where the photo does *not* fit it.

Honest limits, said in every finding: it needs a JPEG whose earlier save was at a clearly lower
quality than its last one (a photo saved once, or re-saved at a lower quality by a chat app, has no
ghost; then, as for files that are not JPEG, the check cannot judge and makes no finding);
cropping between the saves shifts the 8×8 grid (we look for the shifted grid by its block edges,
which a soft earlier save does not leave); flat and clipped (black/white, saturated colour) areas
cannot be measured. A region found is a ``weak`` hint alone; it is ``moderate`` only when the
ghost is unambiguous and the region fits no earlier save at all (thresholds chosen on
benchmarks/forensics_accuracy.py so that no untouched photo or honest re-save reached ``moderate``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, EvidenceImage, Finding, Region, Strength
from shopguard.checks.forensic_maps import (
    MAP_MAX_SIDE,
    BlockAnomaly,
    heatmap_overlay,
    localized_anomalies,
    save_evidence,
    too_small_for_analysis,
)
from shopguard.checks.jpeg_ghost_maps import (
    JPEG_BLOCK,
    BlockCoefficients,
    GhostMap,
    GhostSweep,
    block_coefficients,
    clipped_pixels,
    earlier_grid_offset,
    ghost_map,
    misfit_sums,
    same_step_qualities,
    sweep_qualities,
)
from shopguard.checks.jpeg_quality import estimate_quality, natural_order
from shopguard.checks.registry import register
from shopguard.imaging.decode import JpegLuma, apply_orientation, decode_jpeg_luma
from shopguard.imaging.photo_metadata import read_metadata

log = logging.getLogger(__name__)

QUALITIES = tuple(range(50, 99))
"""Candidate earlier qualities (IJG scale). Listing photos are rarely saved below 50."""
SWEEP_BLOCKS = 6_000
"""Quality curves (the photo's and the region's) are measured on about this many blocks spread over
the area (~0.5 ms a quality): enough for a mean misfit to ±0.02, a fraction of the 187k blocks of 12 MP."""
MIN_SWEEP_INFORMATIVE = 2_000
"""Fewer informative coefficients than this in the whole sample: the photo is too flat to judge."""
MIN_CELL_INFORMATIVE = 24
"""A pooled 48 px cell needs 24 informative coefficients for its misfit to be judged."""
GHOST_MAX_MISFIT = 0.4
"""The photo has a ghost when its best earlier quality leaves a misfit of at most 0.4 (values off a
lattice give ≈ 1; measured ghosts of q75 photos re-saved at q90-95: 0.05-0.25)."""
CLEAR_GHOST_MISFIT = 0.25
"""For ``moderate`` the rest of the photo must fit its earlier save almost perfectly (q75 photos
re-saved at q95 measure 0.04-0.1; re-saved at q90 0.15-0.25)."""
OUTLIER_MISFIT = 0.65
"""A cell counts as "does not fit" at 0.65: between a ghost (≤ 0.4) and no lattice at all (≈ 1)."""
MAX_FRACTION = 0.25
"""More than a quarter of the photo is a property of the photo (e.g. a re-save), not a local edit."""
MODERATE_REGION_MISFIT = 0.9
"""For ``moderate`` the region must fit the earlier lattice no better than unrelated values (≈ 1)."""
MODERATE_MIN_FILL = 0.5
"""...and fill half its box: a painted area is a blob, scattered misfits along edges are not."""
CAPTION = "forensic.ghost.map_caption"


@dataclass(frozen=True)
class GhostAnalysis:
    """Everything the finding needs: the sweep, the map, the region (stored and oriented)."""

    sweep: GhostSweep
    last_quality: int
    cells: GhostMap | None
    anomaly: BlockAnomaly | None
    region: Region | None
    region_misfit: float
    rest_misfit: float
    region_curve_min: tuple[int, float] | None
    grid_offset: tuple[int, int] = (0, 0)
    """(x, y) in stored pixels where the analysed 8×8 grid starts (not 0 when cropped between saves)."""


def analyse_ghost(luma: JpegLuma, last_table: list[int], ctx: CheckContext | None = None) -> GhostAnalysis:
    """Sweep qualities, map the misfit at the ghost quality, find one localized region that does not fit."""
    last_steps = np.array(natural_order(last_table), dtype=np.int32).reshape(JPEG_BLOCK, JPEG_BLOCK)
    last_quality, _ = estimate_quality({0: last_table})
    blocks = block_coefficients(luma.luma, clipped_pixels(luma.luma, luma.ycbcr))
    measurable = int(blocks.measurable.sum())
    stride = max(1, measurable // SWEEP_BLOCKS)

    def between() -> None:
        if ctx is not None and ctx.cancel is not None:
            ctx.cancel.raise_if_cancelled()

    sweep = sweep_qualities(blocks, last_steps, QUALITIES, stride, MIN_SWEEP_INFORMATIVE, between)
    offset = (0, 0)
    if sweep.ghost_quality is None or sweep.ghost_misfit > GHOST_MAX_MISFIT:
        # Cropped between the saves? Try the earlier grid where its block edges show.
        shifted = earlier_grid_offset(luma.luma)
        if shifted != (0, 0):
            dx, dy = shifted
            clipped = clipped_pixels(luma.luma, luma.ycbcr)[dy:, dx:]
            shifted_blocks = block_coefficients(np.ascontiguousarray(luma.luma[dy:, dx:]), clipped)
            stride = max(1, int(shifted_blocks.measurable.sum()) // SWEEP_BLOCKS)
            shifted_sweep = sweep_qualities(
                shifted_blocks, last_steps, QUALITIES, stride, MIN_SWEEP_INFORMATIVE, between
            )
            if shifted_sweep.ghost_quality is not None and shifted_sweep.ghost_misfit <= GHOST_MAX_MISFIT:
                blocks, sweep, offset = shifted_blocks, shifted_sweep, shifted
    if sweep.ghost_quality is None or sweep.ghost_misfit > GHOST_MAX_MISFIT:
        return GhostAnalysis(sweep, last_quality, None, None, None, 0.0, sweep.ghost_misfit, None)
    between()
    cells = ghost_map(blocks, sweep.ghost_quality, last_steps, MIN_CELL_INFORMATIVE)
    valid = cells.valid
    if not valid.any():
        return GhostAnalysis(sweep, last_quality, cells, None, None, 0.0, sweep.ghost_misfit, None, offset)
    outlier = cells.misfit >= OUTLIER_MISFIT
    min_cells = max(6, math.ceil(0.004 * int(valid.sum())))
    found = localized_anomalies(outlier, valid, min_blocks=min_cells, max_fraction=MAX_FRACTION)
    rest = float(np.median(cells.misfit[valid]))
    if not found:
        return GhostAnalysis(sweep, last_quality, cells, None, None, 0.0, rest, None, offset)
    anomaly = found[0]
    inside = anomaly.mask & valid
    region_misfit = float(np.median(cells.misfit[inside]))
    rest = float(np.median(cells.misfit[valid & ~anomaly.mask]))
    cell_px = JPEG_BLOCK * 2
    dx, dy = offset
    stored_box = (
        dx + anomaly.col * cell_px,
        dy + anomaly.row * cell_px,
        anomaly.cols * cell_px,
        anomaly.rows * cell_px,
    )
    region = orient_box(stored_box, luma.stored_size, luma.orientation)
    curve_min = _region_curve_min(blocks, anomaly, sweep, last_steps, between)
    return GhostAnalysis(sweep, last_quality, cells, anomaly, region, region_misfit, rest, curve_min, offset)


def _region_curve_min(
    blocks: BlockCoefficients,
    anomaly: BlockAnomaly,
    sweep: GhostSweep,
    last_steps: npt.NDArray[np.int32],
    between: Callable[[], None],
) -> tuple[int, float] | None:
    """The region's own best earlier quality and its misfit there (Farid: its minimum lies elsewhere, or nowhere)."""
    cell_mask = np.repeat(np.repeat(anomaly.mask, 2, axis=0), 2, axis=1)
    rows = min(cell_mask.shape[0], blocks.coeffs.shape[0])
    cols = min(cell_mask.shape[1], blocks.coeffs.shape[1])
    mask = np.zeros(blocks.coeffs.shape[:2], bool)
    mask[:rows, :cols] = cell_mask[:rows, :cols]
    selected = blocks.coeffs[mask & blocks.measurable]
    selected = selected[:: max(1, len(selected) // SWEEP_BLOCKS)]
    best: tuple[int, float] | None = None
    for quality in sweep.qualities:
        between()
        sums, counts = misfit_sums(selected, quality, last_steps)
        total = float(counts.sum())
        if total > 0 and (best is None or float(sums.sum()) / total < best[1]):
            best = (quality, float(sums.sum()) / total)
    return best


def orient_box(box: Region, stored_size: tuple[int, int], orientation: int) -> Region:
    """A box in the file's stored pixels mapped to the photo as shown (EXIF orientation 1-8)."""
    x, y, w, h = box
    width, height = stored_size
    corners = [_orient_point(px, py, width, height, orientation) for px, py in ((x, y), (x + w, y + h))]
    (x0, y0), (x1, y1) = corners
    return (min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))


def _orient_point(x: int, y: int, width: int, height: int, orientation: int) -> tuple[int, int]:
    """Where stored pixel corner (x, y) lands after the orientation's transpose (as ``ImageOps.exif_transpose``)."""
    mapping = {
        2: (width - x, y),
        3: (width - x, height - y),
        4: (x, height - y),
        5: (y, x),
        6: (height - y, x),
        7: (height - y, width - x),
        8: (y, width - x),
    }
    return mapping.get(orientation, (x, y))


def ghost_picture(luma: JpegLuma, analysis: GhostAnalysis) -> Image.Image:
    """The evidence map: oriented grey photo, misfit per 16 px cell as heat, the region outlined."""
    height, width = luma.luma.shape
    scale = min(1.0, MAP_MAX_SIDE / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = Image.fromarray(cv2.resize(luma.luma, size, interpolation=cv2.INTER_AREA))
    heat = np.zeros((small.height, small.width), np.float32)
    shown = np.zeros((small.height, small.width), np.uint8)
    if analysis.cells is not None and analysis.cells.misfit.size:
        cell_px = JPEG_BLOCK * 2
        dx, dy = analysis.grid_offset
        rows = np.clip(
            ((np.arange(small.height) / scale - dy) // cell_px).astype(int), 0, analysis.cells.misfit.shape[0] - 1
        )
        cols = np.clip(
            ((np.arange(small.width) / scale - dx) // cell_px).astype(int), 0, analysis.cells.misfit.shape[1] - 1
        )
        heat = analysis.cells.misfit[np.ix_(rows, cols)].astype(np.float32)
        shown = analysis.cells.valid[np.ix_(rows, cols)].astype(np.uint8) * 255
    photo = apply_orientation(small.convert("RGB"), luma.orientation)
    heat_oriented = np.asarray(apply_orientation(Image.fromarray(heat, mode="F"), luma.orientation), np.float32)
    valid_oriented = np.asarray(apply_orientation(Image.fromarray(shown, mode="L"), luma.orientation)) > 0
    boxes = [analysis.region] if analysis.region else []
    return heatmap_overlay(photo, heat_oriented, 1.0, boxes, scale, "JPEG ghost map", valid=valid_oriented)


@register
class JpegGhostCheck:
    id: ClassVar[str] = "jpeg-ghost"
    order: ClassVar[int] = 54

    def run(self, ctx: CheckContext) -> list[Finding]:
        if (too_small := too_small_for_analysis(ctx, self.id, Category.COMPRESSION)) is not None:
            return too_small
        tables = read_metadata(ctx.source).container.quant_tables if ctx.facts.format == "jpeg" else {}
        luma = decode_jpeg_luma(ctx.source) if 0 in tables else None
        if luma is None:
            log.debug("jpeg-ghost: not a YCbCr/grey JPEG (%s, %s), nothing to say", ctx.facts.format, ctx.facts.mode)
            return []
        analysis = analyse_ghost(luma, tables[0], ctx)
        sweep = analysis.sweep
        if sweep.ghost_quality is None or analysis.cells is None:
            # No earlier, lower-quality save: the check cannot judge either way, so it says nothing
            # (like jpeg-compression on a PNG) rather than adding a line to every report.
            log.debug("jpeg-ghost: no earlier save (best misfit %.2f)", sweep.ghost_misfit)
            return []
        image = save_evidence(ctx, "jpeg-ghost-map.jpg", ghost_picture(luma, analysis), "jpeg-ghost", CAPTION)
        images = (image,) if image else ()
        evidence: dict[str, object] = {
            "last_quality": analysis.last_quality,
            "qualities_tested": list(sweep.qualities),
            "misfit_curve": [round(v, 3) for v in sweep.misfit],
            "ghost_misfit": round(sweep.ghost_misfit, 3),
            "grid_offset": list(analysis.grid_offset),
        }
        fields: dict[str, object] = {"last_quality": analysis.last_quality}
        low, high = same_step_qualities(sweep.ghost_quality, QUALITIES)
        ghost_text = str(low) if low == high else f"{low}-{high}"
        evidence |= {"ghost_quality": sweep.ghost_quality, "ghost_quality_range": [low, high]}
        fields |= {"ghost_quality": ghost_text, "ghost_misfit": f"{sweep.ghost_misfit:.2f}"}
        if analysis.region is None or analysis.anomaly is None:
            return [self._finding(Strength.INFO, "consistent", fields, evidence, images)]
        x, y, w, h = analysis.region
        region_min = analysis.region_curve_min
        evidence |= {
            "region_misfit": round(analysis.region_misfit, 3),
            "rest_misfit": round(analysis.rest_misfit, 3),
            "region_cells": analysis.anomaly.n_blocks,
            "region_best_quality": region_min[0] if region_min else None,
            "region_best_misfit": round(region_min[1], 3) if region_min else None,
        }
        fields |= {
            "x": x,
            "y": y,
            "w": w,
            "h": h,
            "region_misfit": f"{analysis.region_misfit:.2f}",
            "rest_misfit": f"{analysis.rest_misfit:.2f}",
        }
        clear = (
            sweep.ghost_misfit <= CLEAR_GHOST_MISFIT
            and analysis.region_misfit >= MODERATE_REGION_MISFIT
            and analysis.anomaly.fill_ratio >= MODERATE_MIN_FILL
            and region_min is not None
            and region_min[1] >= GHOST_MAX_MISFIT
        )
        strength = Strength.MODERATE if clear else Strength.WEAK
        return [self._finding(strength, "region", fields, evidence, images, (analysis.region,))]

    def _finding(
        self,
        strength: Strength,
        kind: str,
        fields: dict[str, object],
        evidence: dict[str, object],
        images: tuple[EvidenceImage, ...],
        regions: tuple[Region, ...] = (),
    ) -> Finding:
        title = f"forensic.ghost.{kind}.title"
        if kind == "region" and strength is Strength.MODERATE:
            title = "forensic.ghost.region_clear.title"
        return Finding(
            self.id,
            Category.COMPRESSION,
            strength,
            title,
            f"forensic.ghost.{kind}.detail",
            fields=fields,
            regions=regions,
            evidence=evidence,
            images=images,
            limits_key="forensic.ghost.limits",
        )
