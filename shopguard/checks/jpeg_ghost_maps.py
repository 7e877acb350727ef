"""JPEG ghost maths (Farid 2009) in the DCT domain: which blocks still fit an earlier JPEG save?

Not a check (no ``@register``); ``jpeg_ghost.py`` turns this into findings. H. Farid, "Exposing
digital forgeries from JPEG ghosts", IEEE TIFS 4(1), 2009, re-saves a photo at a range of JPEG
qualities and looks at the difference to the photo, averaged over 16×16 blocks and normalised per
quality: where an area was compressed at quality q0 before, the difference dips at q0 (a "ghost"),
and an area painted or pasted in after that save does not dip there.

We compute the same differences without re-encoding the pixels: JPEG quantises each 8×8 block's
DCT coefficients with a table scaled by the quality (IJG ``jcparam.c``), and the DCT is orthonormal,
so the squared pixel difference of a luma re-save equals the squared quantisation error of the
coefficients (Parseval; up to 8-bit rounding and clipping). We take the decoder's own luma on the
file's 8×8 grid (``JpegLuma``; no resize, which would destroy the grid) and only the 4×4 lowest
frequencies of each block, where the quantisation steps are small enough to survive a later save
and most of the signal is. Each coefficient's error is divided by its step (``12·e²/s²``: ≈ 1 for
values off the step's lattice, ≈ 0 for values on it), which is the per-quality normalisation: the
map no longer depends on how much detail an area has. Coefficients that round to zero say nothing
(zero is on every lattice) and are left out, as are steps not clearly coarser than the last save's
(then the last save alone decides the fit, edited or not).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from shopguard.checks.forensic_maps import BoolMap, FloatMap

MIN_AC_ENERGY = 64.0
"""Sum of squared low AC coefficients a block needs (64 ≈ a pixel spread of 1 grey level). Chosen
on the benchmark: it removed the one false region on an honest q70-then-q95 photo (a near-white
lamp body) and cost 1-2 points of detection (16 and 100 gave 1 false hint and 2 points less)."""
JPEG_BLOCK = 8
LOW = 4
"""The 4×4 lowest frequencies of each block are tested (16 of 64 coefficients)."""
MIN_STEP = 3
"""Smallest quantisation step tested: 8-bit rounding leaves ~0.3 of noise per coefficient, a
misfit of ~0.1 at step 3; at steps 1-2 every value is (nearly) on the lattice."""
GRID_MIN_EXCESS = 1.1
"""A shifted grid must make its block edges 10% stronger than the median phase (cropped q70 saves
measured 1.2-1.3; photos without a shifted grid 0.9-1.07)."""
MIN_USABLE = 8
"""A quality is tested only when at least half of the 16 low steps can show a ghost there; near the
last save's quality only a few steps differ, and a handful of coefficients fit any lattice by chance."""
COARSER_FACTOR = 1.5
"""An earlier step must be at least 1.5× the last save's step to be tested: the last save moves a
coefficient by up to half its own step, which for closer steps blurs any earlier lattice."""
CLIP_MARGIN = 6
"""Blocks with a pixel within 6 levels of 0 or 255 in any RGB channel were (or may have been) clipped
when decoded for editing; clipping moves coefficients off any lattice, so they are not measured."""
CELL_BLOCKS = 2
"""Cells of 2×2 file blocks = 16×16 px, as in Farid's paper."""
SMOOTH_CELLS = 3
"""Misfits are pooled over 3×3 cells (48 px) before judging, so one noisy cell never decides."""

# ITU-T T.81 Annex K table K.1 (luminance), natural order; the IJG library scales it by quality.
_LUMA_K1 = np.array(
    [
        [16, 11, 10, 16, 24, 40, 51, 61],
        [12, 12, 14, 19, 26, 58, 60, 55],
        [14, 13, 16, 24, 40, 57, 69, 56],
        [14, 17, 22, 29, 51, 87, 80, 62],
        [18, 22, 37, 56, 68, 109, 103, 77],
        [24, 35, 55, 64, 81, 104, 113, 92],
        [49, 64, 78, 87, 103, 121, 120, 101],
        [72, 92, 95, 98, 112, 100, 103, 99],
    ],
    dtype=np.int32,
)


def ijg_luma_steps(quality: int) -> npt.NDArray[np.int32]:
    """IJG luma table for ``quality`` (jcparam.c ``jpeg_quality_scaling``, baseline-clamped), 8×8 natural order."""
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    steps: npt.NDArray[np.int32] = np.clip((_LUMA_K1 * scale + 50) // 100, 1, 255).astype(np.int32)
    return steps


def _dct_matrix(n: int) -> npt.NDArray[np.float32]:
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    basis = np.sqrt(2.0 / n) * np.cos((2 * i + 1) * k * np.pi / (2 * n))
    basis[0, :] = np.sqrt(1.0 / n)
    result: npt.NDArray[np.float32] = basis.astype(np.float32)
    return result


@dataclass(frozen=True)
class BlockCoefficients:
    """Low-frequency DCT coefficients of every whole 8×8 block of the file (stored orientation)."""

    coeffs: npt.NDArray[np.float32]
    """Shape (rows, cols, 16): the 4×4 lowest frequencies, in the file's coefficient units."""
    measurable: BoolMap
    """(rows, cols): not clipped, so a lattice fit means something."""


BAND_PX = 1024
"""Rows converted at a time (a multiple of the 8 px JPEG block): bounds the float copies of a 200 MP photo."""

# JFIF YCbCr -> RGB (ITU-T T.871 section 7), as an affine 3×4 matrix on (Y, Cb, Cr, 1).
_YCBCR_TO_RGB = np.array(
    [
        [1.0, 0.0, 1.402, -1.402 * 128],
        [1.0, -0.344136, -0.714136, (0.344136 + 0.714136) * 128],
        [1.0, 1.772, 0.0, -1.772 * 128],
    ],
    dtype=np.float32,
)


def clipped_pixels(luma: npt.NDArray[np.uint8], ycbcr: npt.NDArray[np.uint8] | None) -> BoolMap:
    """Pixels at or near black/white in any RGB channel.

    An editor works in RGB: where a saturated colour (an orange pumpkin, a red label) clips R, G or
    B when the earlier JPEG is decoded, the luma it saves again no longer sits on the earlier
    lattice, edited or not. ``CLIP_MARGIN`` allows for the last save moving a clipped value.
    Converted in bands of ``BAND_PX`` rows, so a 200 MP photo never holds a second full RGB copy.
    """
    low, high = CLIP_MARGIN + 1, 254 - CLIP_MARGIN
    clipped: BoolMap = np.empty(luma.shape[:2], dtype=bool)
    for top in range(0, luma.shape[0], BAND_PX):
        if ycbcr is None:
            inside = cv2.inRange(luma[top : top + BAND_PX], low, high)
        else:
            rgb = cv2.transform(ycbcr[top : top + BAND_PX], _YCBCR_TO_RGB)  # uint8 output saturates: the point
            inside = cv2.inRange(rgb, (low, low, low), (high, high, high))
        clipped[top : top + BAND_PX] = inside == 0
    return clipped


def block_coefficients(luma: npt.NDArray[np.uint8], clipped: BoolMap) -> BlockCoefficients:
    """The 4×4 lowest DCT frequencies of every whole 8×8 block (JPEG level shift and scaling).

    Separable: one stacked matrix product takes each band of 8 rows to 4 vertical frequencies,
    then ``cv2.transform`` takes each run of 8 columns to 4 horizontal ones (about 15 ms for 12 MP;
    a per-block product took 200 ms). Done in bands of ``BAND_PX`` pixel rows: the float
    intermediates of a whole 200 MP photo took 2.5 GB, a band takes a few tens of MB.
    """
    rows, cols = luma.shape[0] // JPEG_BLOCK, luma.shape[1] // JPEG_BLOCK
    basis = _dct_matrix(JPEG_BLOCK)[:LOW]  # (4, 8)
    flat: npt.NDArray[np.float32] = np.empty((rows, cols, LOW * LOW), dtype=np.float32)
    measurable: BoolMap = np.empty((rows, cols), dtype=bool)
    band_rows = BAND_PX // JPEG_BLOCK
    for first in range(0, rows, band_rows):
        last = min(rows, first + band_rows)
        top, bottom = first * JPEG_BLOCK, last * JPEG_BLOCK
        pixels = luma[top:bottom, : cols * JPEG_BLOCK]
        bands = pixels.astype(np.float32).reshape(last - first, JPEG_BLOCK, cols * JPEG_BLOCK)
        vertical = np.ascontiguousarray(np.matmul(basis, bands))  # (rows, 4 vertical freqs, width)
        both = cv2.transform(vertical.reshape(-1, 1, JPEG_BLOCK), basis)  # (rows*4*cols, 1, 4 horizontal freqs)
        coeffs = both.reshape(last - first, LOW, cols, LOW).transpose(0, 2, 1, 3)  # (r, c, vertical, horizontal)
        flat[first:last] = coeffs.reshape(last - first, cols, LOW * LOW)
        clipped_u8 = clipped[top:bottom, : cols * JPEG_BLOCK].astype(np.uint8) * np.uint8(255)
        # Block "any clipped pixel" via an area resize (a block mean), ~20× faster than numpy's strided min/max.
        measurable[first:last] = cv2.resize(clipped_u8, (cols, last - first), interpolation=cv2.INTER_AREA) == 0
    flat[..., 0] -= 128.0 * JPEG_BLOCK  # JPEG's level shift (T.81 A.3.1) only moves the DC term
    # Flat blocks round all their pixels the same way when decoded, which moves the DC term by up
    # to 4 (8 × 0.5) coherently instead of averaging out: they would read as "off the lattice".
    activity = np.einsum("rck,rck->rc", flat[..., 1:], flat[..., 1:])
    measurable &= activity >= MIN_AC_ENERGY
    return BlockCoefficients(flat, measurable)


def earlier_grid_offset(luma: npt.NDArray[np.uint8]) -> tuple[int, int]:
    """(x, y) phase of a JPEG block grid other than the file's own, or (0, 0) when none stands out.

    A photo cropped between two saves carries the earlier save's 8×8 grid shifted against the
    last one. JPEG block edges show as larger pixel steps between columns (rows) at one phase
    modulo 8, the block artefact grid (cf. Li, Yuan, Yu, "Passive detection of doctored JPEG image
    via block artifact grid extraction", Signal Processing 89(9), 2009). We take the strongest
    phase per axis when it stands ``GRID_MIN_EXCESS`` above the median phase and is not 0.
    """
    return _phase(luma[::4, :]), _phase(luma[:, ::4].T)


def _phase(lines: npt.NDArray[np.uint8]) -> int:
    if lines.shape[1] < 4 * JPEG_BLOCK:
        return 0
    steps = np.abs(np.diff(lines.astype(np.int16), axis=1)).mean(axis=0)  # steps[i]: edge before column i+1
    edge_phase = (np.arange(steps.size) + 1) % JPEG_BLOCK
    strength = np.array([steps[edge_phase == k].mean() for k in range(JPEG_BLOCK)])
    best = int(np.argmax(strength))
    if best == 0 or strength[best] < GRID_MIN_EXCESS * float(np.median(strength)):
        return 0
    return best


def usable_steps(quality: int, last_steps: npt.NDArray[np.int32]) -> tuple[npt.NDArray[np.bool_], FloatMap]:
    """Which of the 16 low coefficients can show a ghost at ``quality``, and their steps.

    A step is usable when it is at least ``MIN_STEP`` and clearly coarser than the last save's step
    (``last_steps``, 8×8 natural order from the file's DQT): a finer or equal step lets the last
    save alone put every area, edited or not, on (or near) its lattice. An earlier save survives a
    later one only when the later steps are finer (Farid 2009, section 2).
    """
    steps = ijg_luma_steps(quality)[:LOW, :LOW].reshape(-1)
    last = last_steps[:LOW, :LOW].reshape(-1)
    usable = (steps >= MIN_STEP) & (steps >= COARSER_FACTOR * last)
    return usable, steps.astype(np.float32)


def misfit_sums(
    coeffs: npt.NDArray[np.float32], quality: int, last_steps: npt.NDArray[np.int32]
) -> tuple[FloatMap, FloatMap]:
    """Per block: the summed normalised misfit ``12·e²/s²`` and how many coefficients were informative."""
    usable, steps = usable_steps(quality, last_steps)
    if not usable.any():
        empty = np.zeros(coeffs.shape[:-1], np.float32)
        return empty, empty
    values = coeffs[..., usable]
    step = steps[usable]
    error = values - step * np.round(values / step)
    informative = np.abs(values) >= 0.5 * step
    misfit = np.where(informative, 12.0 * (error / step) ** 2, 0.0)
    return misfit.sum(axis=-1, dtype=np.float32), informative.sum(axis=-1).astype(np.float32)


@dataclass(frozen=True)
class GhostSweep:
    """The photo-wide misfit at each tested quality (Farid's difference curve, normalised)."""

    qualities: tuple[int, ...]
    misfit: tuple[float, ...]
    ghost_quality: int | None
    ghost_misfit: float


def sweep_qualities(
    blocks: BlockCoefficients,
    last_steps: npt.NDArray[np.int32],
    qualities: Sequence[int],
    sample_stride: int,
    min_informative: int,
    between: Callable[[], None],
) -> GhostSweep:
    """Photo-wide misfit per quality on every ``sample_stride``-th measurable block; the lowest is the ghost.

    Qualities whose 4×4 low steps are the same as an already tested one are skipped (they give the
    same number); a quality counts only when at least ``MIN_USABLE`` of the 16 steps are usable.
    ``between`` runs between qualities (the caller's cancellation check).
    """
    sample = blocks.coeffs[blocks.measurable][::sample_stride]
    tested: list[int] = []
    curve: list[float] = []
    seen: set[bytes] = set()
    for quality in qualities:
        between()
        usable, steps = usable_steps(quality, last_steps)
        key = steps.tobytes()
        if int(usable.sum()) < MIN_USABLE or key in seen:
            continue
        seen.add(key)
        sums, counts = misfit_sums(sample, quality, last_steps)
        total = float(counts.sum())
        if total < min_informative:
            continue
        tested.append(quality)
        curve.append(float(sums.sum()) / total)
    if not curve:
        return GhostSweep((), (), None, 1.0)
    best = int(np.argmin(curve))
    return GhostSweep(tuple(tested), tuple(curve), tested[best], curve[best])


def same_step_qualities(quality: int, candidates: Sequence[int]) -> tuple[int, int]:
    """The range of ``candidates`` whose 4×4 low luma steps equal ``quality``'s (they cannot be told apart)."""
    target = ijg_luma_steps(quality)[:LOW, :LOW]
    alike = [q for q in candidates if np.array_equal(ijg_luma_steps(q)[:LOW, :LOW], target)]
    return min(alike), max(alike)


@dataclass(frozen=True)
class GhostMap:
    """Pooled misfit per 16×16 px cell at the ghost quality (stored orientation)."""

    misfit: FloatMap
    valid: BoolMap


def ghost_map(
    blocks: BlockCoefficients, quality: int, last_steps: npt.NDArray[np.int32], min_informative: int
) -> GhostMap:
    """Misfit at ``quality`` per cell, pooled over ``SMOOTH_CELLS``² cells; cells with too few informative
    coefficients are not valid."""
    sums, counts = misfit_sums(blocks.coeffs, quality, last_steps)
    sums = np.where(blocks.measurable, sums, 0.0).astype(np.float32)
    counts = np.where(blocks.measurable, counts, 0.0).astype(np.float32)
    rows, cols = sums.shape[0] // CELL_BLOCKS, sums.shape[1] // CELL_BLOCKS
    if rows == 0 or cols == 0:
        empty = np.zeros((max(rows, 0), max(cols, 0)), np.float32)
        return GhostMap(empty, empty.astype(bool))

    def cells(values: FloatMap) -> FloatMap:
        cropped = values[: rows * CELL_BLOCKS, : cols * CELL_BLOCKS]
        pooled: FloatMap = cropped.reshape(rows, CELL_BLOCKS, cols, CELL_BLOCKS).sum(axis=(1, 3), dtype=np.float32)
        return pooled

    window = (SMOOTH_CELLS, SMOOTH_CELLS)
    cell_sums = cv2.boxFilter(cells(sums), -1, window, normalize=False, borderType=cv2.BORDER_CONSTANT)
    cell_counts = cv2.boxFilter(cells(counts), -1, window, normalize=False, borderType=cv2.BORDER_CONSTANT)
    valid = cell_counts >= min_informative
    misfit = np.where(valid, cell_sums / np.maximum(cell_counts, 1.0), 0.0).astype(np.float32)
    return GhostMap(misfit, valid)
