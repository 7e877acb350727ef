"""``copy-move``: was part of the photo copied onto another place of the same photo?

Cloning is how a tear, a stain or a missing part is faked from the photo's own material (or how
a defect is hidden). We follow the keypoint method of Amerini et al., "A SIFT-based forensic
method for copy-move attack detection and transformation recovery" (IEEE TIFS 6(3), 2011): SIFT
keypoints matched against the *same* photo with the generalized 2-nearest-neighbour test, pairs
closer than a minimum shift dropped, then one geometric transform per cloned area found by
RANSAC (sequentially, so several areas can be found).

A cluster of matches can also come from two identical real objects (a pack of two, printed
patterns, tiles). Two honest copies of an object differ in sensor noise and sub-pixel position,
a clone does not. So ``moderate`` needs a clean cluster of ≥ 20 matches whose two areas agree
pixel for pixel in their fine detail (high-pass correlation ≥ 0.9), with no other repeated
cluster nearly as large. Areas that correlate below 0.8 are reported as look-alikes (``info``);
anything in between is ``weak``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import cv2
import numpy as np
import numpy.typing as npt

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Region, Strength
from shopguard.checks.forensic_maps import annotate_stamp, luma_u8, save_evidence, too_small_for_analysis
from shopguard.checks.registry import register
from shopguard.imaging import DecodedImage

ANALYSIS_SIDE = 1024
MAX_KEYPOINTS = 4000
G2NN_RATIO = 0.5
"""Amerini et al. use 0.5 for the generalized 2NN test on SIFT distances."""
MIN_SHIFT_FRACTION = 0.03
"""Pairs closer than 3% of the long side are the same structure seen twice by SIFT, not a clone."""
RANSAC_PX = 3.0
MIN_INLIERS_WEAK = 10
MIN_INLIERS_MODERATE = 20
"""≥ 20 matches under one transform: well above chance clusters in untouched photos (benchmark)."""
IDENTICAL_DETAIL = 0.9
"""High-pass correlation of the two areas needed for ``moderate``: clones measured 0.98-0.99 after
JPEG q90 (benchmark), real look-alikes at most 0.70."""
SAME_PIXELS_MIN = 0.8
"""Below this detail correlation two matching areas are taken as real look-alikes (measured 0.06-0.45
for identical packs side by side on shop shelves, 0.70 for woven fabric), not one area copied:
reported as ``info``."""
MAX_CLUSTERS = 3

Points = npt.NDArray[np.float32]


@dataclass(frozen=True)
class CloneCluster:
    """Matched keypoint pairs that one transform maps from ``source`` onto ``target`` (decoded px)."""

    source_pts: Points
    target_pts: Points
    transform: npt.NDArray[np.float64]

    @property
    def inliers(self) -> int:
        return len(self.source_pts)


def _self_matches(gray: npt.NDArray[np.uint8]) -> tuple[Points, Points]:
    """Keypoint pairs that look alike but lie apart (generalized 2NN on the photo against itself)."""
    sift = cv2.SIFT.create(nfeatures=MAX_KEYPOINTS)
    keypoints, descriptors = sift.detectAndCompute(gray, None)
    if descriptors is None or len(keypoints) < 3:
        return np.empty((0, 2), np.float32), np.empty((0, 2), np.float32)
    coords = np.array([kp.pt for kp in keypoints], np.float32)
    min_shift = MIN_SHIFT_FRACTION * max(gray.shape)
    matches = cv2.BFMatcher(cv2.NORM_L2).knnMatch(descriptors, descriptors, k=3)
    seen: set[tuple[int, int]] = set()
    src, dst = [], []
    for candidates in matches:
        if len(candidates) < 3:
            continue
        # candidates[0] is the keypoint itself (distance 0).
        best, second = candidates[1], candidates[2]
        if best.distance >= G2NN_RATIO * max(second.distance, 1e-6):
            continue
        a, b = best.queryIdx, best.trainIdx
        if float(np.hypot(*(coords[a] - coords[b]))) < min_shift:
            continue
        # Orient every pair the same way (left to right) so one clone gives one transform.
        if (coords[a][0], coords[a][1]) > (coords[b][0], coords[b][1]):
            a, b = b, a
        if (a, b) not in seen:
            seen.add((a, b))
            src.append(coords[a])
            dst.append(coords[b])
    return np.array(src, np.float32).reshape(-1, 2), np.array(dst, np.float32).reshape(-1, 2)


def find_clusters(gray: npt.NDArray[np.uint8]) -> list[CloneCluster]:
    """Up to MAX_CLUSTERS groups of pairs, each consistent with one similarity transform."""
    src, dst = _self_matches(gray)
    clusters: list[CloneCluster] = []
    while len(src) >= MIN_INLIERS_WEAK and len(clusters) < MAX_CLUSTERS:
        transform, mask = cv2.estimateAffinePartial2D(
            src, dst, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX, maxIters=2000
        )
        if transform is None or mask is None:
            break
        keep = mask.ravel().astype(bool)
        if int(keep.sum()) < MIN_INLIERS_WEAK:
            break
        clusters.append(CloneCluster(src[keep], dst[keep], np.asarray(transform, np.float64)))
        src, dst = src[~keep], dst[~keep]
    return clusters


def _box(points: Points, pad: float, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    x0, y0 = np.maximum(points.min(axis=0) - pad, 0)
    x1 = min(float(points[:, 0].max()) + pad, shape[1])
    y1 = min(float(points[:, 1].max()) + pad, shape[0])
    return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


def detail_correlation(gray: npt.NDArray[np.uint8], cluster: CloneCluster) -> float:
    """Correlation of fine detail between the target area and the source area mapped onto it."""
    # The tight box of the matched points: it lies inside the copied area, so its surroundings
    # (which were not copied) do not dilute the measure.
    x, y, w, h = _box(cluster.target_pts, 0.0, gray.shape)
    if w < 8 or h < 8:
        return 0.0
    image = gray.astype(np.float32)
    high = image - cv2.GaussianBlur(image, (0, 0), 1.5)
    warped = cv2.warpAffine(high, cluster.transform, (gray.shape[1], gray.shape[0]), flags=cv2.INTER_LINEAR)
    a = high[y : y + h, x : x + w].ravel()
    b = warped[y : y + h, x : x + w].ravel()
    a, b = a - a.mean(), b - b.mean()
    denom = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / denom) if denom > 0 else 0.0


def _full_region(box: tuple[int, int, int, int], scale: float) -> Region:
    return (round(box[0] / scale), round(box[1] / scale), round(box[2] / scale), round(box[3] / scale))


def _draw(decoded: DecodedImage, clusters: list[CloneCluster]) -> npt.NDArray[Any]:
    canvas = cv2.cvtColor(np.asarray(decoded.image.convert("L")), cv2.COLOR_GRAY2BGR)
    canvas = np.asarray(cv2.convertScaleAbs(canvas, alpha=0.6, beta=40), np.uint8)
    for index, cluster in enumerate(clusters):
        colour = (0, 0, 255) if index == 0 else (0, 200, 255)
        for (sx, sy), (tx, ty) in zip(cluster.source_pts, cluster.target_pts, strict=True):
            cv2.line(canvas, (int(sx), int(sy)), (int(tx), int(ty)), colour, 1, cv2.LINE_AA)
            cv2.circle(canvas, (int(sx), int(sy)), 2, (0, 200, 0), -1)
            cv2.circle(canvas, (int(tx), int(ty)), 2, colour, -1)
        pad = 0.02 * max(canvas.shape)
        for pts, box_colour in ((cluster.source_pts, (0, 200, 0)), (cluster.target_pts, colour)):
            x, y, w, h = _box(pts, pad, canvas.shape)
            cv2.rectangle(canvas, (x, y), (x + w, y + h), box_colour, 2)
    annotate_stamp(canvas, "copy-move map")
    return canvas


@register
class CopyMoveCheck:
    id: ClassVar[str] = "copy-move"
    order: ClassVar[int] = 70

    def run(self, ctx: CheckContext) -> list[Finding]:
        if (too_small := too_small_for_analysis(ctx, self.id, Category.COPY_MOVE)) is not None:
            return too_small
        from PIL import Image

        decoded = ctx.pixels(ANALYSIS_SIDE)
        gray = luma_u8(decoded.image)
        clusters = find_clusters(gray)
        picture = Image.fromarray(cv2.cvtColor(_draw(decoded, clusters), cv2.COLOR_BGR2RGB))
        image = save_evidence(ctx, "copy-move-map.jpg", picture, "copy-move", "forensic.copymove.map_caption")
        images = (image,) if image else ()
        evidence: dict[str, object] = {
            "decode_scale": round(decoded.scale, 4),
            "clusters": [c.inliers for c in clusters],
        }
        if not clusters:
            return [
                Finding(
                    self.id,
                    Category.COPY_MOVE,
                    Strength.INFO,
                    "forensic.copymove.none.title",
                    "forensic.copymove.none.detail",
                    evidence=evidence,
                    images=images,
                    limits_key="forensic.copymove.limits",
                )
            ]
        scored = [(cluster, detail_correlation(gray, cluster)) for cluster in clusters]
        best, correlation = max(scored, key=lambda item: item[1])
        evidence["detail_correlations"] = [round(c, 3) for _, c in scored]
        if correlation < SAME_PIXELS_MIN:
            key = "repetitive" if len(clusters) >= MAX_CLUSTERS else "twins"
            return [
                Finding(
                    self.id,
                    Category.COPY_MOVE,
                    Strength.INFO,
                    f"forensic.copymove.{key}.title",
                    f"forensic.copymove.{key}.detail",
                    fields={"clusters": len(clusters), "correlation": f"{correlation:.2f}"},
                    evidence=evidence,
                    images=images,
                    limits_key="forensic.copymove.limits",
                )
            ]
        pad = 0.02 * max(gray.shape)
        source = _full_region(_box(best.source_pts, pad, gray.shape), decoded.scale)
        target = _full_region(_box(best.target_pts, pad, gray.shape), decoded.scale)
        shift = best.transform[:, 2] / decoded.scale
        is_clean = all(other.inliers * 3 <= best.inliers for other, _ in scored if other is not best)
        is_moderate = best.inliers >= MIN_INLIERS_MODERATE and correlation >= IDENTICAL_DETAIL and is_clean
        fields = {
            "matches": best.inliers,
            "sx": source[0],
            "sy": source[1],
            "tx": target[0],
            "ty": target[1],
            "w": target[2],
            "h": target[3],
            "correlation": f"{correlation:.2f}",
        }
        evidence |= {
            "inliers": best.inliers,
            "detail_correlation": round(correlation, 3),
            "shift_px": [round(float(shift[0])), round(float(shift[1]))],
            "source_region": list(source),
            "target_region": list(target),
            "is_clean": is_clean,
        }
        return [
            Finding(
                self.id,
                Category.COPY_MOVE,
                Strength.MODERATE if is_moderate else Strength.WEAK,
                "forensic.copymove.found.title",
                "forensic.copymove.found.detail",
                fields=fields,
                regions=(source, target),
                evidence=evidence,
                images=images,
                limits_key="forensic.copymove.limits",
            )
        ]
