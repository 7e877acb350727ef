"""The global colour edit between a listing photo and a complaint photo made from it.

A buyer's brightness, contrast, white-balance or filter edit is one colour map for the whole photo. It is
fitted robustly (a painted defect must stay out of it) and chosen by consensus among a few models: the model
that explains the most pixels (within EXPLAINED_PX, after clipping to 0-255 as a photo editor clips) wins,
simpler models on ties:

0. no map at all: a painted stain over a quarter of the photo pulls even the robust fits below, and leaving
   the colours alone then explains more of the photo than any of them;
1. a 3x4 affine map over every pixel (iteratively reweighted least squares);
2. the same without the pixels the complaint shows clipped (a brightened white backdrop at 255 says only
   "at least 255" and pulls the slope back);
3. either followed by a monotone tone curve per channel (median complaint level per band of mapped levels),
   which follows clipping and the gamma/S-curves of phone filters; being non-decreasing it can never turn one
   tone into its opposite.

The measures ShopGuard reads from the chosen map (``colour_cast``, ``hue_shift``) tell a buyer's edit from a
map that turns one product colour into another.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

CLIPPED_HIGH, CLIPPED_LOW = 250.0, 5.0
EXPLAINED_PX = 15.0
"""RGB distance within which a fitted colour map explains a pixel (JPEG q40 noise after the blur stays below)."""
CURVE_BAND, CURVE_MIN_PIXELS = 16, 40
SAMPLES = 60000


@dataclass(frozen=True)
class ColourMap:
    """An affine map (3x4: RGB' = A @ RGB + b) optionally followed by per-channel tone curves (3x256)."""

    affine: np.ndarray
    curves: np.ndarray | None = None

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        """The mapped colours (float32, clipped to 0-255) of an (..., 3) array."""
        # OpenCV's transform is one fused pass over the pixels (numpy's matmul over a last axis of 3 is not).
        flat = np.ascontiguousarray(rgb, dtype=np.float32).reshape(-1, 1, 3)
        out: np.ndarray = np.clip(cv2.transform(flat, self.affine.astype(np.float32)), 0, 255).reshape(rgb.shape)
        if self.curves is not None:
            for ch in range(3):
                out[..., ch] = _on_curve(out[..., ch], self.curves[ch])
        mapped: np.ndarray = out.astype(np.float32)
        return mapped


def _on_curve(x: np.ndarray, curve: np.ndarray) -> np.ndarray:
    """``np.interp(x, range(256), curve)`` for levels ``x`` in 0-255, bit for bit (the same float64 arithmetic), without
    its search: the curve's knots are the integer levels, so the segment of ``x`` is its integer part. np.interp's
    search is a guessed binary search per pixel, cheap on a smooth image and several times slower than this on the
    unblurred texture of a photo (a 1024 px photo's three channels: ~30 ms)."""
    knots = curve.astype(np.float64)
    at = x.astype(np.float64)
    segment = np.clip(at.astype(np.intp), 0, knots.size - 2)
    at -= segment  # the position within the segment
    at *= (knots[1:] - knots[:-1])[segment]  # np.interp's slope, over a knot spacing of 1
    at += knots[segment]
    np.copyto(at, knots[-1], where=x >= knots.size - 1)  # np.interp returns the last knot itself there
    return at


IDENTITY = ColourMap(np.hstack([np.eye(3, dtype=np.float32), np.zeros((3, 1), np.float32)]))


def _row_norm(x: np.ndarray) -> np.ndarray:
    """Euclidean length of each (r, g, b) row, element-wise (a reduction over a last axis of 3 is slow)."""
    norm: np.ndarray = np.sqrt(x[:, 0] * x[:, 0] + x[:, 1] * x[:, 1] + x[:, 2] * x[:, 2])
    return norm


def least_squares(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """argmin ||a @ x - b|| by the normal equations (4x4: ~20x faster than an SVD of the 60,000 rows); by SVD
    when they are ill-conditioned (e.g. a photo of one flat colour)."""
    gram = a.T @ a
    if np.linalg.cond(gram) < 1e10:
        solved: np.ndarray = np.linalg.solve(gram, a.T @ b)
        return solved
    fitted: np.ndarray = np.linalg.lstsq(a, b, rcond=None)[0]
    return fitted


def _robust_affine(s: np.ndarray, d: np.ndarray) -> np.ndarray:
    """3x4 least-squares affine map s -> d, refitted twice without the pixels far off the previous fit."""
    design = np.hstack([s, np.ones((s.shape[0], 1))])
    keep = np.ones(s.shape[0], bool)
    coef: np.ndarray = np.zeros((4, 3))
    for _ in range(3):
        # np.compress: the same rows as boolean indexing, several times faster on these (n, 4) arrays
        coef = least_squares(np.compress(keep, design, axis=0), np.compress(keep, d, axis=0))
        resid = _row_norm(design @ coef - d)
        keep = resid <= max(2.5 * float(np.median(resid)), 6.0)
    affine: np.ndarray = coef.T.astype(np.float32)
    return affine


def _tone_curves(mapped: np.ndarray, d: np.ndarray) -> np.ndarray:
    curves = np.tile(np.arange(256, dtype=np.float32), (3, 1))
    for ch in range(3):
        band = np.clip(mapped[:, ch] // CURVE_BAND, 0, 255 // CURVE_BAND).astype(np.uint8)
        # Group the samples by band once (a radix sort of small integers) instead of one scan per band.
        order = np.argsort(band, kind="stable")
        bounds = np.flatnonzero(np.diff(band[order])) + 1
        groups = np.split(order, bounds)
        centres = [float(np.median(mapped[g, ch])) for g in groups if g.size >= CURVE_MIN_PIXELS]
        levels = [float(np.median(d[g, ch])) for g in groups if g.size >= CURVE_MIN_PIXELS]
        if len(centres) >= 2:
            offsets = np.array(levels) - np.array(centres)
            curve = np.arange(256, dtype=np.float32) + np.interp(np.arange(256), centres, offsets)
            curves[ch] = np.maximum.accumulate(np.clip(curve, 0, 255))
    return curves


def fit_colour(src: np.ndarray, dst: np.ndarray, mask: np.ndarray) -> ColourMap:
    """The global colour map from ``src`` (aligned listing, float RGB) to ``dst`` (complaint) over ``mask``."""
    where = np.flatnonzero(mask)  # the same pixels, in the same order, as np.nonzero's (ys, xs) at half the cost
    if where.size < 50:
        return IDENTITY
    step = max(1, where.size // SAMPLES)
    picked = where[::step]
    s = src.reshape(-1, 3)[picked].astype(np.float64)
    d = dst.reshape(-1, 3)[picked].astype(np.float64)
    whole = ColourMap(_robust_affine(s, d))
    candidates = [IDENTITY, whole]
    r, g, b = d[:, 0], d[:, 1], d[:, 2]  # element-wise (a reduction over a last axis of 3 is slow)
    unclipped = (np.maximum(np.maximum(r, g), b) < CLIPPED_HIGH) & (np.minimum(np.minimum(r, g), b) > CLIPPED_LOW)
    if 50 <= int(unclipped.sum()) < unclipped.size:
        candidates.append(ColourMap(_robust_affine(s[unclipped], d[unclipped])))
    if s.shape[0] >= 500:  # each affine fit followed by tone curves
        candidates += [ColourMap(m.affine, _tone_curves(m.apply(s), d)) for m in candidates[1:]]

    def explained(model: ColourMap) -> int:
        return int((_row_norm(model.apply(s) - d) <= EXPLAINED_PX).sum())

    scores = [explained(m) for m in candidates]
    return candidates[int(np.argmax(scores))]  # argmax takes the first (simplest) model on ties


def colour_cast(model: ColourMap) -> float:
    """Channel spread (0-255) the map puts on dark and mid greys: small for a buyer's edit."""
    mapped = model.apply(np.array([[32.0, 32.0, 32.0], [128.0, 128.0, 128.0]], np.float32))
    return float((mapped.max(axis=1) - mapped.min(axis=1)).max())


def _hue(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hue angle in degrees, chroma) in the opponent-colour plane of RGB rows."""
    a = rgb[:, 0] - (rgb[:, 1] + rgb[:, 2]) / 2
    b = (rgb[:, 1] - rgb[:, 2]) * (3**0.5 / 2)
    return np.degrees(np.arctan2(b, a)), np.hypot(a, b)


def _print_sample(listing: np.ndarray, ink: np.ndarray, most: int = 20000) -> np.ndarray | None:
    """The listing's print colours (float RGB rows), thinned to about ``most``; None without a print."""
    ys, xs = np.nonzero(ink)
    if ys.size == 0:
        return None
    step = max(1, ys.size // most)  # thinned before the pixels are gathered: gathering all of them is the cost
    rgb: np.ndarray = listing[ys[::step], xs[::step]].astype(np.float32)
    return rgb


def hue_shift(model: ColourMap, listing: np.ndarray, ink: np.ndarray) -> float:
    """Median hue turn (degrees) the map gives the listing's own coloured pixels (its print), over those that
    stay coloured. Measured on colours the photo has, not on made-up probes: a map fitted to a mostly white
    photo is free to do anything to colours the photo does not contain."""
    before_rgb = _print_sample(listing, ink)
    if before_rgb is None:
        return 0.0
    before, chroma_before = _hue(before_rgb)
    after, chroma_after = _hue(model.apply(before_rgb))
    coloured = chroma_after >= 0.3 * chroma_before  # a desaturated pixel has no hue left to turn
    if int(coloured.sum()) < 50:
        return 0.0
    turn = np.abs((after - before + 180) % 360 - 180)
    return float(np.median(turn[coloured]))


HUE_SECTORS = 6
MAIN_HUE_SHARE = 0.1
"""A hue sector (60 degrees) holding at least 10% of the print's pixels is one of its main colours."""


def chroma_balance(model: ColourMap, listing: np.ndarray, ink: np.ndarray) -> float:
    """Lowest over highest colourfulness the map keeps among the print's main colours (hue sectors of 60 degrees
    holding >= 10% of its pixels): near 1 when the map treats every colour alike, as a buyer's brightness,
    contrast, saturation or white-balance edit does; near 0 when it bleaches one colour of the print and keeps
    another (a blue jersey's sleeves turned black while its red logo stays red: another colour variant of the
    same render, not an edit). 1 when the print has fewer than two main colours."""
    before_rgb = _print_sample(listing, ink)
    if before_rgb is None:
        return 1.0
    hue, chroma_before = _hue(before_rgb)
    _, chroma_after = _hue(model.apply(before_rgb))
    sector = (np.mod(hue, 360.0) // (360.0 / HUE_SECTORS)).astype(np.int64)
    kept = []
    for s in range(HUE_SECTORS):
        members = sector == s
        if int(members.sum()) >= max(50, MAIN_HUE_SHARE * sector.size):
            kept.append(float(chroma_after[members].mean()) / max(1e-6, float(chroma_before[members].mean())))
    if len(kept) < 2 or max(kept) <= 0:
        return 1.0
    return min(kept) / max(kept)
