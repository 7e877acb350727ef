"""Thin and faint changes between a complaint photo and its aligned, colour-mapped listing photo.

The area-thresholded colour/SSIM comparison of ``region_diff.py`` finds opaque blobs; it loses a 3 px crack (the
opening that removes re-save specks removes it too) and a half-transparent mould patch (its colour difference
stays under the floor set for JPEG noise). Two more tests look at the residual (complaint minus mapped listing):

- **strokes** (cracks, scratches, hairs): an oriented-line (ridge) response, the Hessian of the residual at two
  scales (Lindeberg, IJCV 1998: scale-normalised second derivatives peak at a line's own width);
- **patches** (mould, water marks, dents, discolouration): the residual averaged over growing windows (Gaussian,
  three scales) in grey and two opponent colour channels: a weak offset shared by many neighbouring pixels adds
  up, re-save noise (independent from block to block) averages out.

Both are measured against the noise floor of this very pair, never a fixed number tuned to samples: the robust
spread (median absolute deviation) of each response over the compared area, where any defect is a minority, plus
a term proportional to the listing's own structure at that place, since resampling and sub-pixel misalignment
leave a residual proportional to the local gradient (an edge moved by 0.2 px leaves a thin line of difference
along itself). A response must stand far above that floor at its core and stay above it over a connected,
spatially coherent shape (hysteresis, Canny 1986), so a few noisy pixels never make a region.
"""

from __future__ import annotations

import cv2
import numpy as np

STROKE_SCALES = (1.0, 2.0)
"""Gaussian scales (working px) of the line test: a 1-5 px crack in a photo decoded at up to 1024 px is 1-5 px
wide or less, and its ridge response peaks at sigma ~ width / 2 (Lindeberg 1998)."""
PATCH_SCALES = (3.0, 7.0, 15.0)
"""Gaussian scales (working px) of the patch test, small spots to a quarter of the photo."""
SEED_Z, GROW_Z = 6.0, 3.0
"""A coherent change must reach 6 noise floors at its core and stays a change while above 3 (hysteresis). With the
floor measured on the pair itself, 6 floors is beyond what re-save and resampling leave (their residual is
near-Gaussian at the patch scales, and heavier-tailed but gradient-bound at the line scale)."""
STROKE_MIN_LEVELS = 6.0
"""Least ridge depth (grey levels, scale-normalised) of a stroke: a crack a reviewer can see differs from the
surface by tens of levels; under 6 a line is at most a JPEG ringing echo."""
PATCH_MIN_LEVELS = 4.0
"""Least mean offset (levels) of a patch in one channel: a 0.3-opacity stain whose colour differs from the
surface by 40 shifts it by ~12; JPEG q40 after averaging over a window stays within ~1."""
STRUCTURE_PERCENTILE = 98
"""Of the listing's edges, the share whose residual the structure term must cover: the response over the listing's
structure at its 98th percentile measures how far this pair's resampling and alignment leave edges apart."""
MIN_STROKE_LENGTH = 0.02
"""A stroke spans at least 2% of the photo's short side (and 8 px): a crack tens of px long in a photo of
hundreds; shorter lines are texture the re-save moved."""
MAX_STROKE_WIDTH = 0.25
"""A stroke's area is at most a quarter of its length squared (elongated); a rounder shape is left to the patch
test."""
MIN_PATCH_SHARE = 0.0005
"""A patch covers at least 0.05% of the compared area (a spot of 0.1% of the photo, after the smoothing shrinks
its core)."""

HALF_MAXIMUM = 0.5
"""A soft patch ends where its effect falls under half its peak strength (the benchmark's truth is drawn the same
way: a mould's alpha at half its opacity)."""

_GREY = np.array([0.299, 0.587, 0.114], np.float32)
_NEAR = np.ones((5, 5), np.uint8)


def _grey(rgb: np.ndarray) -> np.ndarray:
    grey: np.ndarray = rgb @ _GREY
    return grey


def _spread(values: np.ndarray) -> float:
    """1.4826 x median absolute deviation (the standard deviation of a Gaussian), from a sample."""
    sample = values[:: max(1, values.size // 50000)]
    if sample.size == 0:
        return 0.0
    return 1.4826 * float(np.median(np.abs(sample - np.median(sample))))


def _ridge(grey: np.ndarray, sigma: float, lines: bool = True, edges: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(scale-normalised line strength, gradient strength) of ``grey`` at ``sigma``: the larger Hessian eigenvalue's
    magnitude minus the smaller one's (a line curves across itself, not along), and sigma x |gradient| (an edge).
    Either is skipped (an empty array) when not asked for."""
    g = cv2.GaussianBlur(grey, (0, 0), sigma)
    line = edge = np.zeros((0, 0), np.float32)
    if lines:
        dxx = cv2.Sobel(g, cv2.CV_32F, 2, 0, ksize=3) / 4
        dyy = cv2.Sobel(g, cv2.CV_32F, 0, 2, ksize=3) / 4
        dxy = cv2.Sobel(g, cv2.CV_32F, 1, 1, ksize=3) / 4
        half_tr = np.abs((dxx + dyy) / 2)
        root = np.sqrt(((dxx - dyy) / 2) ** 2 + dxy * dxy)
        # |big| - |small| of the eigenvalues half_tr +- root
        line = ((sigma * sigma) * (half_tr + root - np.abs(half_tr - root))).astype(np.float32)
    if edges:
        gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3) / 8
        gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3) / 8
        edge = (sigma * cv2.magnitude(gx, gy)).astype(np.float32)
    return line, edge


QUANTUM = 1.0
"""Least noise floor (grey levels): 8-bit pixels are rounded to a level, and JPEG's coarsest step on a flat area
moves it by about one; a floor measured on a noise-free render (a white mug) must not fall below that."""


def _floor(response: np.ndarray, structure: np.ndarray, overlap: np.ndarray) -> np.ndarray:
    """Per-pixel noise floor of a non-negative response: its robust level where the listing is flat, plus the share
    of the listing's structure that this pair's resampling and misalignment leave in it (measured on its edges)."""
    flat = overlap & (structure <= np.percentile(structure[overlap][::7], 50))
    base = max(QUANTUM, 1.5 * float(np.median(response[flat]))) if flat.any() else QUANTUM
    edges = overlap & ~flat & (structure > 1.0)
    ratio = (
        float(np.percentile((response[edges] / structure[edges])[::3], STRUCTURE_PERCENTILE))
        if edges.sum() > 100
        else 0.0
    )
    floor: np.ndarray = base + ratio * structure
    return floor


def _hysteresis(strong: np.ndarray, weak: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Connected parts of ``weak`` holding a ``strong`` pixel: (count + 1, labels, stats); others are label 0."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(weak.astype(np.uint8), connectivity=8)
    seeded = np.zeros(n, bool)
    seeded[np.unique(labels[strong & weak])] = True
    seeded[0] = False
    labels[~seeded[labels]] = 0
    return n, labels, stats


def strokes(complaint: np.ndarray, listing: np.ndarray, overlap: np.ndarray) -> np.ndarray:
    """Thin lines (cracks, scratches, hairs) drawn on the complaint: the ridges of the residual that stand above its
    noise floor, connected, long and thin.

    Args:
        complaint: complaint RGB at working size (float32, unblurred).
        listing: aligned, colour-mapped listing RGB, same size.
        overlap: where the two are compared.
    """
    residual = _grey(complaint) - _grey(listing)
    listing_grey = _grey(listing)
    z = np.zeros(overlap.shape, np.float32)
    deep = np.zeros(overlap.shape, bool)
    for sigma in STROKE_SCALES:
        line, _ = _ridge(residual, sigma, edges=False)
        own_line, own_edge = _ridge(listing_grey, sigma)
        # A misaligned or resampled edge leaves its residual beside itself too: the structure nearby counts.
        structure = cv2.dilate(own_line + own_edge, _NEAR)
        zs = line / _floor(line, structure, overlap)
        z = np.maximum(z, zs)
        deep |= line >= STROKE_MIN_LEVELS
    # The frame of the compared area (a photo's edge inside a screenshot, the buyer's crop) is a step in the
    # residual: its ridge reaches about 3 sigma inwards and is no stroke.
    rim = 2 * round(3 * max(STROKE_SCALES)) + 1
    z[cv2.erode(overlap.astype(np.uint8), np.ones((rim, rim), np.uint8)) == 0] = 0
    n, labels, stats = _hysteresis((z >= SEED_Z) & deep, z >= GROW_Z)
    short = min(overlap.shape)
    min_length = max(8.0, MIN_STROKE_LENGTH * short)
    keep = np.zeros(n, bool)
    for i in range(1, n):
        w, h, px = int(stats[i, 2]), int(stats[i, 3]), int(stats[i, 4])
        length = float(np.hypot(w, h))
        if length >= min_length and px <= MAX_STROKE_WIDTH * length * length:
            keep[i] = True
    keep[0] = False
    found: np.ndarray = keep[labels]
    return found


def patches(complaint: np.ndarray, listing: np.ndarray, overlap: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """Faint, spatially coherent offsets (translucent stains, discolouration, dents' shading): the residual averaged
    over windows of three sizes, in grey and two opponent colour channels, standing above its noise floor.

    Args: as ``strokes``; ``lines``: strokes found already, left out of the averages (a dark crack would otherwise
    spread into a faint halo around itself).
    """

    def opponent(rgb: np.ndarray) -> tuple[np.ndarray, ...]:
        return (_grey(rgb), rgb[..., 0] - rgb[..., 1], (rgb[..., 0] + rgb[..., 1]) / 2 - rgb[..., 2])

    strong = np.zeros(overlap.shape, bool)
    weak = np.zeros(overlap.shape, bool)
    fine = np.zeros(overlap.shape, np.float32)
    inside = (overlap & ~cv2.dilate(lines.astype(np.uint8), _NEAR).astype(bool)).astype(np.float32)
    # Each channel's floor follows the listing's own edges in that channel: JPEG's halved chroma resolution leaves
    # a colour residual along colour edges (red text on yellow), not along grey ones.
    # Averages over the compared area only (normalised convolution): the frame's edge brings in nothing.
    weights = {sigma: cv2.GaussianBlur(inside, (0, 0), sigma) + 1e-6 for sigma in PATCH_SCALES}
    for channel, own in zip(opponent(complaint - listing), opponent(listing), strict=True):
        for sigma in PATCH_SCALES:
            weight = weights[sigma]
            _, own_edge = _ridge(own, sigma, lines=False)
            structure = cv2.GaussianBlur(own_edge, (0, 0), sigma)
            mean = cv2.GaussianBlur(channel * inside, (0, 0), sigma) / weight
            centre = float(np.median(mean[overlap][::7]))
            offset = np.abs(mean - centre)
            zs = offset / _floor(offset, structure, overlap)
            strong |= (zs >= SEED_Z) & (offset >= PATCH_MIN_LEVELS)
            weak |= (zs >= GROW_Z) & (offset >= PATCH_MIN_LEVELS / 2)
            if sigma == PATCH_SCALES[0]:
                fine = np.maximum(fine, offset)
    strong &= overlap
    weak &= overlap
    n, labels, stats = _hysteresis(strong, weak)
    area = max(1, int(overlap.sum()))
    found = np.zeros(overlap.shape, bool)
    for i in range(1, n):
        if stats[i, 4] < MIN_PATCH_SHARE * area:
            continue
        x, y, w, h = (int(v) for v in stats[i, :4])
        part = labels[y : y + h, x : x + w] == i
        if not part.any():
            continue
        # The patch's own extent: where its fine-scale offset is at least half its peak (full width at half
        # maximum). The coarse averages that found a faint patch also spread it by their window.
        level = fine[y : y + h, x : x + w]
        peak = float(np.percentile(level[part], 95))
        core = part & (level >= HALF_MAXIMUM * peak)
        if int(core.sum()) >= MIN_PATCH_SHARE * area:
            found[y : y + h, x : x + w] |= core
    return found
