"""``noise-consistency``: is there one region whose noise level does not fit the rest of the photo?

Every camera photo carries sensor noise, roughly even across the frame for a given brightness.
A painted stain, an AI-inpainted patch or a smoothed-over area is usually much smoother (or,
when pasted from another photo, differently noisy) than its surroundings. We measure the local
noise residual (the photo minus its 3×3 median, a standard residual for forensic noise analysis,
cf. Mahdian & Saic, "Using noise inconsistencies for blind image forensics", Image and Vision
Computing 27(10), 2009) per block, compare each block with blocks of similar brightness, and look
for one compact group of blocks that disagrees.

This signal is weak by nature: smooth objects, blur, clipped highlights and heavy JPEG also make
areas "quiet". So a noise finding is at most ``weak`` here; error_level.py may raise it to
``moderate`` only when the ELA map independently flags the same region.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import cv2
import numpy as np

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Region, Strength
from shopguard.checks.forensic_maps import (
    BoolMap,
    FloatMap,
    block_reduce_mean,
    block_region,
    heatmap_overlay,
    localized_anomalies,
    luma_u8,
    robust_z,
    save_evidence,
    too_small_for_analysis,
)
from shopguard.checks.registry import register
from shopguard.imaging import DecodedImage

ANALYSIS_SIDE = 2048
"""Noise is measured on a ≤ 2048 px decode (21 ms for the residual, PERFORMANCE.md)."""
NOISE_FLOOR = 0.5
"""Grey levels added to every noise level before taking ratios: 8-bit JPEG quantisation leaves
~0.3-0.5 levels of residual even in flat areas, so ratios of smaller values are meaningless."""
RATIO_OUTLIER = 0.5
"""A block must be at least 2× quieter (or louder) than blocks of its brightness to count."""
Z_OUTLIER = 3.0
"""...and a robust z-score of 3 (median/MAD) from the photo's own spread of block noise."""
RING_RATIO_MAX = 0.5
"""...and at most half as noisy as the blocks right around it: an edit has an abrupt edge, while
naturally smooth areas (sky, soft backgrounds) fade into their surroundings. Chosen on the
benchmark (benchmarks/forensics_accuracy.py): most untouched photos' candidates were above 0.5."""
MAX_ELONGATION = 3.0
"""Thin strips (shadows, object edges, seams) are natural; painted or filled areas are compact."""
MAX_FRACTION = 0.25
"""A "region" covering more than a quarter of the photo is a property of the photo, not an edit."""
CLIP_LOW, CLIP_HIGH = 12, 243
"""Blocks this dark or bright are clipped or nearly so: no noise survives there to measure."""


@dataclass(frozen=True)
class NoiseAnalysis:
    """Block noise measurement of one photo and the region that disagrees, if any."""

    block_px: int
    noise: FloatMap
    log_ratio: FloatMap
    valid: BoolMap
    region: Region | None
    region_ratio: float
    ring_ratio: float
    region_blocks: int


def block_size(decoded: DecodedImage) -> int:
    """32 px blocks on large decodes, 16 px on small photos (keeps ≥ ~30 blocks per side)."""
    return 32 if max(decoded.image.size) >= 1200 else 16


def analyse_noise(decoded: DecodedImage) -> NoiseAnalysis:
    """Measure block noise and find one localized region that is much quieter or louder."""
    luma = luma_u8(decoded.image)
    block = block_size(decoded)
    residual = np.abs(luma.astype(np.int16) - cv2.medianBlur(luma, 3).astype(np.int16))
    # Only count flat-ish pixels: edges leak into a median residual and would read as "noise".
    gradient = cv2.morphologyEx(luma, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    flat = gradient <= max(8.0, float(np.percentile(gradient, 60)))
    flat_share = block_reduce_mean(flat, block)
    noise_sum = block_reduce_mean(np.where(flat, residual, 0), block)
    noise = (noise_sum / np.maximum(flat_share, 1e-6)).astype(np.float32)
    brightness = block_reduce_mean(luma, block)
    valid = (flat_share >= 0.25) & (brightness > CLIP_LOW) & (brightness < CLIP_HIGH)
    expected = _expected_by_brightness(noise, brightness, valid)
    log_ratio = np.log2((noise + NOISE_FLOOR) / (expected + NOISE_FLOOR)).astype(np.float32)
    z = robust_z(log_ratio, valid)
    outlier = (log_ratio <= math.log2(RATIO_OUTLIER)) & (z <= -Z_OUTLIER)
    candidates = localized_anomalies(outlier, valid, min_blocks=_min_blocks(valid), max_fraction=MAX_FRACTION)
    for anomaly in candidates:
        if _touches_border(anomaly.mask) or _is_strip(anomaly.cols, anomaly.rows):
            continue
        inside = anomaly.mask & valid
        ring = cv2.dilate(anomaly.mask.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        ring &= valid & ~anomaly.mask
        if not ring.any():
            continue
        region_noise = float(np.median(noise[inside])) + NOISE_FLOOR
        ring_ratio = region_noise / (float(np.median(noise[ring])) + NOISE_FLOOR)
        if ring_ratio > RING_RATIO_MAX:
            continue
        ratio = region_noise / (float(np.median(noise[valid & ~anomaly.mask])) + NOISE_FLOOR)
        region = block_region(anomaly, block, decoded.scale)
        return NoiseAnalysis(block, noise, log_ratio, valid, region, ratio, ring_ratio, anomaly.n_blocks)
    return NoiseAnalysis(block, noise, log_ratio, valid, None, 1.0, 1.0, 0)


def _touches_border(mask: BoolMap) -> bool:
    """Sky, backdrops and out-of-focus backgrounds are smooth and reach the frame's edge; painted
    damage sits on the product. A quiet region touching the border is not reported."""
    return bool(mask[0, :].any() or mask[-1, :].any() or mask[:, 0].any() or mask[:, -1].any())


def _is_strip(cols: int, rows: int) -> bool:
    return min(cols, rows) < 2 or max(cols, rows) > MAX_ELONGATION * min(cols, rows)


def _min_blocks(valid: BoolMap) -> int:
    """At least 6 blocks and 0.4% of the measurable photo: smaller groups occur by chance."""
    return max(6, math.ceil(0.004 * int(valid.sum())))


def _expected_by_brightness(noise: FloatMap, brightness: FloatMap, valid: BoolMap) -> FloatMap:
    """Typical noise for blocks of each brightness (sensor noise grows with signal: compare like)."""
    edges = np.linspace(CLIP_LOW, CLIP_HIGH, 9)
    bins = np.clip(np.digitize(brightness, edges) - 1, 0, len(edges) - 2)
    overall = float(np.median(noise[valid])) if valid.any() else 0.0
    expected = np.full(noise.shape, overall, dtype=np.float32)
    for b in range(len(edges) - 1):
        members = valid & (bins == b)
        if int(members.sum()) >= 8:
            expected[bins == b] = float(np.median(noise[members]))
    return expected


@register
class NoiseConsistencyCheck:
    id: ClassVar[str] = "noise-consistency"
    order: ClassVar[int] = 60

    def run(self, ctx: CheckContext) -> list[Finding]:
        if (too_small := too_small_for_analysis(ctx, self.id, Category.NOISE)) is not None:
            return too_small
        decoded = ctx.pixels(ANALYSIS_SIDE)
        analysis = analyse_noise(decoded)
        boxes = [analysis.region] if analysis.region else []
        deviation = np.where(analysis.valid, np.abs(analysis.log_ratio), 0.0).astype(np.float32)
        picture = heatmap_overlay(
            decoded.image, deviation, 2.0, boxes, decoded.scale, "noise map", valid=analysis.valid
        )
        image = save_evidence(ctx, "noise-map.jpg", picture, "noise", "forensic.noise.map_caption")
        images = (image,) if image else ()
        evidence = {
            "block_px_decoded": analysis.block_px,
            "decode_scale": round(decoded.scale, 4),
            "measurable_blocks": int(analysis.valid.sum()),
        }
        if analysis.region is None:
            return [
                Finding(
                    self.id,
                    Category.NOISE,
                    Strength.INFO,
                    "forensic.noise.none.title",
                    "forensic.noise.none.detail",
                    evidence=evidence,
                    images=images,
                    limits_key="forensic.noise.limits",
                )
            ]
        x, y, w, h = analysis.region
        fields = {
            "x": x,
            "y": y,
            "w": w,
            "h": h,
            "ratio": f"{analysis.region_ratio:.2f}",
            "ring_ratio": f"{analysis.ring_ratio:.2f}",
        }
        evidence |= {
            "region_noise_ratio": round(analysis.region_ratio, 3),
            "ring_noise_ratio": round(analysis.ring_ratio, 3),
            "region_blocks": analysis.region_blocks,
        }
        return [
            Finding(
                self.id,
                Category.NOISE,
                Strength.WEAK,
                "forensic.noise.quieter.title",
                "forensic.noise.quieter.detail",
                fields=fields,
                regions=(analysis.region,),
                evidence=evidence,
                images=images,
                limits_key="forensic.noise.limits",
            )
        ]
