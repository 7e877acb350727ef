"""Local features for geometric verification: ORB keypoints with binary descriptors, and index keys.

ORB (Rublee et al., ICCV 2011) is rotation invariant and covers a 1.2^7 ~ 3.6x scale range with its
pyramid; it is not mirror invariant, so a complaint photo is described twice (as is and mirrored).
Keypoint coordinates are stored in the photo's full-resolution oriented pixel frame, so geometry
found at any working size maps straight back to what the seller sees.

Index keys are locality-sensitive hashes of the descriptors (Gionis, Indyk, Motwani, VLDB 1999:
bit sampling for Hamming space): each key is 16 fixed descriptor bits, one key per table. ORB's
first bits are its most decorrelated tests, so tables take consecutive 16-bit slices.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

LIBRARY_SIDE = 750
"""Long side for library features. 750 lets Pillow's JPEG draft mode decode a 4000x3000 frame at 1/4
(the draft keeps both sides >= the request), so indexing never decodes a full 12 MP frame."""
COMPLAINT_SIDE = 1024
MIN_WORK_SIDE = 640
"""Small photos are enlarged to this before ORB: its 31 px patches find too few corners on tiny images."""
LIBRARY_KEYPOINTS = 900
LIBRARY_CANDIDATES = 2500
"""ORB finds this many corners of a library photo; LIBRARY_KEYPOINTS of them, spread over a LIBRARY_GRID x
LIBRARY_GRID cut of the photo, are kept. The strongest 900 alone crowd onto the busiest texture (a net, wood
grain, a printed label): a buyer's crop of a quieter part then found too few of them to verify."""
LIBRARY_GRID = 6
FEATURES_VERSION = 2
"""Bumped when library features are computed differently: a re-scan (``library add``) refreshes older rows.
1: the strongest 900 corners; 2: 900 of 2,500 spread over the photo."""
COMPLAINT_KEYPOINTS = 2500
INDEX_KEYPOINTS = 200
"""Keypoints of a library photo that go into the shortlist index (memory at 100k photos): the strongest of
each part of the photo in turn (``spread_order``), so a crop or a screenshot still holds some of them."""
INDEX_FROM = 450
"""...taken from the photo's 450 strongest stored keypoints: the weakest ones, kept so that verification covers
the quiet parts of a photo, are often noise on a flat backdrop (393 of the 900 of a 360 px stein mockup), and index
slots spent on them are lost."""
INDEX_TABLES = 3
INDEX_BITS = 16
INDEX_GRID = 4
"""The photo's keypoint area is cut into INDEX_GRID x INDEX_GRID parts for ``spread_order``."""


@dataclass(frozen=True)
class LocalFeatures:
    """Keypoints (n x 2 float32, full-resolution oriented coordinates, strongest first) and their
    ORB descriptors (n x 32 uint8); ``work_scale`` is the working px per full-resolution px."""

    points: np.ndarray
    descriptors: np.ndarray
    work_scale: float

    def __len__(self) -> int:
        return int(self.points.shape[0])

    def pack(self) -> tuple[bytes, bytes]:
        """(points blob, descriptors blob) for the database."""
        return (
            np.ascontiguousarray(self.points, dtype="<f4").tobytes(),
            np.ascontiguousarray(self.descriptors, dtype=np.uint8).tobytes(),
        )

    @classmethod
    def unpack(cls, points: bytes, descriptors: bytes, work_scale: float) -> LocalFeatures:
        pts = np.frombuffer(points, dtype="<f4").reshape(-1, 2).astype(np.float32)
        desc = np.frombuffer(descriptors, dtype=np.uint8).reshape(-1, 32)
        return cls(pts, desc, work_scale)


def work_gray(image: Image.Image, long_side: int) -> tuple[np.ndarray, float]:
    """Greyscale pixels with the long side brought to ``long_side`` (enlarged up to MIN_WORK_SIDE).

    Returns:
        (uint8 array, working px per ``image`` px).
    """
    gray = np.asarray(image.convert("L"))
    side = max(image.size)
    target = min(long_side, side) if side >= MIN_WORK_SIDE else MIN_WORK_SIDE
    if target == side:
        return gray, 1.0
    scale = target / side
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(gray, size, interpolation=interp), scale


def orb_features(gray: np.ndarray, nfeatures: int, to_full: float) -> LocalFeatures:
    """ORB keypoints of ``gray``; ``to_full`` = working px per full-resolution px."""
    # A low FAST threshold keeps corners on soft, low-contrast product shots (plain backgrounds).
    orb = cv2.ORB.create(nfeatures=nfeatures, fastThreshold=10, edgeThreshold=15, patchSize=31)
    keypoints, descriptors = orb.detectAndCompute(gray, None)
    if descriptors is None or not keypoints:
        return LocalFeatures(np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8), to_full)
    order = np.argsort([-k.response for k in keypoints], kind="stable")
    pts = np.array([keypoints[i].pt for i in order], dtype=np.float32) / to_full
    return LocalFeatures(pts, descriptors[order], to_full)


def library_features(image: Image.Image, decode_scale: float) -> LocalFeatures:
    """Features of a library photo decoded at ``decode_scale`` (decoded px per full px)."""
    gray, scale = work_gray(image, LIBRARY_SIDE)
    found = orb_features(gray, LIBRARY_CANDIDATES, scale * decode_scale)
    kept = np.sort(spread_order(found.points, LIBRARY_GRID)[:LIBRARY_KEYPOINTS])  # still strongest first
    return LocalFeatures(found.points[kept], found.descriptors[kept], found.work_scale)


def spread_order(points: np.ndarray, grid: int = INDEX_GRID) -> np.ndarray:
    """Keypoint numbers (points strongest first) in round-robin order over a ``grid`` x ``grid`` cut of their
    bounding box: the strongest of every part, then the second strongest of every part, and so on. The
    strongest keypoints alone crowd onto the most textured object; a buyer's crop may leave that out."""
    n = len(points)
    if n == 0:
        return np.zeros(0, np.int64)
    low = points.min(axis=0)
    span = np.maximum(points.max(axis=0) - low, 1e-6)
    xy = np.minimum(grid - 1, (grid * (points - low) / span).astype(np.int64))
    cell = xy[:, 1] * grid + xy[:, 0]
    by_cell = np.argsort(cell, kind="stable")  # grouped by part, strongest first within each
    first_of_cell = np.searchsorted(cell[by_cell], cell[by_cell], side="left")
    rank = np.empty(n, np.int64)
    rank[by_cell] = np.arange(n) - first_of_cell
    order: np.ndarray = np.lexsort((np.arange(n), rank))
    return order


def library_index_keys(features: LocalFeatures) -> np.ndarray:
    """The index keys of a library photo: those of INDEX_KEYPOINTS keypoints taken in ``spread_order`` from its
    INDEX_FROM strongest stored ones."""
    strongest = LocalFeatures(features.points[:INDEX_FROM], features.descriptors[:INDEX_FROM], features.work_scale)
    return spread_index_keys(strongest, INDEX_KEYPOINTS)


def spread_index_keys(features: LocalFeatures, limit: int) -> np.ndarray:
    """The index keys of ``limit`` keypoints taken in ``spread_order``. For a complaint photo this matters most
    in a phone screenshot: the app's text holds the strongest corners, the photo's own rank below them."""
    chosen = np.sort(spread_order(features.points)[:limit])
    return index_keys(features.descriptors[chosen], None)


def pack_index_keys(keys: np.ndarray) -> bytes:
    """Index keys as stored in the database (little-endian uint16, row after row)."""
    return np.ascontiguousarray(keys, dtype="<u2").tobytes()


def index_keys(descriptors: np.ndarray, limit: int | None = INDEX_KEYPOINTS) -> np.ndarray:
    """LSH keys (n x INDEX_TABLES uint16) of the first ``limit`` descriptors."""
    desc = descriptors if limit is None else descriptors[:limit]
    if desc.shape[0] == 0:
        return np.zeros((0, INDEX_TABLES), np.uint16)
    bits = np.unpackbits(desc, axis=1)[:, : INDEX_TABLES * INDEX_BITS]
    weights = (1 << np.arange(INDEX_BITS, dtype=np.uint32)).astype(np.uint32)
    keys = bits.reshape(-1, INDEX_TABLES, INDEX_BITS).astype(np.uint32) @ weights
    return keys.astype(np.uint16)
