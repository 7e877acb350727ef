"""Shared maths and drawing for the pixel-forensics checks (error level, noise, copy-move).

Not a check (no ``@register``): block statistics, a finder for one localized anomaly in a block
map, coordinate conversion to full-resolution oriented pixels, and the rendering of evidence maps
as annotated JPEG copies (the original file is never touched). Maps are written as JPEG q85
because the PDF report embeds them by path (see /work/shared/PERFORMANCE.md, "PDF").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, EvidenceImage, Finding, Region, Strength

log = logging.getLogger(__name__)

FloatMap = npt.NDArray[np.float32]
BoolMap = npt.NDArray[np.bool_]

MAP_MAX_SIDE = 1024
"""Evidence maps are stored at most this large: enough to see a region, small in the PDF."""
MAP_JPEG_QUALITY = 85
MIN_ANALYSIS_SIDE_PX = 64
"""Below this the block statistics (16-32 px blocks) have too few blocks to compare with each other."""


def too_small_for_analysis(ctx: CheckContext, check_id: str, category: Category) -> list[Finding] | None:
    """An ``info`` finding when the photo is too small for block statistics, else None."""
    width, height = ctx.facts.width, ctx.facts.height
    if min(width, height) >= MIN_ANALYSIS_SIDE_PX:
        return None
    return [
        Finding(
            check_id,
            category,
            Strength.INFO,
            "forensic.too_small.title",
            "forensic.too_small.detail",
            fields={"width": width, "height": height, "min_px": MIN_ANALYSIS_SIDE_PX},
            evidence={"width": width, "height": height},
        )
    ]


def luma_u8(image: Image.Image) -> npt.NDArray[np.uint8]:
    """ITU-R BT.601 luma as uint8 (the channel JPEG compresses hardest and noise shows best in)."""
    return np.asarray(image.convert("L"), dtype=np.uint8)


def block_reduce_mean(values: npt.NDArray[Any], block_px: int) -> FloatMap:
    """Mean over non-overlapping ``block_px`` squares; the ragged right/bottom edge is dropped."""
    rows, cols = values.shape[0] // block_px, values.shape[1] // block_px
    cropped = values[: rows * block_px, : cols * block_px].astype(np.float32)
    means: FloatMap = cropped.reshape(rows, block_px, cols, block_px).mean(axis=(1, 3), dtype=np.float32)
    return means


def robust_z(values: FloatMap, valid: BoolMap) -> FloatMap:
    """(value - median) / (1.4826 * MAD) over the valid blocks; the MAD is floored so a flat map gives 0."""
    sample = values[valid]
    if sample.size == 0:
        return np.zeros_like(values)
    median = float(np.median(sample))
    mad = float(np.median(np.abs(sample - median))) * 1.4826
    return ((values - median) / max(mad, 1e-3)).astype(np.float32)


@dataclass(frozen=True)
class BlockAnomaly:
    """One connected group of outlying blocks, in block units of the map it was found in."""

    col: int
    row: int
    cols: int
    rows: int
    n_blocks: int
    mask: BoolMap

    @property
    def fill_ratio(self) -> float:
        """How much of its bounding box the group fills (1 = a solid rectangle)."""
        return self.n_blocks / float(self.cols * self.rows)


def localized_anomalies(outlier: BoolMap, valid: BoolMap, min_blocks: int, max_fraction: float) -> list[BlockAnomaly]:
    """Connected groups of outlying blocks that are localized, largest first.

    A group counts only when it has at least ``min_blocks`` blocks, covers at most ``max_fraction``
    of the valid blocks (a photo that is "anomalous everywhere" is just a different photo) and
    fills at least a quarter of its bounding box (scattered speckle is texture, not an edit).
    """
    if outlier.size == 0:
        return []
    # Close one-block gaps so a painted area split by a JPEG edge counts as one region.
    closed = cv2.morphologyEx((outlier & valid).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    candidate = (np.asarray(closed) > 0) & valid
    count, labels, stats, _ = cv2.connectedComponentsWithStats(candidate.astype(np.uint8), connectivity=8)
    n_valid = int(valid.sum())
    found: list[BlockAnomaly] = []
    for label in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[label])
        if area < min_blocks or area > max_fraction * n_valid or area < 0.25 * w * h:
            continue
        found.append(BlockAnomaly(col=x, row=y, cols=w, rows=h, n_blocks=area, mask=labels == label))
    return sorted(found, key=lambda a: -a.n_blocks)


def localized_anomaly(outlier: BoolMap, valid: BoolMap, min_blocks: int, max_fraction: float) -> BlockAnomaly | None:
    """The largest localized group of outlying blocks (see ``localized_anomalies``), or None."""
    found = localized_anomalies(outlier, valid, min_blocks, max_fraction)
    return found[0] if found else None


def block_region(anomaly: BlockAnomaly, block_px: int, scale: float) -> Region:
    """The anomaly's bounding box in full-resolution oriented pixels (``scale`` = decoded / full)."""
    factor = block_px / scale
    return (
        round(anomaly.col * factor),
        round(anomaly.row * factor),
        round(anomaly.cols * factor),
        round(anomaly.rows * factor),
    )


def region_overlap(a: Region, b: Region) -> float:
    """Intersection over the smaller box's area (1.0 when one box lies inside the other)."""
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    smaller = min(a[2] * a[3], b[2] * b[3])
    return (ix * iy) / smaller if smaller > 0 else 0.0


def heatmap_overlay(
    photo: Image.Image,
    block_values: FloatMap,
    vmax: float,
    boxes: list[Region],
    scale: float,
    stamp: str,
    valid: BoolMap | None = None,
) -> Image.Image:
    """A grey copy of the photo with a colour heat map on top and the flagged boxes outlined.

    Args:
        photo: the decoded photo the map was computed on.
        block_values: one value per block (0 = cool, ``vmax`` = hot).
        vmax: value shown as the hottest colour.
        boxes: regions to outline, in full-resolution coordinates.
        scale: decoded / full resolution of ``photo``.
        stamp: short ASCII label burnt into the corner, so the copy is never mistaken for the photo.
        valid: blocks that could be measured; the others stay plain grey.
    """
    base = photo.copy()
    base.thumbnail((MAP_MAX_SIDE, MAP_MAX_SIDE), Image.Resampling.BILINEAR)
    out_scale = scale * base.width / photo.width
    grey = cv2.cvtColor(np.asarray(base.convert("L")), cv2.COLOR_GRAY2BGR)
    if block_values.size == 0:  # a damaged file whose decoded pixels hold no whole block: nothing to colour
        block_values = np.zeros((1, 1), dtype=np.float32)
        valid = np.zeros((1, 1), dtype=bool)
    normalized = np.clip(block_values / max(vmax, 1e-6), 0.0, 1.0)
    heat_small = (normalized * 255).astype(np.uint8)
    heat = cv2.resize(heat_small, (base.width, base.height), interpolation=cv2.INTER_NEAREST)
    coloured = cv2.applyColorMap(heat, cv2.COLORMAP_INFERNO)
    blended = cv2.addWeighted(grey, 0.45, coloured, 0.55, 0.0)
    if valid is not None:
        shown = cv2.resize(valid.astype(np.uint8), (base.width, base.height), interpolation=cv2.INTER_NEAREST)
        blended[shown == 0] = grey[shown == 0]
    for x, y, w, h in boxes:
        p1 = (round(x * out_scale), round(y * out_scale))
        p2 = (round((x + w) * out_scale), round((y + h) * out_scale))
        cv2.rectangle(blended, p1, p2, (255, 255, 0), 2)
    annotate_stamp(blended, stamp)
    return Image.fromarray(cv2.cvtColor(blended, cv2.COLOR_BGR2RGB))


def _stamp_scale(width_px: int) -> float:
    return min(0.45, max(0.25, width_px / 1500))


def stamp_band_px(width_px: int) -> int:
    """Height of the label strip ``annotate_stamp`` burns into the top rows of a map ``width_px`` wide.

    The report cuts these rows off and prints its own label, in the report's language, at a size
    that stays legible on paper (the strip's 0.25-0.45 Hershey text does not).
    """
    (_tw, th), base = cv2.getTextSize("Ag", cv2.FONT_HERSHEY_SIMPLEX, _stamp_scale(width_px), 1)
    return int(th + base + 8) + 1


def annotate_stamp(canvas_bgr: npt.NDArray[Any], stamp: str) -> None:
    """Burn a small label into the top-left corner (in place): this image is an analysis copy."""
    label = f"ShopGuard {stamp} - annotated copy"
    font_scale = _stamp_scale(canvas_bgr.shape[1])
    (tw, th), base = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, font_scale, 1)
    cv2.rectangle(canvas_bgr, (0, 0), (tw + 8, th + base + 8), (0, 0, 0), -1)
    cv2.putText(canvas_bgr, label, (4, th + 4), cv2.FONT_HERSHEY_SIMPLEX, font_scale, (255, 255, 255), 1, cv2.LINE_AA)


def save_evidence(
    ctx: CheckContext, name: str, image: Image.Image, kind: str, caption_key: str
) -> EvidenceImage | None:
    """Write ``image`` as a JPEG evidence file; None when this run keeps no evidence folder."""
    if ctx.artifact_dir is None:
        log.debug("no artifact folder: %s map not written", kind)
        return None
    path = ctx.artifact_path(name)
    image.convert("RGB").save(path, "JPEG", quality=MAP_JPEG_QUALITY)
    return EvidenceImage(kind=kind, path=str(path), caption_key=caption_key)
