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
STROKE_CORE_LEVELS = 2.0
"""Least ridge depth (levels) of a stroke whose whole core averages GROW_Z noise floors of its own surface. On a
noise-free surface (a render, a white mug whose backdrop clips) the floor is the quantisation step, and a light
scratch of 8-10 levels (a ridge 3-4 deep, 0.4 x contrast for a 1 px line) was lost under STROKE_MIN_LEVELS while it
stood 3 floors above that surface along its whole length. A JPEG ringing echo is no such line: it sits beside an
edge (the structure floor covers it) and is short. 2 levels: twice the quantisation step (QUANTUM)."""
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
EXTENT_SCALE = 1.0
"""Gaussian scale (working px) at which a spot's extent is measured on its residual (``_spot_to_core``): about a px,
where JPEG's noise is still averaged over the 3 x 3 px that hold most of a window of that size."""

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
    # In place, in the same order of operations (the same float32 results): a fresh array per step costs its page
    # faults, as much again as the arithmetic at working size.
    if lines:
        dxx: np.ndarray = cv2.Sobel(g, cv2.CV_32F, 2, 0, ksize=3)
        dyy: np.ndarray = cv2.Sobel(g, cv2.CV_32F, 0, 2, ksize=3)
        dxy: np.ndarray = cv2.Sobel(g, cv2.CV_32F, 1, 1, ksize=3)
        dxx /= 4
        dyy /= 4
        dxy /= 4
        half_tr = np.add(dxx, dyy)
        half_tr /= 2
        np.abs(half_tr, out=half_tr)
        root = np.subtract(dxx, dyy, out=dxx)
        root /= 2
        np.square(root, out=root)
        dxy *= dxy
        root += dxy
        np.sqrt(root, out=root)
        # |big| - |small| of the eigenvalues half_tr +- root
        gap = np.abs(np.subtract(half_tr, root, out=dyy), out=dyy)
        line = half_tr
        line += root
        line -= gap
        line *= sigma * sigma
    if edges:
        gx: np.ndarray = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
        gy: np.ndarray = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
        gx /= 8
        gy /= 8
        edge = np.asarray(cv2.magnitude(gx, gy))
        edge *= sigma
    return line, edge


STRONG_EDGES = 0.25
"""The strongest quarter of the listing's edges (``_floor``), whose residual the patch test's structure term is held
to."""
QUANTUM = 1.0
"""Least noise floor (grey levels): 8-bit pixels are rounded to a level, and JPEG's coarsest step on a flat area
moves it by about one; a floor measured on a noise-free render (a white mug) must not fall below that."""


def _floor(response: np.ndarray, structure: np.ndarray, overlap: np.ndarray, capped: bool = True) -> np.ndarray:
    """Per-pixel noise floor of a non-negative response: its robust level where the listing is flat, plus the share
    of the listing's structure that this pair's resampling and misalignment leave in it (measured on its edges);
    ``capped``: that share held to what the strongest edges leave (``STRONG_EDGES``)."""
    # Robust statistics from every 4th compared pixel: a median over ~200,000 pixels moves by well under 1% when
    # thinned so, and costs a quarter.
    r, s = response[overlap][::4], structure[overlap][::4]
    if r.size == 0:
        return np.full(response.shape, QUANTUM, np.float32)
    flat = s <= np.median(s)
    base = max(QUANTUM, 1.5 * float(np.median(r[flat])))
    edges = ~flat & (s > 1.0)
    if edges.sum() <= 25:
        return np.full(response.shape, base, np.float32)
    rs, ss = r[edges], s[edges]
    ratio = float(np.percentile(rs / ss, STRUCTURE_PERCENTILE))
    floor: np.ndarray = ratio * structure
    # The share is measured over all edges, most of them weak, where the noise rules it (a response of ~1 level,
    # JPEG's, over a structure of 5-15: 0.1). A shift or a resampling error leaves a residual that grows with the
    # edge, the noise does not: extended linearly to a strong edge, the share asks more than that edge's residual
    # ever holds (session 16: beside the 200-level sleeve edges of seed 23's tee, shrunk to 35%, the patch floor was
    # 4-10 levels where the untouched edges' own responses stay under 1.6). So the structure term is held to what
    # the strongest quarter of the edges leaves above the base, at the same percentile: a floor measured on the
    # edges it is applied to.
    strong = ss >= np.percentile(ss, 100 * (1 - STRONG_EDGES))
    if capped and strong.sum() > 25:
        cap = max(0.0, float(np.percentile(rs[strong] - base, STRUCTURE_PERCENTILE)))
        np.minimum(floor, cap, out=floor)
    floor += base
    return floor


def _hysteresis(strong: np.ndarray, weak: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Connected parts of ``weak`` holding a ``strong`` pixel: (count + 1, labels, stats); others are label 0."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(weak.astype(np.uint8), connectivity=8)
    seeded = np.zeros(n, bool)
    seeded[np.unique(labels[strong & weak])] = True
    seeded[0] = False
    labels[~seeded[labels]] = 0
    return n, labels, stats


LINE_LENGTH = 9
"""Length (px, at half the working size) over which the line test averages the ridge evidence along a line: 17
working px, the shortest stroke it must keep (MIN_STROKE_LENGTH of a 850 px photo)."""
LINE_ANGLES = 8
"""Orientations of the averaging (22.5 degrees apart: over 17 px a line off by 11 degrees drifts under 2 px, within
the ridge test's width)."""
LINE_SEED_Z = SEED_Z / 2
"""A faint line's ridge, averaged along itself, must hold 3 floors. The ridge responses are correlated over ~4 px (2
sigma of the larger scale), so 17 px hold ~4 independent samples: their mean is twice as sure as one point (whose seed
is SEED_Z), and noise, independent from sample to sample, averages out while a line stays. A scratch shrunk under a
pixel wide or drawn over texture is such a line: 3-5 floors along its whole length, 6 nowhere."""


def _line_kernels() -> list[np.ndarray]:
    kernels = []
    half = LINE_LENGTH // 2
    for angle in np.arange(LINE_ANGLES) * np.pi / LINE_ANGLES:
        kernel = np.zeros((LINE_LENGTH, LINE_LENGTH), np.float32)
        for t in np.linspace(-half, half, 4 * LINE_LENGTH):
            kernel[round(half + t * np.sin(angle)), round(half + t * np.cos(angle))] += 1
        kernels.append(kernel / kernel.sum())
    return kernels


_LINE_KERNELS = _line_kernels()


def _along_lines(z: np.ndarray) -> np.ndarray:
    """``z`` averaged along a straight segment (LINE_LENGTH half-size px) in the best of LINE_ANGLES directions, at
    each pixel. Computed at half size (each half-size pixel keeps the largest of its 4, so a 1 px line is kept whole):
    a sixteenth of the cost."""
    h, w = z.shape
    if h < 2 * LINE_LENGTH or w < 2 * LINE_LENGTH:
        return np.zeros_like(z)
    pooled = np.ascontiguousarray(
        cv2.dilate(z, np.ones((2, 2), np.uint8), anchor=(0, 0))[: h // 2 * 2 : 2, : w // 2 * 2 : 2]
    )
    best = np.zeros_like(pooled)
    for kernel in _LINE_KERNELS:
        best = np.maximum(best, cv2.filter2D(pooled, -1, kernel, borderType=cv2.BORDER_CONSTANT))
    along = np.zeros_like(z)
    along[: h // 2 * 2, : w // 2 * 2] = cv2.resize(best, (w // 2 * 2, h // 2 * 2), interpolation=cv2.INTER_NEAREST)
    return along


def lines_in_residual(
    complaint: np.ndarray,
    listing: np.ndarray,
    overlap: np.ndarray,
    shrink: float = 1.0,
    source: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(thin lines drawn on the complaint: the ridges of the residual that stand above its noise floor, connected,
    long and thin; lines of the residual that are the listing's own lines, their contrast changed by the buyer's
    edit (``_deepened``): no change, but a residual the patch test must not average either).

    Args:
        complaint: complaint RGB at working size (float32, unblurred).
        listing: aligned, colour-mapped listing RGB, same size.
        overlap: where the two are compared.
        shrink: working px per listing px (under 1 when the complaint is a shrunk copy).
        source: the aligned listing before the colour map (default: the mapped one), whose lines a buyer's edit
            deepened or flattened (``_deepened``).
    """
    complaint_grey = _grey(complaint)
    listing_grey = _grey(listing)
    residual = complaint_grey - listing_grey
    source_grey = listing_grey if source is None else _grey(source)
    # A line of the listing narrower than the stroke scales, within a clipped surround: its own pixels are the line
    # (or what is left of it), the surround says whether the edit clipped there.
    reach = 2 * round(max(STROKE_SCALES)) + 1
    clipped = cv2.dilate(_clipped(complaint, overlap).astype(np.uint8), np.ones((reach, reach), np.uint8)) > 0
    z = np.zeros(overlap.shape, np.float32)
    depth = np.zeros(overlap.shape, np.float32)
    for sigma in STROKE_SCALES:
        line, _ = _ridge(residual, sigma, edges=False)
        own_line, own_edge = _ridge(listing_grey, sigma)
        # A misaligned or resampled edge leaves its residual beside itself too: the structure nearby counts. The
        # share is not capped here (session 16): a strong edge's residual at the line scales is not only a shift's
        # but its sharpening halo and the colour map's miss on its mixed colours, long and coherent along the edge,
        # which the along-line test adds up (capped, an untouched sharpened tee and a colour-edited bag each gave
        # a stroke along an edge).
        structure = cv2.dilate(own_line + own_edge, _NEAR)
        zs = line / _floor(line, structure, overlap, capped=False)
        z = np.maximum(z, zs)
        depth = np.maximum(depth, line)
    # The frame of the compared area (a photo's edge inside a screenshot, the buyer's crop) is a step in the
    # residual: its ridge reaches about 3 sigma inwards and is no stroke.
    rim = 2 * round(3 * max(STROKE_SCALES)) + 1
    z[cv2.erode(overlap.astype(np.uint8), np.ones((rim, rim), np.uint8)) == 0] = 0
    # A line narrower than a pixel after a shrink keeps its integrated contrast (area averaging spreads it over the
    # pixel), so its ridge depth falls with the shrink: the least depth of a stroke falls with it.
    least_depth = STROKE_MIN_LEVELS * min(1.0, max(shrink, 0.25))
    along = _along_lines(z)
    # A faint line's gaps are bridged where the pixel holds a floor of its own and its line holds half a seed: the
    # average along a line runs on past the line's ends, the pixel's own ridge does not.
    weak = (z >= GROW_Z) | ((along >= LINE_SEED_Z / 2) & (z >= 1.0))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(weak.astype(np.uint8), connectivity=8)
    short = min(overlap.shape)
    min_length = max(8.0, MIN_STROKE_LENGTH * short)
    pieces = _Pieces(labels, stats, depth)
    # Seeded (hysteresis, Canny 1986) by a point SEED_Z floors deep, or by a line that holds LINE_SEED_Z floors along
    # its length.
    seeded = np.zeros(n, bool)
    seeded[np.unique(labels[(z >= SEED_Z) | (along >= LINE_SEED_Z)])] = True
    # Or by its own core, averaged over the piece's whole length, holding as many floors as a line that long must
    # (_quiet_z: at the along-line span it is LINE_SEED_Z): the along-line average spans 18 px, a line shrunk to a
    # 20-30 px stroke over texture holds 2.6 floors over 28 px, as sure as 3 over 18.
    lengths = np.hypot(stats[:, 2], stats[:, 3])
    by_point_or_span = seeded.copy()
    for candidate in np.nonzero(~seeded & (lengths >= min_length))[0]:
        x, y, core = pieces.core(int(candidate))
        if float(z[y : y + core.shape[0], x : x + core.shape[1]][core].mean()) >= _quiet_z(float(lengths[candidate])):
            seeded[candidate] = True
    keep = np.zeros(n, bool)
    listed = np.zeros(n, bool)
    centre = np.zeros(overlap.shape, bool)
    kept: list[tuple[list[int], tuple[int, int, int, int], bool]] = []
    # Anchors: the seeded pieces, longest first; each gathers the collinear pieces beyond its ends (_join), and the
    # joined line is judged as one stroke.
    seeded[0] = False
    anchors = np.nonzero(seeded)[0]
    order = anchors[np.argsort(-lengths[anchors], kind="stable")]
    taken = np.zeros(n, bool)
    for i in (int(a) for a in order):
        if taken[i] or not pieces.thin(i):
            continue
        group = _join(pieces, i, taken)
        x0 = min(int(stats[j, 0]) for j in group)
        y0 = min(int(stats[j, 1]) for j in group)
        x1 = max(int(stats[j, 0] + stats[j, 2]) for j in group)
        y1 = max(int(stats[j, 1] + stats[j, 3]) for j in group)
        length = float(np.hypot(x1 - x0, y1 - y0))
        if length < min_length:
            continue
        cores = [pieces.core(j) for j in group]
        core_px = sum(int(c[2].sum()) for c in cores)
        # Thin or not is judged on the line's own core (see _Pieces.core), summed over the joined pieces.
        if core_px > MAX_STROKE_WIDTH * length * length:
            continue
        # Deep enough in grey levels, or (a faint line on a quiet surface) GROW_Z floors of this surface's own
        # noise on average over its whole core (STROKE_CORE_LEVELS), fewer on a longer line (_quiet_z).
        level_sum = sum(float(depth[y : y + c.shape[0], x : x + c.shape[1]][c].sum()) for x, y, c in cores)
        z_sum = sum(float(z[y : y + c.shape[0], x : x + c.shape[1]][c].sum()) for x, y, c in cores)
        core_depth = level_sum / max(1, core_px)
        quiet_line = core_depth >= STROKE_CORE_LEVELS and z_sum / max(1, core_px) >= _quiet_z(length)
        sure = bool(by_point_or_span[group].any())
        # A stroke kept only by the rules that weigh its length (a faint quiet line, a piece seeded by its own
        # average) must be a line, not a round rim: its core no wider on average than LINE_WIDTH.
        if (core_depth < least_depth or not sure) and core_px > LINE_WIDTH * length:
            continue
        if core_depth < least_depth and not quiet_line:
            continue
        # A line the listing already has, its contrast changed by the buyer's edit, is no new stroke (_deepened); its
        # pixels are set apart (``existing``), none of its pieces starts another stroke.
        drawn = _deepened(residual, source_grey, cores, clipped) < DEEPENED_SHARE
        for j in group:
            taken[j] = True
            (keep if drawn else listed)[j] = True
        for x, y, c in cores:
            centre[y : y + c.shape[0], x : x + c.shape[1]] |= c
        if drawn:
            kept.append((group, (x0, y0, x1, y1), sure))
    keep[0] = listed[0] = False
    # A stroke's extent: where it stands GROW_Z floors above the noise, as a single point would, or its core; the
    # pixels that only bridged a faint line's gaps (one floor) are not part of it (they run on past its ends).
    near_line = ((z >= GROW_Z) | centre) & overlap
    found: np.ndarray = keep[labels] & near_line
    existing: np.ndarray = listed[labels] & near_line
    # One stroke, one region: its found parts (the core of a line is broken wherever its ridge dips, and joined
    # pieces leave gaps) are linked across the gaps.
    for group, (x0, y0, x1, y1), sure in kept:
        window = found[y0:y1, x0:x1]
        line = window & np.isin(labels[y0:y1, x0:x1], group)
        # A line seeded only by its own average over its length must also be one line (POLARITY).
        signed = residual[y0:y1, x0:x1][line]
        if not sure and abs(float(signed.sum())) < POLARITY * float(np.abs(signed).sum()):
            window &= ~line
            continue
        window |= _links(line)
        _spot_to_core(window, centre[y0:y1, x0:x1], residual[y0:y1, x0:x1])
    return found, existing


SPOT_HALOS = 6
"""A stroke whose ridge core is under 6 halos long (``_spot_to_core``) may be a spot: its extent is its own residual's.
The ridge's core reaches a halo (3 sigma of the larger ridge scale) past a spot D px across on each side, so its box
holds at least twice the spot's area while D + 2 halos >= sqrt(2) D, that is for D under 4.8 halos."""
LINE_END = 0.5
"""Halos by which a short stroke's ridge core may run on past its residual's own half-maximum extent and still be a
line (``_spot_to_core``): the ridge test responds across a line, not beyond its ends, so a crack's core ends where
its residual does (0-2 px, seeds 11 and 23 and the GUI's 30 px crack), while a spot's reaches about a halo past it
on each side (4-12 px measured, of 12; the two spots measured whose residual spans their core have cores 8-9 px
wide, over LINE_WIDTH)."""


def _spot_to_core(window: np.ndarray, core: np.ndarray, residual: np.ndarray) -> None:
    """In place: a spot's extent cut to where its residual (averaged over about a px) is at least half its peak; a
    line's (a crack's, a scratch's) left as it is, however short.

    The extent where the ridge stands GROW_Z floors out, and the ridge's own half-maximum core too, reach about 3
    sigma of the larger ridge scale (6 px) beyond the line's pixels, however long the line: on a crack tens of px
    long that is a small share of its box, on a dent's shadow or a mould speck a few px across (found by this test
    as a short arc) it is most of the box (seeds 11 and 23: boxes of 12-26 px around truths of 5-14 px, box IoU
    0.17-0.29). The residual itself, at about a px (JPEG's noise averaged over the 3 x 3 px that hold most of
    such a window, far under half a spot that stood out as a stroke), ends where the spot does.

    A short crack (session 14: 30 px at the working size, a 2 px line in a complaint shrunk to 60%, under 6 halos)
    is no spot: its ridge core is the line itself, as narrow as the crack (no wider on average than LINE_WIDTH) and
    ending where its residual ends (within LINE_END halos). Cut to its residual's half maximum, it lost the px beside
    it that the thin test alone found, and its region was left mostly the blob test's: no enlarged crop in the app
    for a thin crack. A spot's core is wider than a line, or runs on past its residual by about a halo each side."""
    ys, xs = np.nonzero(window & core)
    if ys.size == 0:
        return
    halo = 3 * max(STROKE_SCALES)
    length = max(int(ys.max() - ys.min()), int(xs.max() - xs.min())) + 1
    if length >= SPOT_HALOS * halo:
        return
    strength = np.abs(cv2.GaussianBlur(residual, (0, 0), EXTENT_SCALE))
    peak = float(np.percentile(strength[window], 95))
    sharp = window & (strength >= HALF_MAXIMUM * peak)
    # The spot is what of that touches the ridge's own core; a JPEG block's ringing beside it is not.
    n, labels = cv2.connectedComponents(sharp.astype(np.uint8), connectivity=8)
    touching = np.zeros(n, bool)
    touching[np.unique(labels[sharp & core])] = True
    touching[0] = False
    if not touching.any():
        return
    own = touching[labels]
    oy, ox = np.nonzero(own)
    own_length = max(int(oy.max() - oy.min()), int(ox.max() - ox.min())) + 1
    if ys.size <= LINE_WIDTH * length and length - own_length < LINE_END * halo:
        return  # a line: its ridge core is its own
    window &= own


LINE_WIDTH = 5.0
"""Widest mean core (px: core pixels over length) of a stroke kept by the length-weighing rules: cracks, scratches and
hairs are 1-5 px wide, and their half-maximum core is no wider at the working size (2.5 px on a 175 px faint
scratch). The rim of a soft patch (a mould, 33 px across in a screenshot) is as long but ~9 px wide, and is the
patch test's."""


POLARITY = 0.5
"""A stroke seeded only by its own average (no point SEED_Z deep, no span LINE_SEED_Z along itself) must have one
polarity: a crack darkens and a scratch lightens the surface it crosses, so the grey residual over its pixels sums to
most of its absolute sum (0.91-1.00 on painted cracks and scratches, shrunk, re-saved, in screenshots). What a colour
edit or a misfit leaves along printed text, texture or an edge alternates in sign across the line (each dark letter
stroke between light paper) and cancels (0.09 on a carton's text rows, colour-shifted). 0.5: at least three quarters
of the line's absolute residual has one sign. Not asked of a stroke seeded the usual way: a light scratch that runs
on from a red surface over white darkens the white (0.49 measured), and it is one stroke."""


DEEPENED_SHARE = 0.7
"""A stroke whose core lies, on at least 70% of its pixels, on a line the listing already has (``_deepened``) is that
line's contrast changed by the buyer's edit, not a line drawn. Painted cracks and scratches, over texture, print and
edges alike, hold at most 0.58 of such pixels (seed 11, 235 strokes found over every hand-over, 99% under 0.46: where
they cross the listing's lines, half of those have the other polarity, and on a flat surface there is no line under
them); a wire across a sky that a colour edit deepened holds 0.81-1.00."""
DEEPENED_RATIO = 2.0
"""How deep the residual's line may be, against the listing's own line there (before the colour map), and still be
that line's contrast changed: the complaint's line is the listing's times the buyer's tone-curve slope (brightness
1.25 x contrast 1.2 x a channel gain of 1.15: 1.7 in the mid-tones), the mapped listing's the fitted map's slope (0
where the map clips a bright sky), so the residual is up to 1.7 times the listing's line; and the listing's line
was resampled once more than the complaint's by the alignment's warp (bilinear, at a half-pixel offset a 1 px line
keeps half its depth at the finer scale, nearly all of it at the coarser one)."""


def _signed_line(grey: np.ndarray, sigma: float) -> np.ndarray:
    """The Hessian eigenvalue of the larger magnitude, scale-normalised (as ``_ridge``), with its sign: positive
    across a dark line (a minimum), negative across a light one."""
    g = cv2.GaussianBlur(grey, (0, 0), sigma)
    dxx = cv2.Sobel(g, cv2.CV_32F, 2, 0, ksize=3) / 4
    dyy = cv2.Sobel(g, cv2.CV_32F, 0, 2, ksize=3) / 4
    dxy = cv2.Sobel(g, cv2.CV_32F, 1, 1, ksize=3) / 4
    half_tr = (dxx + dyy) / 2
    root = np.sqrt(((dxx - dyy) / 2) ** 2 + dxy * dxy)
    big: np.ndarray = np.where(half_tr >= 0, half_tr + root, half_tr - root) * (sigma * sigma)
    return big


def _deepened(
    residual: np.ndarray,
    source_grey: np.ndarray,
    cores: list[tuple[int, int, np.ndarray]],
    clipped: np.ndarray | None = None,
) -> float:
    """Share of a stroke's core pixels where the residual's line is one the listing has there (before the colour
    map), deepened: the same polarity, at most DEEPENED_RATIO times as deep; or erased where the complaint is clipped
    (``clipped``, ``_clipped``): the other polarity, as deep at most; at either scale of the stroke test (the larger
    share).

    A buyer's global edit (a tone curve, brightness, contrast, a white balance) maps each level the same wherever it
    is, and a monotone curve keeps a dark line darker than its surround: the complaint shows the listing's line at the
    same place with the same polarity, its depth scaled by the curve's slope there. The fitted colour map takes out
    the edit's average, not what it does to a thin line's rare mixed colours against a clipped sky (a wire deepened
    1.7 times, or flattened away in the mapped listing where the map clips), so the residual holds a line there, of
    the listing's polarity. The unmapped listing is asked, not the mapped one: its line is the one the edit acted on.
    A drawn crack or scratch is a line of its own: the listing has none under it on a flat surface, and across
    texture, print or an edge the listing's lines under it have either polarity and any depth."""
    pad = round(3 * max(STROKE_SCALES)) + 2
    h, w = residual.shape
    hits = [0] * len(STROKE_SCALES)
    total = 0
    for x, y, core in cores:
        ch, cw = core.shape
        y0, x0 = max(0, y - pad), max(0, x - pad)
        y1, x1 = min(h, y + ch + pad), min(w, x + cw + pad)
        inner = (slice(y - y0, y - y0 + ch), slice(x - x0, x - x0 + cw))
        total += int(core.sum())
        for k, sigma in enumerate(STROKE_SCALES):
            added = _signed_line(residual[y0:y1, x0:x1], sigma)[inner][core]
            listed = _signed_line(source_grey[y0:y1, x0:x1], sigma)[inner][core]
            within = np.abs(added) <= DEEPENED_RATIO * np.abs(listed)
            same = added * listed > 0
            if clipped is not None:
                # A monotone tone curve flattens a line only where it clips: the complaint shows none there, and the
                # residual is the mapped listing's line turned over (the map's knee is fitted on blurred levels, so
                # it does not clip the line as the edit did).
                same |= (added * listed < 0) & clipped[y0:y1, x0:x1][inner][core]
            hits[k] += int((same & within).sum())
    return max(hits) / total if total else 0.0


CLIP_SHARE = 0.01
"""Least share of the compared complaint pixels on one level of a channel for it to be a level an edit clipped to: an
editor's clip (or a tone curve's flat part) piles a bright sky or a backdrop onto one level (a waterfall's sky, its
three channels clipped at 218, 234 and 224 after the white balance: 3-3.4% each, against 0.5-0.7% on the levels
beside it)."""
CLIP_SPIKE = 3.0
"""How many times the levels around it (2-6 levels off, median) a clipped level holds: a photo's own smooth gradients
spread over neighbouring levels; a clip is a spike in the histogram."""
CLIP_MEAN_SIGMA = 1.0
"""Gaussian sigma (working px) of the complaint's local mean on which a clipped level is recognised."""
CLIP_SLACK = 3.0
"""Levels (0-255) within which a pixel still sits on its channel's clipped level: JPEG q70-q90 moves a flat clipped
area by 1-3 levels."""


def _clipped(complaint: np.ndarray, overlap: np.ndarray) -> np.ndarray:
    """Pixels of the complaint (RGB, float32) at which every channel sits on a level a colour edit clipped to (a spike
    of its histogram over the compared area: CLIP_SHARE, CLIP_SPIKE; within CLIP_SLACK): there the listing's lines
    may have been flattened away with their surround by a monotone tone curve."""
    levels = np.clip(np.rint(complaint), 0, 255).astype(np.uint8)
    area = max(1, int(overlap.sum()))
    near_spikes = []
    for ch in range(3):
        counts = cv2.calcHist([levels[..., ch]], [0], overlap.astype(np.uint8), [256], [0, 256]).ravel()
        padded = np.pad(counts, 6)
        around = np.median(np.stack([padded[6 + d : 6 + d + 256] for d in (-6, -5, -4, -3, -2, 2, 3, 4, 5, 6)]), axis=0)
        spikes = (counts >= CLIP_SHARE * area) & (counts >= CLIP_SPIKE * np.maximum(around, 1.0))
        if not spikes.any():
            return np.zeros(overlap.shape, bool)  # most photos: decided before the local mean below is taken
        near = cv2.dilate(spikes.astype(np.uint8)[None, :], np.ones((1, 2 * int(CLIP_SLACK) + 1), np.uint8)).ravel()
        near_spikes.append(near.astype(bool))
    # Judged on the complaint's local mean: JPEG rings around a sharp edge (the waterfall's caption) by +-10 levels
    # over the flat clipped sky of its blocks, at the finest scale only.
    local = np.clip(np.rint(cv2.GaussianBlur(complaint, (0, 0), CLIP_MEAN_SIGMA)), 0, 255).astype(np.uint8)
    clipped = overlap.copy()
    for ch in range(3):
        clipped &= near_spikes[ch][local[..., ch]]
    return clipped


def _quiet_z(length: float) -> float:
    """Least mean of a faint line's core, in noise floors, to keep it by the quiet-line rule: GROW_Z over the along-line
    test's span (2 x LINE_LENGTH working px), and less on a longer line, as sure as that: the ridge evidence is
    correlated over a few px only, so a line twice as long holds twice the independent samples and its mean the same
    certainty at 1/sqrt(2) of the level (a light scratch of 18 levels across a 175 px render stands 2.8 floors of the
    quantisation step along its whole core; no noise holds that over 175 px). Never under half the along-line seed
    (LINE_SEED_Z / 2), the least that joins a pixel to a line at all."""
    return max(LINE_SEED_Z / 2, GROW_Z * float(np.sqrt(2 * LINE_LENGTH / max(length, 1.0))))


JOIN_GAP = 2 * LINE_LENGTH
"""Widest gap (working px) between two pieces joined into one stroke: a crack that crosses a highlight, a printed
edge or a patch of texture loses its evidence there (the floor rises, its contrast falls) and comes out as pieces.
Twice the along-line test's half-size span (18 px): what a line leaves out over a shorter stretch is what the
along-line average bridges already at the pixel level."""
JOIN_ANGLE = np.deg2rad(30.0)
"""Largest angle between a piece's direction at its end and the gap to the next piece (and that piece's own
direction): the along-line test's angular step (22.5 degrees) plus the uncertainty of a direction fitted over a few
px of a 1-3 px wide line (~1 px over LINE_LENGTH: ~7 degrees). A random-walk crack bends less over one gap."""
JOIN_TOUCH = 2.0
"""Pieces whose ends are this close (px) touch: only the direction of the piece joined is checked."""


class _Pieces:
    """Geometry of the connected pieces of the stroke test's weak mask, computed when first asked for."""

    def __init__(self, labels: np.ndarray, stats: np.ndarray, depth: np.ndarray):
        self.labels, self.stats, self.depth = labels, stats, depth
        self._ends: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
        self._cores: dict[int, tuple[int, int, np.ndarray]] = {}

    def window(self, i: int) -> tuple[int, int, np.ndarray]:
        x, y, w, h = (int(v) for v in self.stats[i, :4])
        return x, y, self.labels[y : y + h, x : x + w] == i

    def length(self, i: int) -> float:
        return float(np.hypot(self.stats[i, 2], self.stats[i, 3]))

    def core(self, i: int) -> tuple[int, int, np.ndarray]:
        """The piece's own core, where its ridge is at least half its peak (full width at half maximum): the
        hysteresis region of a high-contrast line is wider, since its ridge response still stands above the floor
        2-3 sigma to each side, and would make a short curved crack look like a blob."""
        if i not in self._cores:
            x, y, part = self.window(i)
            level = self.depth[y : y + part.shape[0], x : x + part.shape[1]]
            core = part & (level >= HALF_MAXIMUM * float(np.percentile(level[part], 95)))
            self._cores[i] = (x, y, core)
        return self._cores[i]

    def thin(self, i: int) -> bool:
        """Elongated (its core at most MAX_STROKE_WIDTH of its length squared), or a dot of a line's width."""
        length = self.length(i)
        return int(self.core(i)[2].sum()) <= max(MAX_STROKE_WIDTH * length * length, JOIN_DOT)

    def ends(self, i: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """(end point (x, y), outward unit direction there) at both ends of the main axis of the piece's core (the
        line's own pixels, which the stroke's extent keeps: a link between two ends joins two found parts); the
        direction is fitted to the core within LINE_LENGTH of the end (a curved crack turns along its length)."""
        if i not in self._ends:
            x, y, core = self.core(i)
            ys, xs = np.nonzero(core)
            pts = np.stack([xs + x, ys + y], axis=1).astype(np.float64)
            axis = _axis(pts)
            t = pts @ axis
            ends = []
            for k in (int(np.argmin(t)), int(np.argmax(t))):
                end = pts[k]
                near = pts[np.hypot(*(pts - end).T) <= LINE_LENGTH]
                local = _axis(near) if len(near) >= 3 else axis
                outward = end - near.mean(axis=0)
                if float(local @ outward) < 0:
                    local = -local
                ends.append((end, local))
            self._ends[i] = ends
        return self._ends[i]


JOIN_DOT = 9
"""Pixels of a piece too short to have a direction that may still join a line: a 3 x 3 bit of a 1-3 px wide crack
where it surfaced between two highlights."""


def _axis(pts: np.ndarray) -> np.ndarray:
    """Unit direction of the main axis of the points (their first principal component)."""
    centred = pts - pts.mean(axis=0)
    cov = centred.T @ centred
    values, vectors = np.linalg.eigh(cov)
    axis: np.ndarray = vectors[:, int(np.argmax(values))]
    return axis


def _join(pieces: _Pieces, anchor: int, taken: np.ndarray) -> list[int]:
    """The anchor and the pieces joined to it end to end: each within JOIN_GAP of the line's free end, in its
    direction within JOIN_ANGLE, and pointing back at it."""
    labels = pieces.labels
    group = [anchor]
    members = {anchor}
    free = list(pieces.ends(anchor))
    cos_max = float(np.cos(JOIN_ANGLE))
    while free:
        end, direction = free.pop()
        ex, ey = int(end[0]), int(end[1])
        box = labels[max(0, ey - JOIN_GAP) : ey + JOIN_GAP + 1, max(0, ex - JOIN_GAP) : ex + JOIN_GAP + 1]
        best: tuple[float, int, int] | None = None
        for j in np.unique(box):
            j = int(j)
            if j == 0 or j in members or taken[j] or pieces.stats[j, 4] > 4 * JOIN_GAP * JOIN_GAP:
                continue
            if not pieces.thin(j):
                continue
            for k, (other, other_dir) in enumerate(pieces.ends(j)):
                gap = other - end
                dist = float(np.hypot(*gap))
                if dist > JOIN_GAP:
                    continue
                if dist > JOIN_TOUCH and float(gap @ direction) < cos_max * dist:
                    continue
                # The piece runs on the way the line did (its end's outward direction points back at the line).
                if pieces.length(j) >= JOIN_DOT**0.5 and float(-other_dir @ direction) < cos_max:
                    continue
                if best is None or dist < best[0]:
                    best = (dist, j, k)
        if best is None:
            continue
        _, j, k = best
        members.add(j)
        group.append(j)
        other = pieces.ends(j)[k][0]
        if pieces.length(j) >= JOIN_DOT**0.5:
            free.append(pieces.ends(j)[1 - k])
        else:
            # A dot: the line runs on from it in the same direction.
            free.append((other, direction))
    return group


LINK_POINTS = 200
"""Pixels per part at most (evenly thinned) among which the nearest pair of two parts is sought: a link a pixel or two
off the nearest pair still joins the two parts."""


def _links(parts: np.ndarray) -> np.ndarray:
    """The shortest links (1 px lines, a minimum spanning tree, Kruskal) that join the connected parts of ``parts``
    into one."""
    canvas = np.zeros(parts.shape, np.uint8)
    n, labels = cv2.connectedComponents(parts.astype(np.uint8), connectivity=8)
    if n <= 2:
        return canvas > 0
    points = []
    for i in range(1, n):
        ys, xs = np.nonzero(labels == i)
        step = max(1, xs.size // LINK_POINTS)
        points.append(np.stack([xs[::step], ys[::step]], axis=1).astype(np.float32))
    edges = []
    for a in range(len(points)):
        for b in range(a + 1, len(points)):
            d = ((points[a][:, None, :] - points[b][None, :, :]) ** 2).sum(axis=2)
            k = int(np.argmin(d))
            edges.append((float(d.flat[k]), a, b, k // d.shape[1], k % d.shape[1]))
    edges.sort()
    root = list(range(len(points)))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for _, a, b, ka, kb in edges:
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        root[ra] = rb
        pa, pb = points[a][ka], points[b][kb]
        cv2.line(canvas, (int(pa[0]), int(pa[1])), (int(pb[0]), int(pb[1])), 1)
    return canvas > 0


PATCH_LEVEL = 2
"""The patch test runs on the photo shrunk by 2 (area-averaged), its scales halved: a Gaussian of sigma >= 3 px passes
nothing finer than ~1/19 cycles per px, far under the half-size image's limit of 1/4, so shrinking first changes the
averages by less than a grey level and costs a quarter of the pixels and half the kernel."""


LEAST_PATCH_KEPT = 0.5
"""Share of its offset that the least patch (``MIN_PATCH_SHARE`` of the compared area, a disc) keeps at its centre in
the patch test's finest window (``_least_patch_scale``)."""


def _least_patch_scale(area: int) -> float:
    """Gaussian sigma (px of the patch test's image) at which a disc of ``MIN_PATCH_SHARE`` of ``area`` keeps
    ``LEAST_PATCH_KEPT`` of its offset at its centre: 1 - exp(-r^2 / 2 sigma^2) = kept, sigma = r / sqrt(-2 ln(1 -
    kept)), 0.85 r for a half.

    The patch scales are working px, chosen for a photo compared at up to 1024 px, where the least patch (0.05% of
    the area: ~11 px across at half size) is wider than the finest window (sigma 1.5 half-size px) and keeps all its
    offset. A copy the buyer's app shrank is compared at its own size: at 122-170 px the least patch is 3-4 px across,
    and the window of sigma 3 px keeps ~20% of its offset (a dent's 4 x 5 px shadow, 17 levels deep, stood 4.6 floors
    out there and 8.8 at 1.5 px). The window is then matched to the least patch, in grey only: JPEG stores the colour
    at half resolution (4:2:0), so the complaint's colour residual has no detail finer than 2 px but the
    subsampling's own error along colour edges."""
    radius = float(np.sqrt(MIN_PATCH_SHARE * area / np.pi))
    return radius / float(np.sqrt(-2 * np.log(1 - LEAST_PATCH_KEPT)))


PATCH_LEVEL_FROM = 400
"""Only a working image at least 400 px on its short side is halved for the patch test: the smallest patch (0.05% of
a 122 px shrunk copy is 7 px) must stay several pixels across."""


def _shrunk(image: np.ndarray, level: int) -> np.ndarray:
    if level == 1:
        return image
    small: np.ndarray = cv2.resize(
        image, (image.shape[1] // level, image.shape[0] // level), interpolation=cv2.INTER_AREA
    )
    return small


COLOUR_BIN = 16
"""Width (levels per channel) of the listing-colour bins in which the colour test compares residuals: JPEG and a
buyer's edit move a colour by less, a global map's error changes little within it."""
LEVEL_BIN = 8
"""Width (levels) of one channel's level bins in the per-channel colour test: a clipping edit bends its tone curve
at one level (a crushed black: every level under ~27 becomes 0), and the map's miss changes by several levels
across a 16-level bin there."""
SAME_COLOUR_SUPPORT, SAME_COLOUR_MIN = 0.5, 10
"""At least half of a patch's pixels must have their colour bin seen elsewhere in the photo, on at least 10 pixels
(whose mean residual is then within ~1 level of the truth under JPEG noise of ~3), for the colour test to judge it;
otherwise it cannot, and the patch stays."""
EXPLAINED_SHARE = 0.5
"""A patch is the colour map's error when the residual its colours show elsewhere accounts for all but half of its
own (vector distance of the mean residuals under half the patch's)."""


class ColourResiduals:
    """The residual (complaint - mapped listing) summed per listing colour over the compared area, to ask of a
    patch whether its residual is what the global colour map misses for its colours everywhere in the photo.

    A buyer's colour edit maps each colour the same wherever it is, so whatever the fitted global map misses for a
    colour (a saturated green clipped by the edit, a crushed black, a tone the curves do not follow) it misses for
    that colour all over the photo. A painted patch changes one place: the same colours elsewhere keep their
    residual near zero. Two tests: the mean residual of the same joint colour bins (COLOUR_BIN levels a channel;
    any edit, hue turns included), and each channel's own tone curve, the complaint's mean level per level of that
    channel in the listing before the colour map (LEVEL_BIN; brightness, contrast, white balance, curves and their
    clipping act on each channel alone, so a red print's crushed green is judged against every other pixel whose
    green is as dark, not only the print's own colour, which it may cover almost entirely, and whatever the fitted
    map's channel mixing adds does not count). Either explaining the patch suffices: an edit is one or the other.

    The sums over the whole area are taken once; a patch's neighbourhood is taken out of them per patch.
    """

    def __init__(self, residual: np.ndarray, listing: np.ndarray, overlap: np.ndarray, source: np.ndarray) -> None:
        """``residual``: complaint - ``listing`` (the mapped listing); ``source``: the listing before the colour map
        (each channel's tone curve is a function of its own level there, not of the fitted map's mixture)."""
        bins = np.clip(listing, 0, 255).astype(np.int32) // COLOUR_BIN
        per_side = 256 // COLOUR_BIN
        self._joint = (bins[..., 0] * per_side + bins[..., 1]) * per_side + bins[..., 2]
        self._joint_size = per_side**3
        self._level = np.clip(source, 0, 255).astype(np.int32) // LEVEL_BIN
        self._residual = residual
        self._complaint = residual + listing
        self._overlap = overlap
        self._tables = self._sums(overlap)

    def _sums(
        self, where: np.ndarray, box: tuple[slice, slice] = (slice(None), slice(None))
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(joint counts, joint residual sums 3 x bins, per-channel source level counts 3 x bins, the complaint's
        sums in them 3 x bins) over ``where`` inside ``box``."""
        key = self._joint[box][where]
        residual = self._residual[box][where]
        joint_count = np.bincount(key, minlength=self._joint_size).astype(np.float64)
        joint_sum = np.stack([np.bincount(key, residual[:, ch], self._joint_size) for ch in range(3)])
        levels = self._level[box][where]
        size = 256 // LEVEL_BIN
        level_count = np.stack([np.bincount(levels[:, ch], minlength=size) for ch in range(3)]).astype(np.float64)
        complaint = self._complaint[box][where]
        level_sum = np.stack([np.bincount(levels[:, ch], complaint[:, ch], size) for ch in range(3)])
        return joint_count, joint_sum, level_count, level_sum

    def explains(self, patch: np.ndarray, spread: float) -> bool:
        """Whether ``patch``'s mean residual is what the same listing colours show away from it (beyond ``spread``
        px, the averaging window that found it)."""
        return self.verdict(patch, spread) is True

    def verdict(self, patch: np.ndarray, spread: float) -> bool | None:
        """As ``explains``, with None for "cannot tell": neither grouping explains the patch and its joint colours
        are not seen enough away from it. Only the joint colours can tell that a residual is NOT the colour map's:
        the fitted map mixes the channels, so its miss is a function of the whole colour, and a clipped green
        leaf can miss by 20 levels in green where other pixels as green in that channel alone do not."""
        ys, xs = np.nonzero(patch)
        if ys.size == 0:
            return None
        reach = round(2 * spread)
        h, w = patch.shape
        y0, y1 = max(0, int(ys.min()) - reach), min(h, int(ys.max()) + reach + 1)
        x0, x1 = max(0, int(xs.min()) - reach), min(w, int(xs.max()) + reach + 1)
        box = (slice(y0, y1), slice(x0, x1))
        near = cv2.dilate(patch[box].astype(np.uint8), np.ones((2 * reach + 1,) * 2, np.uint8)) > 0
        near &= self._overlap[box]
        near_tables = self._sums(near, box)
        in_tables = self._sums(patch[box], box)
        own = self._residual[box][patch[box]].mean(axis=0)
        size = float(np.linalg.norm(own))
        joint = self._expected(self._tables[0] - near_tables[0], self._tables[1] - near_tables[1], in_tables[0])
        if joint is not None and float(np.linalg.norm(own - joint)) < EXPLAINED_SHARE * size:
            return True
        channels = [
            self._expected(
                self._tables[2][ch] - near_tables[2][ch],
                (self._tables[3][ch] - near_tables[3][ch])[None],
                in_tables[2][ch],
            )
            for ch in range(3)
        ]
        if all(c is not None for c in channels):
            # Each channel's own tone curve (the complaint's mean level per source level, over the photo) predicts
            # the patch's complaint colour; its miss against the complaint is the residual it leaves unexplained.
            per_channel = np.array([float(c[0]) for c in channels if c is not None])
            own_colour = self._complaint[box][patch[box]].mean(axis=0)
            if float(np.linalg.norm(own_colour - per_channel)) < EXPLAINED_SHARE * size:
                return True
        return None if joint is None else False

    @staticmethod
    def _expected(count_away: np.ndarray, sums_away: np.ndarray, count_in: np.ndarray) -> np.ndarray | None:
        """The patch's expected mean residual from its colours' mean residual away from it (rows of
        ``sums_away``), or None when under SAME_COLOUR_SUPPORT of its pixels have a colour seen enough away."""
        supported = (count_away >= SAME_COLOUR_MIN) & (count_in > 0)
        judged = float(count_in[supported].sum())
        if judged < SAME_COLOUR_SUPPORT * float(count_in.sum()):
            return None
        expected: np.ndarray = (count_in[supported] * sums_away[:, supported] / count_away[supported]).sum(axis=1)
        return expected / judged


LEAVE_OUT_KEEPS = 0.5
"""The floor is measured again without the candidate patches only while at least half of the compared area is left
to measure it on (beyond that the photo has changed too much for its rest to tell the pair's noise)."""


def patches(
    complaint: np.ndarray,
    listing: np.ndarray,
    overlap: np.ndarray,
    lines: np.ndarray,
    source: np.ndarray | None = None,
    uniform: bool = True,
) -> np.ndarray:
    """Faint, spatially coherent offsets (translucent stains, discolouration, dents' shading): the residual averaged
    over windows of three sizes, in grey and two opponent colour channels, standing above its noise floor.

    Args: as ``strokes``; ``lines``: strokes found already, left out of the averages (a dark crack would otherwise
    spread into a faint halo around itself); ``source``: the aligned listing before the colour map (default: the
    mapped one), for the colour test's per-channel tone curves; ``uniform``: the listing was brought to the copy by
    edits that act alike everywhere (a transform, a resampling, tone curves, sharpening). Only then is the floor's
    structure term held to what the strongest edges leave (``_floor``'s cap): the cap assumes one residual per edge
    level for the whole pair, which a model of a neighbourhood edit breaks (a field of per-tile tone curves, an
    editor's clarity, a vignette: ``local_tone``, ``clarity``, ``gain_field``). Their misfit sits where the editor's
    window and the model's are cut off, at the frame's edge (CLAHE's border tiles are not blended with a neighbour's),
    where a whole-photo percentile under-asks (session 16: with the cap everywhere, strips of 8-50 px along the frame
    on enhanced, clarity and filtered copies: a milk carton, ukbench01380, a shelf, a Tropicana carton).
    """

    def opponent(rgb: np.ndarray) -> tuple[np.ndarray, ...]:
        return (_grey(rgb), rgb[..., 0] - rgb[..., 1], (rgb[..., 0] + rgb[..., 1]) / 2 - rgb[..., 2])

    full_shape = overlap.shape
    level = PATCH_LEVEL if min(full_shape) >= PATCH_LEVEL_FROM else 1
    inside_full = (overlap & ~cv2.dilate(lines.astype(np.uint8), _NEAR).astype(bool)).astype(np.float32)
    inside = _shrunk(inside_full, level)
    # A half-size pixel is compared when all of it was (the frame's edge brings nothing in).
    overlap = _shrunk(overlap.astype(np.float32), level) >= 1.0
    residual_rgb, listing_rgb = _shrunk(complaint - listing, level), _shrunk(listing, level)
    source_rgb = _shrunk(listing if source is None else source, level)
    channels = list(zip(opponent(residual_rgb), opponent(listing_rgb), strict=True))
    scales = tuple(sigma / level for sigma in PATCH_SCALES)
    area = max(1, int(overlap.sum()))
    least = _least_patch_scale(area)
    grey_scales = (least, *scales) if least < scales[0] else scales
    fine = np.zeros(overlap.shape, np.float32)
    # Each channel's floor follows the listing's own edges in that channel: JPEG's halved chroma resolution leaves
    # a colour residual along colour edges (red text on yellow), not along grey ones.
    # Averages over the compared area only (normalised convolution): the frame's edge brings in nothing.
    weights = {sigma: cv2.GaussianBlur(inside, (0, 0), sigma) + 1e-6 for sigma in grey_scales}
    responses = []
    for k, (channel, own) in enumerate(channels):
        for sigma in grey_scales if k == 0 else scales:
            weight = weights[sigma]
            _, own_edge = _ridge(own, sigma, lines=False)
            structure = cv2.GaussianBlur(own_edge, (0, 0), sigma)
            mean = cv2.GaussianBlur(channel * inside, (0, 0), sigma) / weight
            centre = float(np.median(mean[overlap][::7]))
            offset = np.abs(mean - centre)
            responses.append((offset, structure))
            if sigma == scales[0]:
                fine = np.maximum(fine, offset)
    if least < scales[0]:
        # The extent too is measured at the scale that keeps the least patch's offset (in grey): the coarser window
        # spreads a 4 x 5 px dent's offset over 7-8 px.
        fine = np.maximum(fine, responses[0][0])

    def above_floor(sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        strong = np.zeros(overlap.shape, bool)
        weak = np.zeros(overlap.shape, bool)
        for offset, structure in responses:
            zs = offset / _floor(offset, structure, sample, capped=uniform)
            strong |= (zs >= SEED_Z) & (offset >= PATCH_MIN_LEVELS)
            weak |= (zs >= GROW_Z) & (offset >= PATCH_MIN_LEVELS / 2)
        return strong & overlap, weak & overlap

    strong, weak = above_floor(overlap)
    explained: ColourResiduals | None = None
    # The floor's structure term is a property of the pair (its resampling and misalignment), measured over the
    # listing's edges; a faint patch on weak structure (a dent's shadow on a cap's fine weave) can be 2% of those
    # edges on a plain render and set the percentile itself (session 10: a 20-level shadow held 2-4.6 floors).
    # So the floor is measured again away from the places that stand GROW_Z floors out over a patch's least area,
    # and each is judged against the rest of the photo, not against itself. Not away from those the colour test
    # explains: a colour edit's clipped or crushed colours are this pair's noise, wherever those colours are, and
    # the floor measured without them let the next-worst leaves of the same colour stand out (session 10); nor
    # away from those it cannot judge (their colour is hardly seen elsewhere): only a change known to be local
    # lowers the floor.
    n_parts, parts, part_stats, _ = cv2.connectedComponentsWithStats(weak.astype(np.uint8), connectivity=8)
    left_out = np.zeros(n_parts, bool)
    colour_effect = np.zeros(n_parts, bool)
    for i in range(1, n_parts):
        if part_stats[i, 4] < MIN_PATCH_SHARE * area:
            continue
        if explained is None:
            explained = ColourResiduals(residual_rgb, listing_rgb, overlap, source_rgb)
        verdict = explained.verdict(parts == i, scales[-1])
        left_out[i] = verdict is False
        colour_effect[i] = verdict is True
    # A candidate the colour test explained stays explained when the lower floor finds a smaller part of it again:
    # that part, with fewer pixels, may show too few of its colours elsewhere for the test to judge it alone.
    explained_parts = colour_effect[parts]
    if left_out.any():
        reach = 2 * round(2 * scales[-1]) + 1
        near = cv2.dilate(left_out[parts].astype(np.uint8), np.ones((reach, reach), np.uint8)) > 0
        away = overlap & ~near
        if int(away.sum()) >= LEAVE_OUT_KEEPS * area:
            strong, weak = above_floor(away)
    n, labels, stats = _hysteresis(strong, weak)
    found = np.zeros(overlap.shape, bool)
    for i in range(1, n):
        if stats[i, 4] < MIN_PATCH_SHARE * area:
            continue
        x, y, w, h = (int(v) for v in stats[i, :4])
        part = labels[y : y + h, x : x + w] == i
        if not part.any():
            continue
        # The patch's own extent: where its fine-scale offset is at least half its peak (full width at half
        # maximum). The coarse averages that found a faint patch also spread it by their window. The least area
        # is the part's (above): a compact patch's half-maximum core is smaller than the part its averages spread
        # it over (a dent's shadow of 0.07% of the photo standing 39 floors out had a core of 0.04%).
        strength = fine[y : y + h, x : x + w]
        peak = float(np.percentile(strength[part], 95))
        core = part & (strength >= HALF_MAXIMUM * peak)
        if not core.any():
            continue
        whole = np.zeros(overlap.shape, bool)
        whole[y : y + h, x : x + w] = core
        if int((whole & explained_parts).sum()) >= HALF_MAXIMUM * int(core.sum()):
            continue
        if explained is None:
            explained = ColourResiduals(residual_rgb, listing_rgb, overlap, source_rgb)
        if not explained.explains(whole, scales[-1]):
            found |= whole
    if not found.any():
        return np.zeros(full_shape, bool)
    full: np.ndarray = cv2.resize(
        found.astype(np.uint8), (full_shape[1], full_shape[0]), interpolation=cv2.INTER_NEAREST
    ).astype(bool)
    return full
