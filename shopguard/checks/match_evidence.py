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


def _side_by_side(change: ChangeMap) -> np.ndarray:
    listing = change.aligned_listing.copy()
    listing[~change.overlap] = 40
    gap = np.full((listing.shape[0], 12, 3), 255, np.uint8)
    return np.hstack([_outlined(change), gap, listing])  # buyer's photo left, as in the report's own pairs


def write_match_images(ctx: CheckContext, change: ChangeMap, has_change: bool) -> list[EvidenceImage]:
    """Write the evidence images for a verified match into the check's artifact folder.

    Returns:
        The images (none when the context has no artifact folder).
    """
    if ctx.artifact_dir is None:
        return []
    images = [
        ("side-by-side", _side_by_side(change), "caption.library.side_by_side"),
        ("listing", change.aligned_listing, "caption.library.listing_aligned"),
    ]
    if has_change:
        images += [
            ("changed-outline", _outlined(change), "caption.library.changed_outline"),
            ("heatmap", _heat(change), "caption.library.heatmap"),
        ]
    out = []
    for kind, rgb, caption in images:
        path: Path = ctx.artifact_path(f"library-match-{kind}.jpg")
        _banded(rgb).save(path, quality=85)
        out.append(EvidenceImage(kind, str(path), caption))
    return out
