"""``error-level``: error level analysis (ELA) of a JPEG: does one region recompress differently?

ELA re-saves the photo as JPEG at quality 90 and looks at how much each area changes (Krawetz,
"A Picture's Worth...", Black Hat 2007). Areas that went through the same JPEG history change by
a similar amount *for their amount of detail*; an area pasted or painted in after the last save
of the rest often changes more. We therefore divide the block ELA level by the block's fine detail
(high-pass energy), and look for one compact group of blocks whose ratio is far above the photo's
own typical ratio (robust z-score, median/MAD).

Limits, said plainly in every finding: ELA is only meaningful for JPEG files (for PNG, HEIC, WebP
the check says so and makes no finding; the map is shown for completeness); a JPEG re-saved at
the quality of its last save hardly changes at all (libjpeg is nearly idempotent), so a photo
last saved at q90, or re-saved many times by chat apps, gives a flat map; text, sharp edges and
saturated colours light up without any editing. So ELA alone is at most ``weak``; it becomes
``moderate`` only when the noise check independently finds the same region. On our benchmark
(benchmarks/forensics_accuracy.py) it localized few edits on its own: it is a map for the seller
and a second opinion, not a detector to lean on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import cv2
import numpy as np

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, EvidenceImage, Finding, Region, Strength
from shopguard.checks.forensic_maps import (
    BoolMap,
    FloatMap,
    block_reduce_mean,
    block_region,
    heatmap_overlay,
    localized_anomaly,
    luma_u8,
    region_overlap,
    robust_z,
    save_evidence,
    too_small_for_analysis,
)
from shopguard.checks.noise_consistency import ANALYSIS_SIDE as NOISE_SIDE
from shopguard.checks.noise_consistency import analyse_noise
from shopguard.checks.registry import register
from shopguard.imaging import DecodedImage

RESAVE_QUALITY = 90
FULL_RES_MAX_PIXELS = 16_000_000
"""Up to 16 MP we run ELA at full resolution so the 8×8 JPEG grid of the file is kept (12 MP:
~300 ms with the decode). Larger photos are reduced to 4096 px, where the map is only indicative."""
REDUCED_SIDE = 4096
DETAIL_FLOOR = 1.0
"""Grey levels added to ELA and detail before the ratio, so flat areas compare as "typical"."""
MIN_DETAIL = 1.0
"""Mean high-pass level (grey levels) a block needs for its error level to mean anything."""
Z_OUTLIER = 3.5
LOG2_EXCESS = 1.0
"""A block must change at least 2× more than the photo's typical block of the same detail."""
MAX_FRACTION = 0.25
CLIP_LOW, CLIP_HIGH = 8, 247
CORROBORATION_OVERLAP = 0.5
"""ELA and noise regions must share half of the smaller box to count as the same region."""


@dataclass(frozen=True)
class ElaAnalysis:
    block_px: int
    excess: FloatMap
    valid: BoolMap
    region: Region | None
    region_excess: float
    region_blocks: int


def ela_block_px(long_side: int) -> int:
    """Blocks on the JPEG 8 px grid, about 96 across the long side."""
    return 8 * max(1, round(long_side / (8 * 96)))


def analyse_ela(decoded: DecodedImage) -> ElaAnalysis:
    """Re-save at q90, measure the block error relative to block detail, find one outlying region."""
    luma = luma_u8(decoded.image)
    ok, encoded = cv2.imencode(".jpg", luma, [cv2.IMWRITE_JPEG_QUALITY, RESAVE_QUALITY])
    if not ok:
        raise RuntimeError("OpenCV could not encode the ELA re-save")  # a bug, not a user error
    resaved = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)
    if resaved is None:
        raise RuntimeError("OpenCV could not decode its own ELA re-save")  # a bug, not a user error
    block = ela_block_px(max(luma.shape))
    error = block_reduce_mean(np.abs(luma.astype(np.int16) - resaved.astype(np.int16)), block)
    detail = block_reduce_mean(np.abs(luma.astype(np.int16) - cv2.GaussianBlur(luma, (3, 3), 0)), block)
    brightness = block_reduce_mean(luma, block)
    # Flat blocks are left out: their re-save error is rounding, not history (ELA cannot judge them).
    valid = (brightness > CLIP_LOW) & (brightness < CLIP_HIGH) & (detail >= MIN_DETAIL)
    log_ratio = np.log2((error + DETAIL_FLOOR) / (detail + DETAIL_FLOOR)).astype(np.float32)
    typical = float(np.median(log_ratio[valid])) if valid.any() else 0.0
    excess = (log_ratio - typical).astype(np.float32)
    z = robust_z(log_ratio, valid)
    outlier = (z >= Z_OUTLIER) & (excess >= LOG2_EXCESS)
    min_blocks = max(6, math.ceil(0.004 * int(valid.sum())))
    anomaly = localized_anomaly(outlier, valid, min_blocks=min_blocks, max_fraction=MAX_FRACTION)
    if anomaly is None:
        return ElaAnalysis(block, excess, valid, None, 0.0, 0)
    region_excess = float(2 ** np.median(excess[anomaly.mask & valid]))
    return ElaAnalysis(
        block, excess, valid, block_region(anomaly, block, decoded.scale), region_excess, anomaly.n_blocks
    )


@register
class ErrorLevelCheck:
    id: ClassVar[str] = "error-level"
    order: ClassVar[int] = 50

    def run(self, ctx: CheckContext) -> list[Finding]:
        if (too_small := too_small_for_analysis(ctx, self.id, Category.COMPRESSION)) is not None:
            return too_small
        is_jpeg = ctx.facts.format == "jpeg"
        if not is_jpeg:
            # The map is shown for completeness only: reuse the noise check's cached decode.
            decoded = ctx.pixels(NOISE_SIDE)
        elif ctx.facts.width * ctx.facts.height <= FULL_RES_MAX_PIXELS:
            decoded = ctx.pixels(None)
        else:
            decoded = ctx.pixels(REDUCED_SIDE)
        analysis = analyse_ela(decoded)
        boxes = [analysis.region] if analysis.region and is_jpeg else []
        shown = np.where(analysis.valid, np.maximum(analysis.excess, 0.0), 0.0).astype(np.float32)
        picture = heatmap_overlay(decoded.image, shown, 2.0, boxes, decoded.scale, "ELA map", valid=analysis.valid)
        caption = "forensic.ela.map_caption" if is_jpeg else "forensic.ela.map_caption_not_jpeg"
        image = save_evidence(ctx, "ela-map.jpg", picture, "ela", caption)
        images = (image,) if image else ()
        evidence: dict[str, object] = {
            "resave_quality": RESAVE_QUALITY,
            "decode_scale": round(decoded.scale, 4),
            "block_px_decoded": analysis.block_px,
            "format": ctx.facts.format,
        }
        if not is_jpeg:
            return [
                Finding(
                    self.id,
                    Category.COMPRESSION,
                    Strength.INFO,
                    "forensic.ela.not_jpeg.title",
                    "forensic.ela.not_jpeg.detail",
                    fields={"format": ctx.facts.format.upper()},
                    evidence=evidence,
                    images=images,
                    limits_key="forensic.ela.limits",
                )
            ]
        if analysis.region is None:
            return [
                Finding(
                    self.id,
                    Category.COMPRESSION,
                    Strength.INFO,
                    "forensic.ela.none.title",
                    "forensic.ela.none.detail",
                    evidence=evidence,
                    images=images,
                    limits_key="forensic.ela.limits",
                )
            ]
        return [self._region_finding(ctx, analysis, evidence, images)]

    def _region_finding(
        self, ctx: CheckContext, analysis: ElaAnalysis, evidence: dict[str, object], images: tuple[EvidenceImage, ...]
    ) -> Finding:
        region = analysis.region
        if region is None:
            raise ValueError("a region finding needs a region")
        x, y, w, h = region
        fields: dict[str, object] = {"x": x, "y": y, "w": w, "h": h, "ratio": f"{analysis.region_excess:.1f}"}
        evidence |= {"region_error_ratio": round(analysis.region_excess, 3), "region_blocks": analysis.region_blocks}
        noise = analyse_noise(ctx.pixels(NOISE_SIDE))
        if noise.region is not None and region_overlap(region, noise.region) >= CORROBORATION_OVERLAP:
            fields["noise_ratio"] = f"{noise.region_ratio:.2f}"
            evidence |= {"noise_region": list(noise.region), "noise_ratio": round(noise.region_ratio, 3)}
            return Finding(
                self.id,
                Category.COMPRESSION,
                Strength.MODERATE,
                "forensic.ela.corroborated.title",
                "forensic.ela.corroborated.detail",
                fields=fields,
                regions=(region,),
                evidence=evidence,
                images=images,
                limits_key="forensic.ela.limits",
            )
        return Finding(
            self.id,
            Category.COMPRESSION,
            Strength.WEAK,
            "forensic.ela.region.title",
            "forensic.ela.region.detail",
            fields=fields,
            regions=(region,),
            evidence=evidence,
            images=images,
            limits_key="forensic.ela.limits",
        )
