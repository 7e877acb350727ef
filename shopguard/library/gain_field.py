"""A smooth brightness field laid over a whole copy: a filter's vignette, a light gradient.

Phone filters (Meitu, Instagram-style "film" looks) darken the corners of a photo they otherwise leave alone, and
an editor's "light" gradient brightens one side. Such a field multiplies every pixel by a gain that changes slowly
across the whole photo (a lens or a filter's fall-off is smooth: no edge, no corner). The global colour map of
``colour_fit`` is one map for every pixel, so it cannot follow it: an untouched copy with a 30% vignette read as
"changed" along every darkened edge (session 13: 15 of 16 untouched filtered copies had regions).

The field is fitted as a gradient and a centred vignette in the photo's coordinates (three numbers)
to the complaint's log grey, beside a level and a contrast per channel on the listing's log RGB, robustly
(pixels off the surface by more than OUTLIER robust deviations are left out and the fit repeated). Three numbers
spread over the whole photo cannot draw a painted defect, which is local and has edges: a stain, a crack or a
mould patch stays in the residual the change map reads. The field is used only when it changes the brightness by
at least MIN_GAIN_RANGE across the compared area; a copy without one is compared exactly as before.
"""

from __future__ import annotations

import numpy as np

from shopguard.library.colour_fit import least_squares

MIN_GAIN_RANGE = 0.10
"""Least brightness change (as a ratio, over the measured places) of a field worth taking out: 10%, above what a
colour map's misfit leaves when it happens to follow the photo's layout (a clipping colour edit of a yellow bag on
white: 8%, and its field made a false region), under a filter's vignette (20-45% at the corners)."""
DARK, BRIGHT = 24.0, 248.0
"""The complaint's grey levels between which a ratio is measured: in the darks a level of JPEG noise is a large
ratio, and a clipped white says only "at least". The listing's white is measured (the app multiplied the stored
255 of a white backdrop, which is what darkens a vignetted backdrop's corners); its channels must stay above
DARK / 4, where a log is still steady."""
OUTLIER = 2.5
"""Robust deviations (1.4826 x median absolute deviation) beyond which a pixel is left out of the next fit."""
PASSES = 4
MAX_SPREAD_LEFT = 0.8
"""A field must leave at most 80% of the residual's robust spread that the level and the channels' contrasts
alone leave. A vignette of 10-20% on a backdrop or a textured photo leaves 5-60% (measured: 0.05, 0.09, 0.6 on a
patterned carpet); a sharpened or merely re-saved copy's best surface leaves 97-103%: it fitted texture, not
light."""
GRID = 4
"""Every GRID-th pixel in each direction is sampled (a 1024 px photo: ~50,000 points for seven numbers)."""
MIN_POINTS = 500
MIN_CELL_MEASURED, CELL_SHARE = 0.2, 0.05
"""A field needs measured points on at least 20% of each ninth of the frame holding at least 5% of the compared
area (``_covers``)."""


def _terms(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The field's terms at normalised coordinates (-1..1): a level, a light gradient (x, y) and a vignette centred
    on the photo (x^2 + y^2, the fall-off every filter and lens centres on the frame's middle)."""
    return np.stack([np.ones_like(xs), xs, ys, xs * xs + ys * ys], axis=-1)


def _covers(measured: np.ndarray, compared: np.ndarray) -> bool:
    """Whether the measured points lie all over the compared area: in each of the 3 x 3 cells of the frame that
    holds a fair part of the compared area (CELL_SHARE), at least MIN_CELL_MEASURED of its points are measured. A
    vignette or gradient is everywhere and darkens a white backdrop's corners into measurable levels; where the
    complaint stayed clipped white (a product whose backdrop the buyer left alone) nothing says a field is there,
    and a surface fitted to the product alone (a translucent mould patch on it) is a local change."""
    total = np.bincount(compared, minlength=9)
    seen = np.bincount(measured, minlength=9)
    fair = total >= CELL_SHARE * max(1, int(total.sum()))
    return bool(np.all(seen[fair] >= MIN_CELL_MEASURED * total[fair]))


def _robust_fit(design: np.ndarray, values: np.ndarray) -> tuple[float, np.ndarray, np.ndarray | None]:
    """(The residual's robust spread, the coefficients, the points used) of a least-squares fit repeated without
    the points beyond OUTLIER robust deviations; no points used when too few are left."""
    design = np.ascontiguousarray(design)  # the level-and-channels fit is given a slice of the columns
    used = np.ones(values.shape, bool)
    coef = np.zeros(design.shape[1])
    spread = 0.0
    for _ in range(PASSES):
        if int(used.sum()) < MIN_POINTS:
            return spread, coef, None
        # By the normal equations (7 x 7), not an SVD of the ~50,000 rows: ~4 ms a fit, 8 fits a change map; the
        # rows gathered by np.compress (the same rows as boolean indexing, several times faster on (n, 7) arrays).
        coef = least_squares(np.compress(used, design, axis=0), values[used])
        residual = values - design @ coef
        kept = residual[used]
        spread = 1.4826 * float(np.median(np.abs(kept - np.median(kept))))
        used = np.abs(residual) <= OUTLIER * max(spread, 1e-3)
    return spread, coef, used


def _normalised(px: np.ndarray, size: int) -> np.ndarray:
    """Pixel coordinates along a side of ``size`` px as -1 (first px) .. 1 (last px)."""
    out: np.ndarray = px.astype(np.float64) / max(1, size - 1) * 2 - 1
    return out


def _cells(nx: np.ndarray, ny: np.ndarray) -> np.ndarray:
    """The 3 x 3 cell (0-8) of the frame each point at normalised coordinates lies in."""
    cells: np.ndarray = np.clip(((nx + 1) * 1.5).astype(int), 0, 2) * 3 + np.clip(((ny + 1) * 1.5).astype(int), 0, 2)
    return cells


def gain_field(complaint_grey: np.ndarray, listing_rgb: np.ndarray, overlap: np.ndarray) -> np.ndarray | None:
    """The smooth gain (complaint over listing, float32, the photos' shape) the complaint's brightness follows
    across the compared area, or None when it stays within MIN_GAIN_RANGE (no field worth taking out).

    Args:
        complaint_grey: the complaint's grey levels (float, 0-255).
        listing_rgb: the aligned listing's RGB levels (float, 0-255), before any colour map.
        overlap: the compared area (bool).
    """
    h, w = complaint_grey.shape
    ys, xs = np.mgrid[0:h:GRID, 0:w:GRID]
    c = complaint_grey[::GRID, ::GRID]
    channels = listing_rgb[::GRID, ::GRID].astype(np.float64)
    keep = overlap[::GRID, ::GRID] & (c > DARK) & (c < BRIGHT) & (channels.min(axis=2) > DARK / 4)
    if int(keep.sum()) < MIN_POINTS:
        return None
    nx, ny = _normalised(xs[keep], w), _normalised(ys[keep], h)
    # log c = level + a contrast per channel * log l_rgb + field(x, y), on the listing as it is (no colour map): the
    # channel terms follow a global colour edit (brightness, contrast, white balance), the field what depends on the
    # place. Against a colour map fitted with the vignette still in the complaint, the field was half hidden (a
    # vignetted white backdrop maps to one mid grey, brighter than the corners and darker than the centre).
    log_listed = np.log(channels[keep] + 1.0)
    design = np.column_stack([log_listed, _terms(nx, ny)])
    log_c = np.log(c[keep].astype(np.float64))
    inside = overlap[::GRID, ::GRID]
    covered = _covers(
        _cells(nx, ny), _cells(*(v[inside].astype(np.float64) / max(1, n - 1) * 2 - 1 for v, n in ((xs, w), (ys, h))))
    )
    if not covered:  # decided before the fits, which it does not depend on (they are most of the cost)
        return None
    flat_spread, _, _ = _robust_fit(design[:, :4], log_c)
    spread, coef, used = _robust_fit(design, log_c)
    # A field is there only when it explains the copy's brightness differences: taking it out must cut the
    # residual's spread. Texture a sharpening or a re-save changed leaves a spread no smooth surface reduces.
    if used is None or spread > MAX_SPREAD_LEFT * flat_spread:
        return None
    # The field is known only where it was measured: a product on a white backdrop that stayed white gives ratios
    # on the product alone, and a quadratic surface extrapolated from there into the corners could be anything.
    # So the field takes no gain beyond those it has at the measured points.
    spatial = coef[4:]  # the field: the terms in x and y (not the level, not the channels' contrasts)
    at_points = design[:, 4:] @ spatial  # every place measured (a point the fit left out is still a place)
    low, high = float(at_points.min()), float(at_points.max())  # a smooth surface: its extremes are not noise
    if float(np.exp(high - low)) - 1.0 < MIN_GAIN_RANGE:
        return None
    gx, gy = np.meshgrid(_normalised(np.arange(w), w), _normalised(np.arange(h), h))
    log_gain = np.clip(_terms(gx, gy)[..., 1:] @ spatial, low, high)
    # The field's overall level is the colour map's business: centre it so the map keeps its meaning.
    field: np.ndarray = np.exp(log_gain - float(np.median(at_points))).astype(np.float32)
    return field
