"""Geometric verification: do a listing photo's keypoints land on the complaint photo's under one
plausible transform?

Matches are ORB descriptor pairs that pass Lowe's ratio test (Lowe, IJCV 2004, ratio 0.8). The
model is a similarity (rotation, uniform scale, translation; plus a mirror, tried separately),
fitted with RANSAC (Fischler & Bolles 1981). Every edit a buyer makes to a photo (crop, resize,
rotate, mirror, screenshot) is a similarity, so a 4-degree-of-freedom model both fits real
derivations and refuses most chance alignments that an 8-DOF homography would accept.
Inlier count alone is not proof: the inlier ratio and the spread of the inliers are checked here,
and dense agreement afterwards (region_diff.py).

Repeated structure (a multipack shot: sixteen copies of one bulb) defeats the ratio test: a keypoint's nearest
and second-nearest descriptors lie on two copies, so most true matches are dropped and many kept ones land on the
wrong copy. A model RANSAC still finds is then checked by guided matching (Hartley & Zisserman, Multiple View
Geometry, 2nd ed., sec. 4.8): every listing keypoint is looked up where the model puts it. The same pixels give
the same corner at the same place with nearly the same descriptor, so a true derivation re-finds about half of the
listing's keypoints or more; a chance alignment re-finds almost none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image

from shopguard.library.features import COMPLAINT_KEYPOINTS, LocalFeatures, orb_features, work_gray

RATIO = 0.8
MIN_INLIERS = 12
MIN_INLIER_RATIO = 0.12
MIN_SPREAD = 0.04
"""Inliers must span 4% of the part of the complaint photo the listing photo covers (bounding boxes; the whole
complaint for a crop, the photo's place for a screenshot): a cluster on one logo is not a photo."""
RANSAC_PX = 4.0
"""Reprojection threshold in working pixels (~1024 px frame)."""
SCALE_RANGE = (0.03, 30.0)
GUIDED_MAX_BITS = 64
"""Hamming distance (of 256 bits) under which a keypoint found where the model puts a listing keypoint counts as
the same corner. Unrelated ORB descriptors differ in ~128 +- 8 bits (each test a coin toss): 64 is 8 standard
deviations below, while a corner re-detected on the same pixels after re-saving, resizing or a small turn keeps
most of its tests (typical true matches: under 40)."""
MIN_GUIDED_SHARE = 0.25
"""A model RANSAC found among ambiguous matches passes when at least a quarter of the listing keypoints it puts
inside the complaint photo are re-found there (GUIDED_MAX_BITS, within RANSAC_PX). Crops of a multipack shot
measure 0.50-0.72, its wrong (mirrored) fits 0.00-0.01: with ~2,500 complaint keypoints in a ~1024 px frame about
one listing keypoint in eight has any keypoint within 4 px by chance, and that one matches its descriptor by
chance almost never."""
REPEAT_BITS = 40
"""A listing keypoint whose two nearest complaint descriptors both differ from it in at most 40 of 256 bits (11
standard deviations under the ~128 of unrelated descriptors) has found two copies of one thing, not noise."""
MIN_REPEATS = 6
"""Look-alike matches the probe (every other listing keypoint) must count before the look-alike pairs are tried
(``verify_geometry``): half of MIN_INLIERS, as the probe sees half the keypoints. Photos without repeated objects
rarely have any, so the extra matching is not paid for them."""
PROBE_MIN_INLIERS = 5
PROBE_MIN_KEYPOINTS = 100
"""A candidate is first matched on every other keypoint (of at least 2 x 100): under 5 RANSAC inliers there,
it is no source (a source with the 12 inliers it needs keeps ~6 in either half)."""


@dataclass(frozen=True)
class ComplaintFeatures:
    """The complaint photo described as is and mirrored (ORB is not mirror invariant)."""

    normal: LocalFeatures
    mirrored: LocalFeatures
    width: int
    height: int


def complaint_features(image: Image.Image, decode_scale: float, side: int) -> ComplaintFeatures:
    """ORB features of the complaint photo and of its mirror image, in full-resolution coordinates.

    The working size is a pixel budget of ``side`` x ``side``, not a long side: a tall phone
    screenshot keeps the photo inside it at about the resolution the library was described at.
    """
    budget = min(1.0, side / math.sqrt(image.width * image.height))
    gray, scale = work_gray(image, max(1, round(max(image.size) * budget)))
    normal = orb_features(gray, COMPLAINT_KEYPOINTS, scale * decode_scale)
    mirrored = orb_features(np.ascontiguousarray(gray[:, ::-1]), COMPLAINT_KEYPOINTS, scale * decode_scale)
    return ComplaintFeatures(normal, mirrored, round(image.width / decode_scale), round(image.height / decode_scale))


@dataclass(frozen=True)
class Geometry:
    """``matrix`` maps listing full-resolution px to complaint full-resolution px (3x3 affine)."""

    matrix: np.ndarray
    inliers: int
    matches: int
    mirrored: bool
    spread: float
    residual_px: float = 0.0
    """Median reprojection error of the inliers in working pixels (~1024 px frame)."""
    covered_spread: float = 0.0
    """Inlier span over the part of the complaint the listing photo covers (``spread`` over the whole photo)."""
    guided_share: float = 0.0
    """Share of the listing keypoints the model puts inside the complaint that are re-found there (guided matching;
    only measured when the ratio-test matches alone do not make the model plausible)."""

    @property
    def best_spread(self) -> float:
        """The inlier span judged where it is largest: over the whole complaint or over the part the listing
        covers (a photo inside a screenshot)."""
        return max(self.spread, self.covered_spread)

    @property
    def inlier_ratio(self) -> float:
        return self.inliers / self.matches if self.matches else 0.0

    @property
    def scale(self) -> float:
        """Complaint px per listing px."""
        return math.sqrt(abs(float(np.linalg.det(self.matrix[:2, :2]))))

    @property
    def rotation_deg(self) -> float:
        a = self.matrix[:2, :2] @ (np.diag([-1.0, 1.0]) if self.mirrored else np.eye(2))
        return math.degrees(math.atan2(float(a[1, 0]), float(a[0, 0])))

    def crop_box(self, listing_w: int, listing_h: int, complaint_size: tuple[int, int]) -> list[int]:
        """The part of the listing photo visible in the complaint photo, (x, y, w, h) listing px."""
        w, h = complaint_size
        corners = np.array([[0, 0, 1], [w, 0, 1], [w, h, 1], [0, h, 1]], dtype=np.float64).T
        back = (np.linalg.inv(self.matrix) @ corners)[:2]
        x0, y0 = np.clip(back.min(axis=1), 0, [listing_w, listing_h])
        x1, y1 = np.clip(back.max(axis=1), 0, [listing_w, listing_h])
        return [round(x0), round(y0), round(x1 - x0), round(y1 - y0)]

    def transform_json(self, listing_w: int, listing_h: int, complaint_size: tuple[int, int]) -> dict[str, object]:
        return {
            "scale": round(self.scale, 4),
            "rotation_deg": round(self.rotation_deg, 1),
            "mirrored": self.mirrored,
            "crop_box": self.crop_box(listing_w, listing_h, complaint_size),
            "matrix": [[round(float(v), 5) for v in row] for row in self.matrix[:2]],
        }


_MATCHER = cv2.BFMatcher(cv2.NORM_HAMMING)


def _ratio_pairs(listing: np.ndarray, query: np.ndarray, repeats: list[int] | None = None) -> np.ndarray:
    """(listing row, query row) of the matches that pass the ratio test, in listing row order. ``repeats``, when
    given, gets the number of listing rows whose two nearest neighbours are both close (REPEAT_BITS) and so fail
    the ratio test as look-alikes: a repeated object, not a bad match."""
    pairs = _MATCHER.knnMatch(listing, query, k=2)
    good = [(p[0].queryIdx, p[0].trainIdx) for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if repeats is not None:
        repeats.append(
            sum(
                1
                for p in pairs
                if len(p) == 2 and p[0].distance >= RATIO * p[1].distance and p[1].distance <= REPEAT_BITS
            )
        )
    return np.array(good, dtype=np.int64).reshape(-1, 2)


def _repeat_pairs(listing: np.ndarray, query: np.ndarray) -> np.ndarray:
    """The ratio-test matches plus, for each listing row whose two nearest neighbours are both within
    REPEAT_BITS, both of them: RANSAC then picks the copy that fits one transform with the rest."""
    pairs = _MATCHER.knnMatch(listing, query, k=2)
    out: list[tuple[int, int]] = []
    for p in pairs:
        if len(p) == 2 and p[0].distance < RATIO * p[1].distance:
            out.append((p[0].queryIdx, p[0].trainIdx))
        elif len(p) == 2 and p[1].distance <= REPEAT_BITS:
            out.extend(((p[0].queryIdx, p[0].trainIdx), (p[1].queryIdx, p[1].trainIdx)))
    return np.array(out, dtype=np.int64).reshape(-1, 2)


def _ransac(src: np.ndarray, dst: np.ndarray, work_scale: float) -> tuple[np.ndarray, np.ndarray] | None:
    model, mask = cv2.estimateAffinePartial2D(
        src,
        dst,
        method=cv2.RANSAC,
        ransacReprojThreshold=RANSAC_PX / work_scale,
        maxIters=4000,
        confidence=0.999,
        refineIters=10,
    )
    if model is None or mask is None:
        return None
    return model, mask.ravel().astype(bool)


def _good_pairs(listing: LocalFeatures, query: LocalFeatures, repeats: list[int] | None = None) -> np.ndarray | None:
    """The ratio-test matches of every listing keypoint, or None when a probe on every other keypoint already
    shows no photo: nearly every candidate of a shortlist is no source, and matching is most of the cost.
    Each keypoint's match depends on it alone, so the probe's matches plus the rest's are exactly the full set.
    ``repeats`` gets the probe's count of look-alike matches (``_ratio_pairs``)."""
    if len(listing) < 2 * PROBE_MIN_KEYPOINTS:
        return _ratio_pairs(listing.descriptors, query.descriptors, repeats)
    probe = _ratio_pairs(listing.descriptors[::2], query.descriptors, repeats)
    probe[:, 0] *= 2
    if len(probe) < PROBE_MIN_INLIERS:
        return None
    fitted = _ransac(
        listing.points[probe[:, 0]].astype(np.float32), query.points[probe[:, 1]].astype(np.float32), query.work_scale
    )
    if fitted is None or int(fitted[1].sum()) < PROBE_MIN_INLIERS:
        return None
    rest = _ratio_pairs(listing.descriptors[1::2], query.descriptors)
    rest[:, 0] = rest[:, 0] * 2 + 1
    both = np.concatenate([probe, rest])
    return both[np.argsort(both[:, 0], kind="stable")]


def _fit(
    listing: LocalFeatures,
    query: LocalFeatures,
    full_size: tuple[int, int],
    work_scale: float,
    repeats: list[int] | None = None,
    look_alikes: bool = False,
) -> tuple[np.ndarray, int, int, np.ndarray, float] | None:
    """RANSAC on the ratio-test matches (``look_alikes``: plus both neighbours of each look-alike match)."""
    if len(listing) < 8 or len(query) < 8:
        return None
    if look_alikes:
        good: np.ndarray | None = _repeat_pairs(listing.descriptors, query.descriptors)
    else:
        good = _good_pairs(listing, query, repeats)
    if good is None or len(good) < MIN_INLIERS:
        return None
    src = listing.points[good[:, 0]].astype(np.float32)
    dst = query.points[good[:, 1]].astype(np.float32)
    fitted = _ransac(src, dst, work_scale)
    if fitted is None:
        return None
    model, keep = fitted
    projected = src[keep] @ model[:, :2].T + model[:, 2]
    residual = float(np.median(np.linalg.norm(projected - dst[keep], axis=1))) * work_scale if keep.any() else 0.0
    return np.vstack([model, [0.0, 0.0, 1.0]]), int(keep.sum()), len(good), dst[keep], residual


def verify_geometry(
    listing: LocalFeatures,
    query: ComplaintFeatures,
    full_size: tuple[int, int],
    listing_size: tuple[int, int] | None = None,
) -> Geometry | None:
    """The best plausible similarity (as is or mirrored) from ``listing`` onto the complaint, or None.

    ``listing_size`` (oriented full-resolution px) lets the inlier spread be judged within the part of the
    complaint the listing covers; without it, within the whole complaint."""
    best: Geometry | None = None
    look_alikes: list[tuple[bool, LocalFeatures]] = []
    for mirrored, feats in ((False, query.normal), (True, query.mirrored)):
        repeats: list[int] = []
        geometry = _geometry(
            _fit(listing, feats, full_size, feats.work_scale, repeats), mirrored, full_size, listing_size
        )
        if geometry is not None and not _plausible(geometry) and _ratio_only_fails(geometry):
            geometry = _guided(geometry, listing, feats, full_size, listing_size)
        if sum(repeats) >= MIN_REPEATS:
            look_alikes.append((mirrored, feats))
        if geometry is None or not _plausible(geometry):
            continue
        if best is None or geometry.inliers > best.inliers:
            best = geometry
    if best is not None:
        return best
    # Nothing verified, but many look-alike matches: a repeated object. RANSAC chooses among them; only guided
    # matching can make such a model plausible (the ratio among look-alike pairs means little), and it ranks the
    # orientations too (a symmetric item's mirror image re-finds fewer keypoints than the true fit).
    for mirrored, feats in look_alikes:
        fitted = _fit(listing, feats, full_size, feats.work_scale, look_alikes=True)
        geometry = _geometry(fitted, mirrored, full_size, listing_size)
        if geometry is None or geometry.inliers < MIN_INLIERS:
            continue
        geometry = _guided(geometry, listing, feats, full_size, listing_size)
        if geometry.guided_share < MIN_GUIDED_SHARE or not _plausible(geometry):
            continue
        if best is None or geometry.guided_share > best.guided_share:
            best = geometry
    return best


def _geometry(
    fitted: tuple[np.ndarray, int, int, np.ndarray, float] | None,
    mirrored: bool,
    full_size: tuple[int, int],
    listing_size: tuple[int, int] | None,
) -> Geometry | None:
    """The geometry of a fit in the complaint's own frame (a mirrored fit is flipped back), with its spreads."""
    if fitted is None:
        return None
    w, h = full_size
    matrix, inliers, matches, points, residual = fitted
    if mirrored:  # the mirrored features live in the flipped frame: x -> (w - 1) - x
        matrix = np.array([[-1.0, 0, w - 1], [0, 1, 0], [0, 0, 1]]) @ matrix
    span = points.max(axis=0) - points.min(axis=0) if len(points) else np.zeros(2)
    spread = float(span[0] * span[1]) / max(1.0, w * h)
    covered = _covered_area(matrix, listing_size, full_size) if listing_size else float(w * h)
    covered_spread = min(1.0, float(span[0] * span[1]) / max(1.0, covered))
    return Geometry(matrix, inliers, matches, mirrored, spread, residual, covered_spread)


def _covered_area(matrix: np.ndarray, listing_size: tuple[int, int], full_size: tuple[int, int]) -> float:
    """Area of the listing frame's bounding box once mapped into the complaint, clipped to the complaint."""
    lw, lh = listing_size
    corners = np.array([[0, 0], [lw, 0], [lw, lh], [0, lh]], dtype=np.float64) @ matrix[:2, :2].T + matrix[:2, 2]
    w, h = full_size
    lo = np.clip(corners.min(axis=0), 0, [w, h])
    hi = np.clip(corners.max(axis=0), 0, [w, h])
    return float(np.prod(hi - lo))


def _plausible(g: Geometry) -> bool:
    return (
        g.inliers >= MIN_INLIERS
        and (g.inlier_ratio >= MIN_INLIER_RATIO or g.guided_share >= MIN_GUIDED_SHARE)
        and g.best_spread >= MIN_SPREAD
        and SCALE_RANGE[0] <= g.scale <= SCALE_RANGE[1]
    )


def _ratio_only_fails(g: Geometry) -> bool:
    """The model has the inliers and the scale of a derivation; only its inlier ratio is too low."""
    return (
        g.inliers >= MIN_INLIERS and g.inlier_ratio < MIN_INLIER_RATIO and SCALE_RANGE[0] <= g.scale <= SCALE_RANGE[1]
    )


def _guided(
    g: Geometry,
    listing: LocalFeatures,
    query: LocalFeatures,
    full_size: tuple[int, int],
    listing_size: tuple[int, int] | None,
) -> Geometry:
    """``g`` with its guided share, and its spreads over the re-found keypoints (see the module docstring).

    ``query`` is the complaint's features in the frame the model was fitted in (flipped for a mirrored fit);
    ``g.matrix`` is already in the complaint's own frame, so the flip is applied to the points first."""
    w, h = full_size
    points = query.points
    if g.mirrored:
        points = np.column_stack([(w - 1) - points[:, 0], points[:, 1]]).astype(np.float32)
    projected = listing.points @ g.matrix[:2, :2].T.astype(np.float32) + g.matrix[:2, 2].astype(np.float32)
    inside = (projected[:, 0] >= 0) & (projected[:, 1] >= 0) & (projected[:, 0] < w) & (projected[:, 1] < h)
    n_inside = int(inside.sum())
    if n_inside == 0 or len(points) == 0:
        return g
    radius = RANSAC_PX / query.work_scale
    near_l, near_q = _pairs_within(projected[inside], points, radius)
    if len(near_l) == 0:
        return g
    bits = np.unpackbits(listing.descriptors[inside][near_l] ^ query.descriptors[near_q], axis=1).sum(axis=1)
    same = bits <= GUIDED_MAX_BITS
    found = np.unique(near_q[same])  # a complaint keypoint re-found by two listing keypoints counts once
    share = min(len(found), len(np.unique(near_l[same]))) / n_inside
    if len(found) == 0:
        return replace(g, guided_share=share)
    span = points[found].max(axis=0) - points[found].min(axis=0)
    spread = max(g.spread, float(span[0] * span[1]) / max(1.0, w * h))
    covered = _covered_area(g.matrix, listing_size, full_size) if listing_size else float(w * h)
    covered_spread = max(g.covered_spread, min(1.0, float(span[0] * span[1]) / max(1.0, covered)))
    return replace(g, guided_share=share, spread=spread, covered_spread=covered_spread)


def _pairs_within(a: np.ndarray, b: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """(row in a, row in b) of every pair of points closer than ``radius``, by buckets of one radius."""
    cell_b = np.floor(b / radius).astype(np.int64)
    order = np.lexsort((cell_b[:, 1], cell_b[:, 0]))
    keys_b = cell_b[order, 0] * 1_000_003 + cell_b[order, 1]
    cell_a = np.floor(a / radius).astype(np.int64)
    rows_a: list[np.ndarray] = []
    rows_b: list[np.ndarray] = []
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            keys = (cell_a[:, 0] + dx) * 1_000_003 + (cell_a[:, 1] + dy)
            lo = np.searchsorted(keys_b, keys, side="left")
            hi = np.searchsorted(keys_b, keys, side="right")
            counts = hi - lo
            starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
            rows_a.append(np.repeat(np.arange(len(a)), counts))
            rows_b.append(order[starts + np.arange(int(counts.sum()))])
    ia = np.concatenate(rows_a)
    ib = np.concatenate(rows_b)
    close = np.linalg.norm(a[ia] - b[ib], axis=1) <= radius
    return ia[close], ib[close]
