"""Find the library photo(s) a complaint photo was made from.

First version: a perceptual-hash shortlist (tolerant to 90-degree turns and mirroring), then
geometric verification with ORB keypoints and a RANSAC homography. Inlier count alone is not
proof, so a match also needs a good inlier ratio and a plausible transform.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from shopguard.library.fingerprint import image_hashes
from shopguard.library.store import LibraryStore, PhotoRecord

SHORTLIST = 8
VERIFY_SIDE = 1024
MIN_INLIERS = 25
MIN_INLIER_RATIO = 0.25

ListingLoader = Callable[["PhotoRecord"], Image.Image | None]
"""Loads a library photo's full oriented RGB pixels (None when the file is gone)."""


@dataclass(frozen=True)
class Match:
    """A verified derivation: ``homography`` maps listing-photo pixels onto complaint-photo pixels
    (both at full oriented resolution)."""

    record: PhotoRecord
    hash_distance: int
    inliers: int
    inlier_ratio: float
    homography: np.ndarray


def _variants(image: Image.Image) -> list[Image.Image]:
    out = []
    for mirrored in (image, image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)):
        for angle in (0, 90, 180, 270):
            out.append(mirrored.rotate(angle, expand=True) if angle else mirrored)
    return out


def _popcount(x: np.ndarray) -> np.ndarray:
    return np.bitwise_count(x)


def shortlist(store: LibraryStore, complaint: Image.Image, limit: int = SHORTLIST) -> list[tuple[PhotoRecord, int]]:
    """Library photos with the smallest pHash distance to any turn/mirror of ``complaint``."""
    records = store.photos(status="present")
    if not records:
        return []
    lib = np.stack([r.hashes[0] for r in records]).astype(np.uint64)
    best = np.full(len(records), 64, dtype=np.int64)
    for variant in _variants(complaint):
        q = image_hashes(variant)[0]
        best = np.minimum(best, _popcount(lib ^ q).astype(np.int64))
    order = np.argsort(best, kind="stable")[:limit]
    return [(records[i], int(best[i])) for i in order]


def _gray(image: Image.Image, side: int) -> tuple[np.ndarray, float]:
    scale = min(1.0, side / max(image.size))
    im = image.convert("L")
    if scale < 1.0:
        im = im.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                       Image.Resampling.BILINEAR)
    return np.asarray(im), scale


def verify(listing: Image.Image, complaint: Image.Image) -> tuple[int, float, np.ndarray] | None:
    """ORB + ratio test + RANSAC homography; returns (inliers, inlier ratio, H listing->complaint)."""
    orb = cv2.ORB_create(nfeatures=1500)
    g1, s1 = _gray(listing, VERIFY_SIDE)
    g2, s2 = _gray(complaint, VERIFY_SIDE)
    k1, d1 = orb.detectAndCompute(g1, None)
    k2, d2 = orb.detectAndCompute(g2, None)
    if d1 is None or d2 is None or len(k1) < 8 or len(k2) < 8:
        return None
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(d1, d2, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < 0.8 * p[1].distance]
    if len(good) < MIN_INLIERS:
        return None
    src = np.float32([k1[m.queryIdx].pt for m in good]) / s1
    dst = np.float32([k2[m.trainIdx].pt for m in good]) / s2
    h, mask = cv2.findHomography(src, dst, cv2.RANSAC, 5.0 / s2)
    if h is None or mask is None:
        return None
    inliers = int(mask.sum())
    return inliers, inliers / len(good), h


def find_sources(store: LibraryStore, complaint: Image.Image, listing_loader: ListingLoader) -> list[Match]:
    """Verified library sources of ``complaint`` (full-resolution oriented RGB), best first."""
    matches = []
    for record, distance in shortlist(store, complaint):
        listing = listing_loader(record)
        if listing is None:
            continue
        result = verify(listing, complaint)
        if result is None:
            continue
        inliers, ratio, h = result
        if inliers >= MIN_INLIERS and ratio >= MIN_INLIER_RATIO and _plausible(h):
            matches.append(Match(record, distance, inliers, ratio, h))
    return sorted(matches, key=lambda m: -m.inliers)


def _plausible(h: np.ndarray) -> bool:
    """Reject degenerate or wildly distorting homographies (a real re-use is near-similarity)."""
    a = h[:2, :2] / h[2, 2]
    det = abs(float(np.linalg.det(a)))  # negative = mirrored, still a re-use
    if det <= 0.01 or det > 100:
        return False
    return float(np.abs(h[2, :2]).max()) < 0.002
