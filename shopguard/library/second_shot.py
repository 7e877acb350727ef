"""A second exposure of the same scene, or a copy of the listing photo with something painted on it?

Both align with the listing photo and both leave a "changed" area. What fills that area tells them apart:

- Between two exposures the scene moves: the hand and the product held in it turn, the camera moves a little
  and the shelf behind shifts against the product (parallax: the shift depends on each point's depth, so no one
  transform aligns both). The changed area then shows the listing's *own content, displaced*: a local shift
  (optical flow) of the aligned listing photo reproduces it.
- A buyer's edit of a copy adds content the listing photo never had (a stain, a crack, a tear's backing, a
  tint, a dent's shading): no shift of the listing reproduces it. The one edit that does move listing content,
  a copy-move (a patch cloned to another place), leaves its source in place: the content is then in the complaint
  twice, while motion takes it away from where it was.

``moved_share`` is the share of the clearly changed, textured part of the changed area that the listing photo
shifted by >= MIN_SHIFT px explains, not counting content that still shows at its source (a duplicate).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_SHIFT = 1.0
"""Working px a pixel's content must have moved to count as moved: a re-saved, resized or turned copy polished
by ECC is aligned to a fraction of a pixel (DIS flow outside the changes of the benchmark's copies: median
<= 0.4 px), a carton turned in the hand or a shelf seen from another spot moves by several px (median 9-29 px in
the grocery second shots)."""
CLEAR_CHANGE = 20.0
"""Grey levels (after a 1.2 px blur, as the change map compares) by which a pixel must differ from the aligned
listing to be judged: weaker differences (a faint mould patch, a dent's shading) are tints, not displaced
content, and JPEG q40 noise after the blur stays well under it."""
EXPLAINED_LEVELS = 8.0
EXPLAINED_SHARE = 0.35
"""A displaced listing explains a pixel when it comes within 8 grey levels of the complaint (re-save noise
after the blur) or cuts the difference to under 35% of what it was without the shift."""
TEXTURE_SD = 6.0
"""Local grey standard deviation (sigma 2 px) under which a place has too little texture to show where its
content went (a flat hand, a white backdrop): optical flow there is a guess."""
ROUND_TRIP_PX = 1.5
ROUND_TRIP_SHARE = 0.25
"""A moved pixel's round trip (its shift plus the reverse shift found at its source) must end within 1.5 px or a
quarter of the shift of where it started: the two flows are measured independently and each is good to about a
pixel on texture."""

SECOND_EXPOSURE_SHARE = 0.2
"""At least a fifth of what clearly differs must be the listing's content moved: between two exposures most of the
difference is motion. Measured (benchmarks/second_shots.py): the real grocery second shots that come close to a
derivation (SSIM outside the changes >= 0.95) measure 0.32-0.77, the two that passed as derived 0.74-0.77. Copies
with a painted stain, crack, tear or clone stay under 0.14 at seed 3 but reach 0.27 at seed 4 (a small stain whose
edges round-trip onto look-alike edges of a busy print): this share alone does not separate, the area below does."""
SECOND_EXPOSURE_AREA = 0.02
"""...and the moved content must cover 2% of the compared area. A turned carton or a shelf seen from another spot
moves a large part of the photo (>= 0.072 in the grocery second shots close to a derivation); the stray round trips
along a painted edge or a clone cover at most 0.007 in every copy measured (two seeds). 0.02 is ~3x above the one
and ~3.5x below the other. The price: a second shot in which only something smaller than 2% of the photo moved
still reads as derived."""


@dataclass(frozen=True)
class SceneMotion:
    """How much of a change map's changed area is the listing's own content moved (see the module doc)."""

    judged_share: float
    """Share of the compared area that is changed, clearly different and textured (the part judged)."""
    moved_share: float
    """Share of the judged part explained by the listing's content shifted >= MIN_SHIFT px, duplicates left out."""
    moved_area_share: float
    """The moved pixels over the whole compared area."""
    shift_px: float
    """Median shift of the moved pixels, full-resolution px of the complaint."""
    borrowed_share: float
    """Share of the explained pixels whose source does not map back to them (content borrowed, not moved)."""

    @property
    def second_exposure(self) -> bool:
        """Most of what clearly differs is the listing's content moved, over a part of the photo no painted
        edge explains (see SECOND_EXPOSURE_SHARE and SECOND_EXPOSURE_AREA)."""
        return self.moved_share >= SECOND_EXPOSURE_SHARE and self.moved_area_share >= SECOND_EXPOSURE_AREA


def scene_motion(
    complaint: np.ndarray, aligned_listing: np.ndarray, overlap: np.ndarray, changed: np.ndarray, work_scale: float
) -> SceneMotion:
    """Measure how much of ``changed`` the aligned listing photo explains once locally shifted.

    Args:
        complaint, aligned_listing: RGB uint8 at working size (the listing aligned and colour-mapped).
        overlap, changed: the compared area and the changed pixels (bool, working size).
        work_scale: working px per full-resolution complaint px.
    """
    c8 = cv2.cvtColor(complaint, cv2.COLOR_RGB2GRAY)
    l8 = cv2.cvtColor(aligned_listing, cv2.COLOR_RGB2GRAY)
    # DIS (Kroeger et al., ECCV 2016): coarse-to-fine patch flow, finds shifts of tens of px in ~20 ms at 1024 px.
    h, w = c8.shape
    dis = cv2.DISOpticalFlow.create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    flow = np.asarray(dis.calc(c8, l8, np.zeros((h, w, 2), np.float32)), dtype=np.float32)
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    sx, sy = gx + flow[..., 0], gy + flow[..., 1]
    shifted = cv2.remap(l8, sx, sy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    def blur(x: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(x.astype(np.float32), (0, 0), 1.2)

    cb, lb = blur(c8), blur(l8)
    before = np.abs(cb - lb)
    after = np.abs(cb - blur(shifted))
    g = c8.astype(np.float32)
    sd = np.sqrt(np.maximum(cv2.GaussianBlur(g * g, (0, 0), 2) - cv2.GaussianBlur(g, (0, 0), 2) ** 2, 0))
    area = max(1, int(overlap.sum()))
    judged = changed & overlap & (sd > TEXTURE_SD) & (before >= CLEAR_CHANGE)
    n_judged = int(judged.sum())
    moved = (
        judged
        & (np.linalg.norm(flow, axis=2) >= MIN_SHIFT)
        & (after < np.maximum(EXPLAINED_LEVELS, EXPLAINED_SHARE * before))
    )
    # Motion moves content: what was at the source has gone, and the reverse flow (listing -> complaint) there
    # points back (forward-backward consistency). Content borrowed from a place that still shows it (a copy-move,
    # or a painted edge matched to a look-alike edge nearby) has a reverse flow of ~0 at its source.
    back = np.asarray(dis.calc(l8, c8, np.zeros((h, w, 2), np.float32)), dtype=np.float32)
    ys, xs = np.nonzero(moved)
    fwd = flow[ys, xs]
    src_x = np.clip(np.rint(sx[ys, xs]).astype(np.int64), 0, w - 1)
    src_y = np.clip(np.rint(sy[ys, xs]).astype(np.int64), 0, h - 1)
    mags = np.linalg.norm(fwd, axis=1)
    returns = np.linalg.norm(fwd + back[src_y, src_x], axis=1) < np.maximum(ROUND_TRIP_PX, ROUND_TRIP_SHARE * mags)
    n_moved = int(moved.sum())
    kept = int(returns.sum())
    mags = mags[returns]
    return SceneMotion(
        judged_share=n_judged / area,
        moved_share=kept / n_judged if n_judged else 0.0,
        moved_area_share=kept / area,
        shift_px=float(np.median(mags)) / work_scale if mags.size else 0.0,
        borrowed_share=(n_moved - kept) / n_moved if n_moved else 0.0,
    )
