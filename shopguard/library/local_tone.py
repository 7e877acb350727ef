"""A tone curve that changes across the photo: a gallery app's "auto enhance", an "HDR" look, local contrast.

Gallery apps and phones equalise contrast locally (CLAHE, Zuiderveld 1994; phones' and gallery apps' "enhance" and
"HDR" looks): the lightness of each pixel goes through a monotone tone curve made for the tile it lies in, and the
curves of the nearest tile centres are blended bilinearly, so the map is smooth in place and monotone in level; the
colours (Lab a, b) are kept. One global colour map cannot follow it: untouched "auto-enhanced" copies read as
changed in most tiles (session 13: 4 of 16 clean on seed 11).

The model is that field of curves: CELLS x CELLS tiles over the complaint's frame (the file the app equalised), each
with a curve of lightness (listing level -> complaint level, BINS levels), blended between tile centres as CLAHE
blends them, fitted by least squares with Huber's weights, smooth along each curve and between neighbouring tiles,
and made monotone. A curve is a function of the listing's level: beside a painted patch, pixels of the same listing
level in the same tile are unchanged. Where a tile's samples of one level disagree (``SPLIT``), they are two
populations, not a curve: left out, the neighbours' curves stand in. The field is used only when it explains the
whole copy: it leaves at most MAX_SPREAD_LEFT of the lightness residual's robust spread that the global map leaves,
and it moves most tiles that show the photo (``MIN_MOVED_TILES``: a defect covers at most a quarter of the photo).
A re-saved, shrunk, sharpened or defect-painted copy leaves 75-110% (its residual is noise, resampling or a local
change) and moves no tile.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

CELLS = 8
"""Tiles per side of the frame (CLAHE's default grid, the apps' usual 8 x 8)."""
BINS = 24
"""Lightness levels (Lab L, 0-100) per tile curve, ~4 L apart (~10 grey levels): CLAHE's clip limit keeps a
curve's slope under ~3, and the curve is linear between them (32 or 48 levels fitted the same)."""
STEP = 2
"""Every STEP-th working pixel in each direction is a candidate sample of the fit."""
MAX_SAMPLES = 24000
"""Samples of the fit at most (evenly thinned): ~60 per tile and level of 64 x 24, the fit's cost grows with them."""
PASSES = 3
"""Least-squares passes, each with Huber's weights from the residual of the one before."""
SWEEPS = 4
"""Block Gauss-Seidel sweeps per pass (``_fit``); the warm start carries the curves from one pass to the next."""
HUBER = 1.5
"""Robust deviations beyond which a sample's weight falls as 1 / its residual (Huber's estimator)."""
NOISE = 0.5
"""Least robust deviation (L units) the weights assume: JPEG noise after the comparison's blur."""
LEVEL_SMOOTH = 0.05
"""Weight of a curve's squared second differences, per sample a level holds on average: a tone curve bends slowly."""
TILE_SMOOTH = 0.01
"""Weight of the squared difference to each neighbouring tile's curve at the same level (and so for levels a tile
lacks: its neighbours' curves stand in)."""
RIDGE = 1e-3
"""Weight pulling a level nothing measures towards no change beyond the global map."""
OUTLIER = 2.5
"""Robust deviations beyond which a sample is left out of the colour (a, b) fit."""
MAX_SPREAD_LEFT = 0.6
"""The field must leave at most 60% of the lightness residual's robust spread that the global colour map leaves:
an untouched CLAHE copy leaves 6-31% (benchmark seeds 11 and 23); a re-saved, shrunk or defect-painted copy leaves
75-110% (its residual is noise and resampling, which no smooth field of curves follows)."""
MIN_MOVED = 2.0
"""L units (~5 grey levels, beyond JPEG noise after the blur) by which the field must move a sample beyond the global
map to count it as moved."""
MIN_MOVED_TILES = 0.5
"""Share of the tiles showing the photo (TILE_SHOWN) in which the field must move at least half the compared pixels: a
whole-photo edit re-maps most of them (CLAHE on a textured photo: 92-100%), a painted defect covers at most a
quarter of the photo (issue 19: 0.1-25%). On a shaded surface a level is a place, so a field of curves can draw a
smooth patch (a translucent mould on a grey cap: a field leaving 27% of the spread, moving 30% of its 23 tiles)."""
MIN_SPREAD = 0.8
"""Least robust spread (L units) of the lightness the global map leaves for a field to be fitted at all: a field that
moves half of most tiles by MIN_MOVED and explains them leaves the global map's residual a spread of about
MIN_MOVED / 2 or more (untouched CLAHE copies: 1.07-11 L); a re-saved or shrunk copy leaves 0.1-0.7 L, and the fit's
cost (~80 ms) is saved there."""
TILE_SHOWN = 0.25
"""A tile shows the photo when it compares at least a quarter of the pixels the fullest tile compares."""
SPLIT = 4.0
"""L units (~10 grey levels) from a tile level's fitted value beyond which a sample disagrees with it."""
MAX_SPLIT_SHARE = 0.3
"""Share of a tile level's samples that may disagree with its curve: a tone curve gives one level per level; a patch
over part of a tile, two."""
MIN_SAMPLES = 12
"""Samples a tile's level needs before the share of its disagreeing ones is read."""


@dataclass(frozen=True)
class LocalTone:
    """A fitted field of tone curves: ``offsets[cy, cx, b]`` is the L change (complaint - listing) at tile (cy, cx)
    for listing lightness at the centre of level b, over the box ``box`` (x0, y0, x1, y1) of the working frame."""

    offsets: np.ndarray
    box: tuple[int, int, int, int]
    chroma: np.ndarray
    """(3, 2): the complaint's Lab a, b as an affine function of the listing's ([a, b, 1] @ chroma): the identity
    for an edit that keeps colours, as CLAHE on lightness does; a saturation or white-balance edit made with it."""
    spread_left: float = 0.0
    """The lightness residual's robust spread the field leaves, as a share of the one the global map leaves."""

    def apply(self, source: np.ndarray) -> np.ndarray:
        """The listing ``source`` (float32, 0-255, the working frame, before the global colour map) with its
        lightness through the field's curves and its colours through ``chroma``."""
        lab = _lab(source)
        light = lab[..., 0].copy()
        lab[..., 0] = np.clip(light + _field(self.offsets, self.box, light, 1), 0, 100)
        ab = lab[..., 1:].reshape(-1, 2) @ self.chroma[:2] + self.chroma[2]
        lab[..., 1:] = ab.reshape(lab.shape[0], lab.shape[1], 2)
        out: np.ndarray = np.clip(cv2.cvtColor(lab, cv2.COLOR_Lab2RGB) * 255.0, 0, 255).astype(np.float32)
        return out


def _lab(rgb: np.ndarray) -> np.ndarray:
    """Lab (L 0-100) of float RGB 0-255."""
    lab: np.ndarray = cv2.cvtColor(np.clip(rgb, 0, 255).astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    return lab


def _chroma_map(c_ab: np.ndarray, l_ab: np.ndarray) -> np.ndarray:
    """The affine map (3, 2) of the listing's a, b to the complaint's, least squares without the samples beyond
    OUTLIER robust deviations (a painted patch's colour)."""
    design = np.column_stack([l_ab, np.ones(len(l_ab))])
    used = np.ones(len(l_ab), bool)
    coef = np.vstack([np.eye(2), np.zeros((1, 2))])
    for _ in range(3):
        if int(used.sum()) < 100:
            break
        coef = np.linalg.lstsq(design[used], c_ab[used], rcond=None)[0]
        miss = np.linalg.norm(c_ab - design @ coef, axis=1)
        used = miss <= OUTLIER * max(0.5, 1.4826 * float(np.median(miss[used])))
    return coef.astype(np.float32)


def _lightness(rgb: np.ndarray) -> np.ndarray:
    """Lab L (0-100) of float RGB 0-255."""
    lab = cv2.cvtColor(np.clip(rgb, 0, 255).astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    light: np.ndarray = lab[..., 0]
    return light


def _level(light: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Lower level index, weight of the upper one) of lightness values for the levels' centres."""
    pos = np.clip(light / 100.0 * BINS - 0.5, 0, BINS - 1 - 1e-4)
    low = pos.astype(np.int32)
    return low, (pos - low).astype(np.float32)


def _field(offsets: np.ndarray, box: tuple[int, int, int, int], light: np.ndarray, step: int) -> np.ndarray:
    """The field's L change at every pixel of ``light`` (the working frame sampled every ``step`` px): each level's
    offsets blended bilinearly between tile centres (cv2.resize of the tile grid puts the grid's values at the
    tiles' centres and holds them beyond the outer ones, as CLAHE does), then linearly between levels."""
    x0, y0, x1, y1 = box
    h, w = light.shape
    bw, bh = max(1, round((x1 - x0) / step)), max(1, round((y1 - y0) / step))
    ox, oy = x0 // step, y0 // step
    low, up = _level(light)
    out = np.zeros(light.shape, np.float32)
    flat_low = low.ravel()
    order = np.argsort(flat_low, kind="stable")
    starts = np.searchsorted(flat_low[order], np.arange(BINS + 1))
    up_flat = up.ravel()
    for b in range(BINS - 1):
        idx = order[starts[b] : starts[b + 1]]
        if idx.size == 0:
            continue
        lo = _spread(offsets[..., b], bw, bh, ox, oy, w, h)
        hi = _spread(offsets[..., b + 1], bw, bh, ox, oy, w, h)
        u = up_flat[idx]
        out.ravel()[idx] = lo.ravel()[idx] * (1 - u) + hi.ravel()[idx] * u
    return out


def _spread(grid: np.ndarray, bw: int, bh: int, ox: int, oy: int, w: int, h: int) -> np.ndarray:
    """A tile grid's values blended over the box (bw x bh at ox, oy) and held constant beyond it, frame w x h."""
    inner = cv2.resize(grid.astype(np.float32), (bw, bh), interpolation=cv2.INTER_LINEAR)
    left, top = ox, oy
    right, bottom = max(0, w - ox - bw), max(0, h - oy - bh)
    full: np.ndarray = cv2.copyMakeBorder(inner, top, bottom, left, right, cv2.BORDER_REPLICATE)
    return full[:h, :w]


@dataclass(frozen=True)
class _Samples:
    """The fit's samples: for each, the 2 x 2 tiles whose curves its change blends (``tiles``: in column k the tile
    of parity class k = 2 * (row % 2) + column % 2), their bilinear weights, its lower level, the upper's weight."""

    tiles: np.ndarray
    spatial: np.ndarray
    low: np.ndarray
    up: np.ndarray


def _samples(px: np.ndarray, py: np.ndarray, light: np.ndarray, box: tuple[int, int, int, int]) -> _Samples:
    """Each sample's blend of tile curves, as ``_field`` blends them: bilinear between tile centres, held beyond the
    outer ones, linear between levels."""
    x0, y0, x1, y1 = box
    fx = np.clip((px - x0 + 0.5) * CELLS / max(1, x1 - x0) - 0.5, 0, CELLS - 1)
    fy = np.clip((py - y0 + 0.5) * CELLS / max(1, y1 - y0) - 0.5, 0, CELLS - 1)
    cx0, cy0 = np.minimum(fx.astype(np.int64), CELLS - 2), np.minimum(fy.astype(np.int64), CELLS - 2)
    ux, uy = fx - cx0, fy - cy0
    tiles = np.empty((px.size, 4), np.int64)
    spatial = np.empty((px.size, 4), np.float64)
    for k in range(4):
        dy, dx = (k // 2 - cy0) % 2, (k % 2 - cx0) % 2  # the corner of parity class k
        tiles[:, k] = (cy0 + dy) * CELLS + cx0 + dx
        spatial[:, k] = np.where(dy == 1, uy, 1 - uy) * np.where(dx == 1, ux, 1 - ux)
    low, up = _level(light)
    return _Samples(tiles, spatial, low.astype(np.int64), up.astype(np.float64))


def _predict(samples: _Samples, offsets: np.ndarray) -> np.ndarray:
    """The change the tile-level ``offsets`` (tiles x BINS) predict at every sample."""
    lo = offsets[samples.tiles, samples.low[:, None]]
    hi = offsets[samples.tiles, samples.low[:, None] + 1]
    predicted: np.ndarray = (samples.spatial * (lo * (1 - samples.up[:, None]) + hi * samples.up[:, None])).sum(axis=1)
    return predicted


def _level_prior() -> np.ndarray:
    """LEVEL_SMOOTH times the sum of a curve's squared second differences, as a BINS x BINS quadratic form, plus the
    small RIDGE pulling unmeasured levels to the global map."""
    second = np.zeros((BINS - 2, BINS))
    for i in range(BINS - 2):
        second[i, i : i + 3] = (1.0, -2.0, 1.0)
    prior: np.ndarray = LEVEL_SMOOTH * second.T @ second + RIDGE * np.eye(BINS)
    return prior


def _neighbours() -> np.ndarray:
    """(tiles, 4) the 4-neighbours of each tile, -1 beyond the grid."""
    out = np.full((CELLS * CELLS, 4), -1, np.int64)
    for t in range(CELLS * CELLS):
        y, x = divmod(t, CELLS)
        for k, (ny, nx) in enumerate(((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1))):
            if 0 <= ny < CELLS and 0 <= nx < CELLS:
                out[t, k] = ny * CELLS + nx
    return out


_NEIGHBOURS = _neighbours()
_PARITY = np.array([2 * ((t // CELLS) % 2) + (t % CELLS) % 2 for t in range(CELLS * CELLS)])


def _fit(samples: _Samples, diff: np.ndarray, weights: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The tile-level offsets minimising the weighted squared misfit of the samples plus the smoothness along each
    curve (``_level_prior``) and between neighbouring tiles at the same level (TILE_SMOOTH), by block Gauss-Seidel
    over the four parity classes of tiles: a sample blends exactly one tile of each class, so each class's curves are
    solved exactly (one BINS x BINS system a tile) with the others held, and SWEEPS sweeps converge."""
    n_tiles = CELLS * CELLS
    scale = max(1.0, float(weights.sum()) / (n_tiles * BINS))  # the prior weighs as much as a level's samples
    prior = _level_prior() * scale
    offsets = offsets.copy()
    rows = np.arange(BINS)
    flat = offsets.ravel()  # a view: the solved curves are written into it
    lower = samples.tiles * BINS + samples.low[:, None]  # (samples, 4) flat index of each corner's lower level
    up = samples.up[:, None]
    parts = samples.spatial * (flat[lower] * (1 - up) + flat[lower + 1] * up)  # each class's share of the change
    left = diff - parts.sum(axis=1)
    for _ in range(SWEEPS):
        for k in range(4):
            tile, omega = samples.tiles[:, k], samples.spatial[:, k]
            target = left + parts[:, k]  # what this class's tile must explain
            a_lo, a_hi = omega * (1 - samples.up), omega * samples.up
            base = tile * BINS * BINS + samples.low * BINS + samples.low
            normal = np.zeros(n_tiles * BINS * BINS)
            for shift, coef in ((0, a_lo * a_lo), (1, a_lo * a_hi), (BINS, a_hi * a_lo), (BINS + 1, a_hi * a_hi)):
                normal += np.bincount(base + shift, weights=weights * coef, minlength=n_tiles * BINS * BINS)
            rhs = np.bincount(lower[:, k], weights=weights * a_lo * target, minlength=n_tiles * BINS)
            rhs += np.bincount(lower[:, k] + 1, weights=weights * a_hi * target, minlength=n_tiles * BINS)
            chosen = np.flatnonzero(k == _PARITY)
            blocks = normal.reshape(n_tiles, BINS, BINS)[chosen] + prior
            right = rhs.reshape(n_tiles, BINS)[chosen]
            # Smoothness between tiles: TILE_SMOOTH * (x_t - x_neighbour)^2 for each neighbour, held.
            for j in range(4):
                nb = _NEIGHBOURS[chosen, j]
                has = nb >= 0
                blocks[:, rows, rows] += (TILE_SMOOTH * scale * has)[:, None]
                right[has] += TILE_SMOOTH * scale * offsets[nb[has]]
            offsets[chosen] = np.linalg.solve(blocks, right[..., None])[..., 0]
            new = omega * (flat[lower[:, k]] * (1 - samples.up) + flat[lower[:, k] + 1] * samples.up)
            left += parts[:, k] - new
            parts[:, k] = new
    return offsets


def _monotone(offsets: np.ndarray) -> np.ndarray:
    """Offsets whose curves (level centre + offset) never fall with the level: the mean of the running maximum from
    the darks and the running minimum from the lights (a tone curve keeps the order of levels)."""
    centres = (np.arange(BINS, dtype=np.float32) + 0.5) * 100.0 / BINS
    curve = offsets + centres
    up = np.maximum.accumulate(curve, axis=-1)
    down = np.minimum.accumulate(curve[..., ::-1], axis=-1)[..., ::-1]
    out: np.ndarray = ((up + down) / 2 - centres).astype(np.float32)
    return out


def _tile_of(px: np.ndarray, py: np.ndarray, w: int, h: int) -> np.ndarray:
    """The tile (row * CELLS + column) each pixel lies in: the one whose centre is nearest."""
    tiles: np.ndarray = np.minimum(py * CELLS // h, CELLS - 1) * CELLS + np.minimum(px * CELLS // w, CELLS - 1)
    return tiles


DETAIL_SIGMA = 2.0
"""Gaussian sigma (px of the fit's grid, STEP working px each) of the local mean a pixel's detail is taken from: 4
working px, far inside a 128 px tile, so that a tile's curve maps the detail by its slope, and above the grain."""
GAIN_MIN = 0.5
"""Least detail gain (``_detail_gain``) of a tile a field of CLAHE curves can give. CLAHE's curve for a tile is the
cumulative sum of its clipped histogram: its slope at a level is proportional to the tile's pixels there, down to
no less than the clip limit, which is at least the histogram's average (OpenCV's clipLimit >= 1); so at the levels
the tile holds most of, the slope is >= 1, and the tile's detail, weighted by its own levels, is kept or raised
(untouched CLAHE copies, seeds 11 and 23: 0.86-2.3). Blending with the neighbours' curves, which may be flat at
those levels, weighs the tile's own curve >= 1/4 and ~1/2 on average over the tile: 0.5. A nearly opaque stain or a
tear keeps ~0.1 of the texture under it (a stain over a quarter of a bottle: 0.1-0.4), and no curve of level can
give that back, but a field of them can draw the stain's flat colour over whole tiles."""
DETAIL_MIN = 1.0
"""L units of the listing's detail from which a pixel counts as texture (JPEG noise after the blur: ~0.3 L)."""
MIN_TEXTURE = 200
"""Textured samples a tile needs for its detail gain to be read."""


def _detail_gain(c_light: np.ndarray, l_light: np.ndarray, inside: np.ndarray, w: int, h: int) -> np.ndarray:
    """Per tile (CELLS * CELLS), the complaint's detail over the listing's on the listing's texture (the ratio of
    their root mean squares), NaN where a tile has too little texture to say: the slope, weighted by the tile's own
    levels, of whatever tone map the copy went through."""
    c_detail = c_light - cv2.GaussianBlur(c_light, (0, 0), DETAIL_SIGMA)
    l_detail = l_light - cv2.GaussianBlur(l_light, (0, 0), DETAIL_SIGMA)
    textured = inside & (np.abs(l_detail) >= DETAIL_MIN)
    ty, tx = np.nonzero(textured)
    tiles = _tile_of(tx * STEP, ty * STEP, w, h)
    n_tiles = CELLS * CELLS
    count = np.bincount(tiles, minlength=n_tiles)
    c_energy = np.bincount(tiles, weights=c_detail[ty, tx].astype(np.float64) ** 2, minlength=n_tiles)
    l_energy = np.bincount(tiles, weights=l_detail[ty, tx].astype(np.float64) ** 2, minlength=n_tiles)
    gain: np.ndarray = np.where(count >= MIN_TEXTURE, np.sqrt(c_energy / np.maximum(l_energy, 1e-9)), np.nan)
    return gain


def _robust_spread(x: np.ndarray) -> float:
    return 1.4826 * float(np.median(np.abs(x - np.median(x)))) if x.size else 0.0


def local_tone(
    complaint_rgb: np.ndarray, listing_rgb: np.ndarray, mapped_rgb: np.ndarray, overlap: np.ndarray
) -> LocalTone | None:
    """The field of tone curves taking the listing's lightness to the complaint's, or None when it
    does not explain the whole copy (``MAX_SPREAD_LEFT``, ``MIN_MOVED_TILES``).

    Args:
        complaint_rgb: the complaint (float, 0-255, working frame, blurred as the comparison blurs it).
        listing_rgb: the aligned listing (the same frame and blur): a tone curve is a function of its lightness.
        mapped_rgb: the same after the global colour map, which the field must beat.
        overlap: the compared area (bool).
    """
    h, w = overlap.shape
    if int(overlap.sum()) < 1000:
        return None
    box = (0, 0, w, h)  # the app equalised the file the buyer sent: its tiles divide the complaint's whole frame
    c_lab, l_lab = _lab(complaint_rgb[::STEP, ::STEP]), _lab(listing_rgb[::STEP, ::STEP])
    c_light, l_light = c_lab[..., 0], l_lab[..., 0]
    m_light = _lightness(mapped_rgb[::STEP, ::STEP])
    inside = overlap[::STEP, ::STEP] & (c_light > 0.5) & (c_light < 99.5)  # a clipped level says only "at least"
    sy, sx = np.nonzero(inside)
    if sy.size < 1000:
        return None
    if sy.size > MAX_SAMPLES:  # evenly thinned: the fit's cost grows with the samples
        pick = np.linspace(0, sy.size - 1, MAX_SAMPLES).astype(np.int64)
        sy, sx = sy[pick], sx[pick]
    mapped_diff = c_light[sy, sx] - m_light[sy, sx]
    before = _robust_spread(mapped_diff - float(np.median(mapped_diff)))
    if before < MIN_SPREAD:
        return None
    gain = _detail_gain(c_light, l_light, inside, w, h)  # after the cheap test above: most copies stop there
    light = l_light[sy, sx]
    diff = c_light[sy, sx] - light
    samples = _samples(sx * STEP, sy * STEP, light, box)
    weights = np.ones(diff.size, np.float64)
    offsets = np.zeros((CELLS * CELLS, BINS))
    for _ in range(PASSES):
        offsets = _fit(samples, diff, weights, offsets)
        residual = diff - _predict(samples, offsets)
        scale = max(NOISE, _robust_spread(residual))
        # Huber's weights: a sample far from the curves (a painted patch, a misaligned edge) counts less.
        weights = np.minimum(1.0, HUBER * scale / np.maximum(np.abs(residual), 1e-6))
    # A level of a tile whose samples disagree with its value is two populations (a patch over part of the tile and
    # the rest of it), not a tone curve: its samples are left out and the smoothness between tiles fills it in.
    nearest = np.take_along_axis(samples.tiles, np.argmax(samples.spatial, axis=1)[:, None], axis=1)[:, 0]
    keys = nearest * BINS + np.where(samples.up < 0.5, samples.low, samples.low + 1)
    n = CELLS * CELLS * BINS
    far = (np.abs(residual) > SPLIT).astype(np.float64)
    counts = np.bincount(keys, minlength=n)
    share = np.bincount(keys, weights=far, minlength=n) / np.maximum(1, counts)
    split = (counts >= MIN_SAMPLES) & (share > MAX_SPLIT_SHARE)
    # A tile whose texture the copy flattened went through no CLAHE curve (``GAIN_MIN``): a stain or a tear over it
    # took the listing's texture away. Its samples are left out too, and the neighbours' curves stand in.
    flattened = gain < GAIN_MIN
    if split.any() or flattened.any():
        weights[split[keys] | flattened[nearest]] = 0.0
        if not weights.any():
            return None
        offsets = _fit(samples, diff, weights, offsets)
    offsets = _monotone(offsets)
    model = _predict(samples, offsets)
    after = _robust_spread(diff - model)
    # Moved beyond what the global map already does: the field's own part of the change.
    moved_at = np.abs(model - (m_light[sy, sx] - light)) >= MIN_MOVED
    # A whole-photo edit re-maps every tile that shows the photo; a field that moves only the tiles under a patch
    # (on a shaded surface a level is a place, so curves can draw a smooth patch) is fitting a local change. A tile
    # is judged over all it compares: where the complaint is clipped white, nothing says an edit moved it, and a
    # product on a white backdrop is only a few tiles, which one torn or mouldy patch can fill.
    n_tiles = CELLS * CELLS
    cy, cx = np.nonzero(overlap[::STEP, ::STEP])
    compared = np.bincount(_tile_of(cx * STEP, cy * STEP, w, h), minlength=n_tiles).astype(np.float64)
    my, mx = np.nonzero(inside)
    measured = np.bincount(_tile_of(mx * STEP, my * STEP, w, h), minlength=n_tiles).astype(np.float64)
    fitted = np.bincount(nearest, minlength=n_tiles).astype(np.float64)
    moved_share = np.bincount(nearest, weights=moved_at.astype(np.float64), minlength=n_tiles) / np.maximum(1, fitted)
    moved_share *= measured / np.maximum(1, compared)
    shown = compared >= TILE_SHOWN * compared.max()
    moved_tiles = float((moved_share[shown] >= 0.5).mean())
    if after > MAX_SPREAD_LEFT * before or moved_tiles < MIN_MOVED_TILES:
        return None
    return LocalTone(
        offsets.reshape(CELLS, CELLS, BINS), box, _chroma_map(c_lab[sy, sx, 1:], l_lab[sy, sx, 1:]), after / before
    )
