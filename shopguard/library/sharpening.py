"""Sharpening over a whole copy: a phone's "enhance", an editor's unsharp mask or "clarity".

Sharpening adds to every pixel a multiple of its own detail at one scale: out = in + k * (in - blur_sigma(in))
(the unsharp mask; phone pipelines and "clarity" sliders are variations of it). The copy then differs from the
listing by the listing's own detail, most along its edges and print, which the thin-line test reads as new
strokes beside every letter (session 13: 4 of 16 untouched sharpened copies had regions).

The amount is measured, not guessed: the residual (complaint minus colour-mapped listing) is regressed on the
listing's detail at a few scales. An untouched sharpened copy's residual *is* that detail (correlation 0.5-0.9); a
painted defect is new content that the listing's detail does not predict, so it stays in the residual, and an
unsharpened copy correlates near zero (JPEG's loss correlates slightly negatively: that is not taken out here,
the change map was built for it). The listing is sharpened the same way only when the correlation and the amount
say so (MIN_CORRELATION, MIN_AMOUNT).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

SIGMAS = (0.7, 1.2, 2.0, 3.0)
"""Unsharp-mask radii tried (Gaussian sigma, working px): phone pipelines sharpen at about a pixel, editors'
"unsharp mask" at 1-3 px and "clarity" wider."""
MIN_CORRELATION = 0.35
"""Least correlation of the residual with the listing's detail: the residual of an untouched copy that was not
sharpened correlates at 0.0-0.15 (JPEG noise, half a pixel of misalignment); a sharpened one at 0.5 and more."""
MIN_AMOUNT = 0.15
"""Least amount k worth applying: 15% more detail, a mild phone "enhance"; below it the residual is JPEG-sized."""
OUTLIER = 4.0
"""Robust deviations beyond which a pixel (a painted defect, an edge off by a pixel) is left out of the refit."""
GRID = 4
"""The fit samples every fourth working px each way (~50,000 of a 1024 x 768 photo, for two numbers per radius): every
second one cost ~55 ms of the change map on the 12 MP benchmark, for the same amounts to the second decimal."""


@dataclass(frozen=True)
class Sharpening:
    """An unsharp mask: ``amount`` times the detail at Gaussian ``sigma`` (working px) added to every pixel."""

    sigma: float
    amount: float
    correlation: float

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        """``rgb`` (float32, 0-255) sharpened as the buyer's app sharpened it, clipped to 0-255."""
        detail = rgb - cv2.GaussianBlur(rgb, (0, 0), self.sigma, borderType=cv2.BORDER_REPLICATE)
        sharp: np.ndarray = np.clip(rgb + self.amount * detail, 0, 255).astype(np.float32)
        return sharp


def sharpening(complaint_grey: np.ndarray, listing_grey: np.ndarray, overlap: np.ndarray) -> Sharpening | None:
    """The unsharp mask that turns the colour-mapped listing's grey (unblurred, float32) into the complaint's over
    the compared area, or None when the complaint was not sharpened (MIN_CORRELATION, MIN_AMOUNT)."""
    inner = cv2.erode(overlap.astype(np.uint8), np.ones((7, 7), np.uint8))[::GRID, ::GRID] > 0
    if int(inner.sum()) < 1000:
        return None
    residual = (complaint_grey - listing_grey)[::GRID, ::GRID][inner].astype(np.float64)
    residual -= float(np.median(residual))
    best: Sharpening | None = None
    for sigma in SIGMAS:
        detail = (listing_grey - cv2.GaussianBlur(listing_grey, (0, 0), sigma))[::GRID, ::GRID][inner]
        found = _fit(residual, detail.astype(np.float64))
        if found is None:
            continue
        amount, correlation = found
        if correlation >= MIN_CORRELATION and amount >= MIN_AMOUNT and (best is None or correlation > best.correlation):
            best = Sharpening(sigma, amount, correlation)
    return best


def _fit(residual: np.ndarray, detail: np.ndarray) -> tuple[float, float] | None:
    """(amount, correlation) of ``residual`` on ``detail``, refitted once without the pixels the first fit leaves far
    off (a painted defect, an edge off by a pixel); None when the listing has no detail at that scale."""
    used = np.ones(residual.shape, bool)
    amount, correlation = 0.0, 0.0
    for _ in range(2):
        d, r = detail[used], residual[used]
        energy = float((d * d).sum())
        if energy <= 0:
            return None
        amount = float((r * d).sum()) / energy
        correlation = float((r * d).sum()) / max(1e-9, float(np.sqrt(energy * (r * r).sum())))
        left = residual - amount * detail
        spread = 1.4826 * float(np.median(np.abs(left - np.median(left))))
        used = np.abs(left) <= OUTLIER * max(spread, 0.5)
    return amount, correlation
