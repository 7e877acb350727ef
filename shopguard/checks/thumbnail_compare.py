"""Line up an EXIF thumbnail with its photo, then compare them overall and block by block.

The preview a camera stores is not always the whole frame squeezed to 160 px. Measured on the
test data (affine registration, cv2.findTransformECC, of each thumbnail onto its photo):

- most cameras store the whole frame at one scale (offsets under 2 % of the frame);
- the iPhone 5s (iOS 8.3) stores 160×112 previews of 4:3 photos: the full width at the *same*
  scale in both axes, with 1/15 of the height (8 of 120 preview rows) cut from *one* edge, not
  centred and not squeezed — centred or squeezed readings misalign it by 4 preview pixels and
  drop the correlation to 0.68-0.79, the "not the same frame" the check used to report;
- photos cropped after capture keep the full-frame preview, which then shows more than the photo.

After alignment no "moment apart" motion is left: the iPhone previews correlate 0.948-0.998 with
their photos, like every other camera's.

So two readings are tried and the closer kept: the thumbnail registered onto the photo by one scale
and a shift (normalised cross-correlation on the overlap, so a preview cut from one edge, a photo
cropped later, or both at once all line up) and cut to the shared area; and the whole thumbnail
stretched over the whole photo (writers that squeeze). Only scale and position are searched, never
rotation or shear, so a painted patch cannot be aligned away.

Besides the overall correlation the comparison measures the correlation of the fine detail alone
(each picture minus its Gaussian blur): two unrelated pictures can share broad light and dark areas
once aligned, but not their fine detail.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

COMPARE_WIDTH = 64
GRID = 8
BLOCK_DIFF = 1.2
"""Mean |difference| of normalised pixels in one block above which that block differs (unit: SD)."""
DETAIL_SIGMA = 1.5
"""Blur (compared pixels) removed to keep the fine detail: ~2 % of the width, edges and texture."""
REGISTER_WIDTH = 128
"""Registration runs on the thumbnail reduced to this width (96 px mislocated a quarter-width strip
cropped from a 160 px preview; 128 px found it, at 1.6x the cost)."""
SMALLEST_RATIO, LARGEST_RATIO, COARSE_STEP = 0.55, 1.32, 1.05
"""Photo size relative to the thumbnail tried first: from 0.55 of the thumbnail along its looser side
(photo cropped to about half after capture, in any shape) to 1.32 along its tighter side (the
camera's preview shows 76 % of the frame), 5 % apart; the best is refined in 1 % steps, so the far
edge lands within one compared pixel."""
FINE_STEPS = 3
"""1 % steps either side of the best coarse scale."""
MIN_OVERLAP = 0.75
"""A reading must line up at least 3/4 of the smaller picture's area: less leaves too little to
compare and lets unrelated pictures line up by chance."""
MAX_ASPECT_CHANGE = 6.0
"""Shapes further apart than this (a 4:3 preview against a 1:4.5 strip) are not compared as a crop of
each other: only the stretched reading is tried (this also bounds the registration's work)."""
MIN_SIDE = 16
"""Thumbnails smaller than this (after trimming bars) are only compared stretched."""

Box = tuple[float, float, float, float]
"""x0, y0, x1, y1 as fractions of an image's width and height."""


@dataclass(frozen=True)
class ThumbnailComparison:
    correlation: float
    changed_box: tuple[int, int, int, int]  # x, y, w, h in thousandths of the compared area
    worst_block_diff: float
    orientation_used: int
    changed_fraction: float = 0.0  # share of blocks that differ
    rest_correlation: float = 0.0  # correlation outside the differing blocks
    alignment: str = "stretched"  # how thumbnail and photo were lined up: or "scale-and-shift"
    photo_box: Box = (0.0, 0.0, 1.0, 1.0)  # the part of the photo that was compared
    detail_correlation: float = 0.0  # correlation of the fine detail (blur removed) only
    detail_level: float = 0.0  # the lesser share of fine detail in the two pictures (SD units)


@dataclass(frozen=True)
class AlignedPair:
    """One reading of how the thumbnail maps onto the photo: the two pictures to compare."""

    alignment: str
    thumb: Image.Image
    photo: Image.Image
    photo_box: Box


def trim_bars(im: Image.Image) -> Image.Image:
    """Crop near-black uniform rows/columns at the edges (letterbox bars of 4:3 or 16:9 previews)."""
    a = np.asarray(im.convert("L"), dtype=np.float32)
    rows = np.where((a.mean(axis=1) > 16) | (a.std(axis=1) > 8))[0]
    cols = np.where((a.mean(axis=0) > 16) | (a.std(axis=0) > 8))[0]
    if len(rows) < a.shape[0] // 3 or len(cols) < a.shape[1] // 3:
        return im
    return im.crop((int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1))


def _gray(im: Image.Image, size: tuple[int, int] | None = None) -> npt.NDArray[np.float32]:
    gray = im.convert("L")
    if size is not None and size != gray.size:
        gray = gray.resize(size, Image.Resampling.LANCZOS)
    return np.asarray(gray, dtype=np.float32)


def _integral(a: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Summed-area table with a zero first row and column: sum of a[y0:y1, x0:x1] from four reads."""
    out = np.zeros((a.shape[0] + 1, a.shape[1] + 1))
    out[1:, 1:] = a.cumsum(axis=0).cumsum(axis=1)
    return out


def _box_sums(
    table: npt.NDArray[np.float64],
    ys: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]],
    xs: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]],
) -> npt.NDArray[np.float64]:
    (y0, y1), (x0, x1) = ys, xs
    # Rows first, then columns: two gathers of whole rows are ~4x cheaper than four 2-D fancy gathers.
    rows = table[y1] - table[y0]
    out: npt.NDArray[np.float64] = rows[:, x1] - rows[:, x0]
    return out


def _fast_len(n: int) -> int:
    """The smallest size >= n with no prime factor above 5: numpy's FFT (pocketfft) has fast passes for
    2, 3, 4 and 5 and falls back to a slow generic pass for larger primes (numpy has no next_fast_len)."""
    best = 2 * n
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            size = p35
            while size < n:
                size *= 2
            best = min(best, size)
            p35 *= 3
        p5 *= 5
    return best


class _OverlapCorrelator:
    """Normalised cross-correlation of a fixed ``moving`` picture placed at every offset over a
    ``fixed`` picture, computed on their overlap only, so partial overlaps score fairly (the masked
    correlation of Padfield, "Masked object registration in the Fourier domain", IEEE TIP 21(5),
    2012, with rectangular masks: the windowed sums come from summed-area tables, Lewis, "Fast
    normalized cross-correlation", 1995, and only the cross term needs an FFT)."""

    def __init__(self, moving: npt.NDArray[np.float64], max_shape: tuple[int, int]) -> None:
        self.mh, self.mw = moving.shape
        # Zero padding to at least the sum of both sizes: no circular wrap between the two ends.
        self.shape = (
            _fast_len(max_shape[0] + self.mh),
            _fast_len(max_shape[1] + self.mw),
        )
        self.m_conj = np.conj(np.fft.rfft2(moving, self.shape))
        self.m_sums, self.m2_sums = _integral(moving), _integral(moving * moving)

    def best(self, fixed: npt.NDArray[np.float64]) -> tuple[float, int, int]:
        """Returns (score, dx, dy): the moving picture's origin in ``fixed``'s pixels; score -2 when no
        placement overlaps enough textured area."""
        fh, fw = fixed.shape
        dys, dxs = np.arange(1 - self.mh, fh), np.arange(1 - self.mw, fw)
        # Overlap rectangle per offset, in fixed and in moving coordinates.
        fy = (np.clip(dys, 0, fh), np.clip(dys + self.mh, 0, fh))
        fx = (np.clip(dxs, 0, fw), np.clip(dxs + self.mw, 0, fw))
        my, mx = (fy[0] - dys, fy[1] - dys), (fx[0] - dxs, fx[1] - dxs)
        n = np.outer(fy[1] - fy[0], fx[1] - fx[0]).astype(np.float64)
        sum_f, sum_f2 = _box_sums(_integral(fixed), fy, fx), _box_sums(_integral(fixed * fixed), fy, fx)
        sum_m, sum_m2 = _box_sums(self.m_sums, my, mx), _box_sums(self.m2_sums, my, mx)
        cross = np.fft.irfft2(np.fft.rfft2(fixed, self.shape) * self.m_conj, self.shape)
        # Index k holds sum_y fixed(y) * moving(y - k): moving's origin at k; negative offsets wrap.
        sum_fm = cross[np.ix_(dys % self.shape[0], dxs % self.shape[1])]
        valid = n >= MIN_OVERLAP * min(fixed.size, self.mh * self.mw)
        n = np.where(valid, n, 1.0)
        var_f = sum_f2 - sum_f * sum_f / n
        var_m = sum_m2 - sum_m * sum_m / n
        floor = 1e-3 * n  # flat overlaps (a sky, a letterbox) carry no evidence of where they belong
        valid &= (var_f > floor) & (var_m > floor)
        score = np.where(valid, (sum_fm - sum_f * sum_m / n) / np.sqrt(np.maximum(var_f * var_m, 1e-12)), -2.0)
        iy, ix = np.unravel_index(int(np.argmax(score)), score.shape)
        return float(score[iy, ix]), int(dxs[ix]), int(dys[iy])


def registered(thumb: Image.Image, photo: Image.Image) -> AlignedPair | None:
    """Line the thumbnail up with the photo by scale and position (no rotation, no shear) and cut both
    to the area they share. Covers previews cut from one edge of the frame, photos cropped after
    capture, and both at once. None when no reading shares enough area."""
    if min(thumb.size) < MIN_SIDE or min(photo.size) < 2:
        return None
    aspects = (thumb.width / thumb.height, photo.width / photo.height)
    if max(aspects) > MAX_ASPECT_CHANGE * min(aspects):
        return None
    reg_w = min(REGISTER_WIDTH, thumb.width)
    reg_h = max(MIN_SIDE, round(reg_w * thumb.height / thumb.width))
    t_gray = _standardised(_gray(thumb, (reg_w, reg_h)))
    # At scale ``fit_hi`` the photo just covers the thumbnail; at ``fit_lo`` it just fits inside it.
    fit_lo = min(reg_w / photo.width, reg_h / photo.height)
    fit_hi = max(reg_w / photo.width, reg_h / photo.height)
    top = fit_hi * LARGEST_RATIO * 1.01**FINE_STEPS
    steps = math.ceil(math.log(top / (fit_lo * SMALLEST_RATIO)) / math.log(COARSE_STEP))
    coarse = [fit_lo * SMALLEST_RATIO * COARSE_STEP**k for k in range(steps)]
    max_shape = (round(photo.height * top) + 1, round(photo.width * top) + 1)
    correlator = _OverlapCorrelator(t_gray, max_shape)
    # One grey copy at twice the largest size tried; every scale is reduced from it (cheaper).
    base = photo.convert("L")
    if base.width > 2 * max_shape[1]:
        base = base.resize(
            (2 * max_shape[1], max(1, round(2 * max_shape[1] * photo.height / photo.width))), Image.Resampling.LANCZOS
        )

    def attempt(scale: float) -> tuple[float, float, int, int]:
        size = (
            max(4, min(max_shape[1], round(photo.width * scale))),
            max(4, min(max_shape[0], round(photo.height * scale))),
        )
        score, dx, dy = correlator.best(_standardised(_gray(base, size)))
        return score, scale, dx, dy

    best = max((attempt(scale) for scale in coarse), key=lambda t: t[0])
    fine = [attempt(best[1] * 1.01**j) for j in range(-FINE_STEPS, FINE_STEPS + 1) if j]
    best = max([best, *fine], key=lambda t: t[0])
    score, scale, dx, dy = best
    if score <= -1.0:
        return None
    # Thumbnail (registration pixels) -> photo pixels: p = (t + d) / scale.
    x0, y0 = max(0.0, float(dx)), max(0.0, float(dy))
    x1 = min(photo.width * scale, dx + reg_w)
    y1 = min(photo.height * scale, dy + reg_h)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    to_x, to_y = thumb.width / reg_w, thumb.height / reg_h
    thumb_box = ((x0 - dx) * to_x, (y0 - dy) * to_y, (x1 - dx) * to_x, (y1 - dy) * to_y)
    photo_px = (x0 / scale, y0 / scale, x1 / scale, y1 / scale)
    photo_box = (
        photo_px[0] / photo.width,
        photo_px[1] / photo.height,
        photo_px[2] / photo.width,
        photo_px[3] / photo.height,
    )
    thumb_part, photo_part = thumb.crop(_rounded(thumb_box)), photo.crop(_rounded(photo_px))
    if min(*thumb_part.size, *photo_part.size) < 2:  # a sliver of a very thin photo: nothing to compare
        return None
    return AlignedPair("scale-and-shift", thumb_part, photo_part, photo_box)


def _rounded(box: Box) -> tuple[int, int, int, int]:
    return round(box[0]), round(box[1]), round(box[2]), round(box[3])


def _standardised(a: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    out = a.astype(np.float64)
    standard: npt.NDArray[np.float64] = (out - out.mean()) / (out.std() + 1e-6)
    return standard


def compare(thumb: Image.Image, photo: Image.Image) -> tuple[ThumbnailComparison, Image.Image, Image.Image]:
    """Compare an oriented thumbnail with the oriented photo; returns the metrics of the closest
    reading and the two pictures compared (for the evidence images)."""
    thumb = trim_bars(thumb)
    pairs = [AlignedPair("stretched", thumb.resize(photo.size), photo, (0.0, 0.0, 1.0, 1.0))]
    aligned = registered(thumb, photo)
    if aligned is not None:
        pairs.append(aligned)
    results = [(_compare_pair(pair), pair) for pair in pairs]
    result, pair = max(results, key=lambda r: r[0].correlation)
    return result, pair.thumb, pair.photo


def stretched_correlation(thumb: Image.Image, photo: Image.Image) -> float:
    """Correlation of the whole (bar-trimmed) thumbnail stretched over the whole photo: the cheap first reading."""
    thumb = trim_bars(thumb)
    return _compare_pair(AlignedPair("stretched", thumb.resize(photo.size), photo, (0.0, 0.0, 1.0, 1.0))).correlation


def _normalised(im: Image.Image, size: tuple[int, int]) -> npt.NDArray[np.float64]:
    a = _gray(im, size).astype(np.float64)
    out: npt.NDArray[np.float64] = (a - a.mean()) / (a.std() + 1e-6)
    return out


def _compare_pair(pair: AlignedPair) -> ThumbnailComparison:
    aspect = pair.photo.width / pair.photo.height
    # Never finer than the thumbnail part itself: upscaled, it would have no fine detail to compare.
    width = max(8, min(COMPARE_WIDTH, pair.thumb.width, round(pair.thumb.height * aspect)))
    size = (width, max(8, min(256, round(width / aspect))))
    a, b = _normalised(pair.thumb, size), _normalised(pair.photo, size)
    correlation = float((a * b).mean())
    detail, detail_level = _detail_correlation(a, b)
    diff = np.abs(a - b)
    bh, bw = max(1, size[1] // GRID), max(1, size[0] // GRID)
    changed = np.zeros(diff.shape, dtype=bool)
    worst, blocks, flagged = 0.0, 0, 0
    for gy in range(0, size[1] - bh + 1, bh):
        for gx in range(0, size[0] - bw + 1, bw):
            value = float(diff[gy : gy + bh, gx : gx + bw].mean())
            worst, blocks = max(worst, value), blocks + 1
            if value > BLOCK_DIFF:
                changed[gy : gy + bh, gx : gx + bw] = True
                flagged += 1
    box = (0, 0, 1000, 1000)
    rest = correlation
    if flagged:
        ys, xs = np.nonzero(changed)
        box = (
            int(xs.min()) * 1000 // size[0],
            int(ys.min()) * 1000 // size[1],
            (int(xs.max()) + 1 - int(xs.min())) * 1000 // size[0],
            (int(ys.max()) + 1 - int(ys.min())) * 1000 // size[1],
        )
        keep = ~changed
        if keep.sum() > diff.size // 4:
            ka, kb = a[keep], b[keep]
            rest = float(np.corrcoef(ka, kb)[0, 1]) if ka.std() > 0 and kb.std() > 0 else 0.0
    return ThumbnailComparison(
        correlation, box, worst, 1, flagged / max(1, blocks), rest, pair.alignment, pair.photo_box, detail, detail_level
    )


def _detail_correlation(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> tuple[float, float]:
    da = a - cv2.GaussianBlur(a, (0, 0), DETAIL_SIGMA)
    db = b - cv2.GaussianBlur(b, (0, 0), DETAIL_SIGMA)
    level = float(min(da.std(), db.std()))
    if level < 1e-6:
        return 0.0, level
    return float(np.corrcoef(da.ravel(), db.ravel())[0, 1]), level
