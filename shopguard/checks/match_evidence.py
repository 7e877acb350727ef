"""Evidence images for a verified library match: side by side, changed region outlined, heat map,
aligned listing photo. Every image is an annotated copy and carries a caption band saying so.

Written as JPEG q85 at most 1200 px: PDF embedding of JPEG files is fast and small
(../shared/PERFORMANCE.md, PDF section).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import EvidenceImage
from shopguard.library.region_diff import ChangeMap

BAND_TEXT = "ShopGuard annotated copy"
OUTLINE = (255, 0, 64)
MAX_SIDE = 1200


def _band_px(picture_height: int) -> int:
    return max(16, picture_height // 28)


def band_height_px(banded_height: int) -> int:
    """Height of the caption band at the bottom of an image of ``banded_height`` px written here.

    The report replaces the band with its own bilingual "annotated copy" stamp (one marking per
    picture), so it needs the band's size; 0 when no picture height gives ``banded_height``.
    """
    for band in range(16, banded_height // 28 + 18):
        if band == _band_px(banded_height - band):
            return band
    return 0


def _banded(rgb: np.ndarray) -> Image.Image:
    """Add a caption band below the picture marking it as an annotated copy, not an original."""
    im = Image.fromarray(rgb)
    if max(im.size) > MAX_SIDE:
        im.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    band = _band_px(im.height)
    out = Image.new("RGB", (im.width, im.height + band), (30, 30, 30))
    out.paste(im, (0, 0))
    ImageDraw.Draw(out).text((6, im.height + band // 2 - 6), BAND_TEXT, fill=(255, 255, 255))
    return out


def _outlined(change: ChangeMap) -> np.ndarray:
    out = change.complaint.copy()
    thick = max(2, min(out.shape[:2]) // 200)
    contours, _ = cv2.findContours(change.changed.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(out, contours, -1, OUTLINE, thick)
    for x, y, w, h in change.regions:
        s = change.work_scale
        cv2.rectangle(
            out,
            (round(x * s), round(y * s)),
            (round((x + w) * s), round((y + h) * s)),
            (255, 210, 0),
            max(1, thick // 2),
        )
    return out


def _heat(change: ChangeMap) -> np.ndarray:
    heat = cv2.applyColorMap((change.heat * 255).astype(np.uint8), cv2.COLORMAP_JET)[:, :, ::-1]
    gray = cv2.cvtColor(cv2.cvtColor(change.complaint, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    mixed = (0.45 * gray + 0.55 * heat).astype(np.uint8)
    mixed[~change.overlap] = (gray[~change.overlap] * 0.4).astype(np.uint8)  # not compared: dimmed
    return mixed


def _listing_shown(change: ChangeMap) -> np.ndarray:
    """The aligned listing photo as evidence pictures show it: as sharp as the complaint beside it."""
    return change.listing_shown if change.listing_shown is not None else change.aligned_listing


def _side_by_side(change: ChangeMap) -> np.ndarray:
    listing = _listing_shown(change).copy()
    listing[~change.overlap] = 40
    gap = np.full((listing.shape[0], 12, 3), 255, np.uint8)
    return np.hstack([_outlined(change), gap, listing])  # buyer's photo left, as in the report's own pairs


ZOOM_SIDE = 480
"""Side (px) of each half of the enlarged crop: a 3 px crack in a 4,000 px photo is invisible in a 1,200 px page
image, and a mould patch at 40% opacity hard to see."""
FAINT_SHARE = 0.5
"""A region at least half of whose pixels only the thin/faint tests found is shown enlarged too."""


def _zoom_target(change: ChangeMap) -> tuple[int, int, int, int] | None:
    """The working-px box of the first region that is thin or faint (None when there is none)."""
    s = change.work_scale
    h, w = change.changed.shape
    for x, y, bw, bh in change.regions:
        x0, y0 = round(x * s), round(y * s)
        x1, y1 = min(w, round((x + bw) * s) + 1), min(h, round((y + bh) * s) + 1)
        inside = change.changed[y0:y1, x0:x1]
        faint = change.faint[y0:y1, x0:x1] if change.faint is not None else np.zeros_like(inside)
        if inside.any() and float(faint[inside].mean()) >= FAINT_SHARE:
            return x0, y0, x1 - x0, y1 - y0
    return None


def _zoom(change: ChangeMap) -> np.ndarray | None:
    """The complaint and the aligned listing cut around a thin or faint region, enlarged side by side, the
    region outlined on the complaint."""
    target = _zoom_target(change)
    if target is None:
        return None
    x, y, bw, bh = target
    h, w = change.changed.shape
    side = max(bw, bh, 24) * 1.6  # some surroundings, so the reviewer sees where it is
    cx, cy = x + bw / 2, y + bh / 2
    x0, y0 = max(0, round(cx - side / 2)), max(0, round(cy - side / 2))
    x1, y1 = min(w, round(cx + side / 2)), min(h, round(cy + side / 2))
    factor = ZOOM_SIDE / max(x1 - x0, y1 - y0)
    size = (max(1, round((x1 - x0) * factor)), max(1, round((y1 - y0) * factor)))
    buyer = cv2.resize(change.complaint[y0:y1, x0:x1], size, interpolation=cv2.INTER_CUBIC)
    listing = cv2.resize(_listing_shown(change)[y0:y1, x0:x1], size, interpolation=cv2.INTER_CUBIC)
    mask = cv2.resize(change.changed[y0:y1, x0:x1].astype(np.uint8), size, interpolation=cv2.INTER_NEAREST)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(buyer, contours, -1, OUTLINE, 2)
    gap = np.full((size[1], 12, 3), 255, np.uint8)
    return np.hstack([buyer, gap, listing])


def write_match_images(ctx: CheckContext, change: ChangeMap, has_change: bool) -> list[EvidenceImage]:
    """Write the evidence images for a verified match into the check's artifact folder.

    Returns:
        The images (none when the context has no artifact folder).
    """
    if ctx.artifact_dir is None:
        return []
    images = [
        ("side-by-side", _side_by_side(change), "caption.library.side_by_side"),
        ("listing", _listing_shown(change), "caption.library.listing_aligned"),
    ]
    if has_change:
        images += [
            ("changed-outline", _outlined(change), "caption.library.changed_outline"),
            ("heatmap", _heat(change), "caption.library.heatmap"),
        ]
        zoom = _zoom(change)
        if zoom is not None:
            images.append(("changed-zoom", zoom, "caption.library.changed_zoom"))
    out = []
    for kind, rgb, caption in images:
        path: Path = ctx.artifact_path(f"library-match-{kind}.jpg")
        _banded(rgb).save(path, quality=85)
        out.append(EvidenceImage(kind, str(path), caption))
    return out
