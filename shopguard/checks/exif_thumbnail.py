"""``exif-thumbnail``: does the small preview stored in EXIF show the same picture as the photo?

Cameras write a ~160×120 JPEG preview into EXIF IFD1 when the photo is taken. Many editors change the
pixels but copy the EXIF block untouched, so the old preview survives: a thumbnail that shows
something different is ``strong`` evidence that the picture was changed after capture, and both
pictures go into the report. (The technique is long established in photo forensics, e.g. Kee & Farid,
"Digital image authentication from thumbnails", SPIE 2010.)

Comparison: the thumbnail gets the photo's EXIF orientation, black letterbox bars are trimmed, the
longer picture is centre-cropped to the other's aspect ratio (cameras crop 3:2 sensors into 4:3
previews), both are reduced to 64 px wide, normalised for brightness/contrast, and compared by
correlation overall and per block (to find a local change such as a painted defect).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import ClassVar

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, EvidenceImage, Finding, Strength
from shopguard.checks.registry import register
from shopguard.errors import ImageReadError
from shopguard.imaging.decode import SourceFile, apply_orientation, decode
from shopguard.imaging.photo_metadata import read_metadata

COMPARE_WIDTH = 64
GRID = 8
SAME_CORRELATION = 0.85
"""Above this (and no odd block) the two pictures are the same scene; measured on the 34 camera
thumbnails in the test data (lowest 0.95 after orientation)."""
LOCAL_MAX_FRACTION = 0.35
"""A local change covers at most about a third of the blocks; more is a different picture."""
DIFFERENT_CORRELATION = 0.5
"""Below this the thumbnail shows a different picture."""
BLOCK_DIFF = 1.2
"""Mean |difference| of normalised pixels in one block above which that block differs (unit: SD)."""


@dataclass(frozen=True)
class ThumbnailComparison:
    correlation: float
    changed_box: tuple[int, int, int, int]  # x, y, w, h in thousandths of the compared area
    worst_block_diff: float
    orientation_used: int
    changed_fraction: float = 0.0  # share of blocks that differ
    rest_correlation: float = 0.0  # correlation outside the differing blocks


def _trim_bars(im: Image.Image) -> Image.Image:
    """Crop near-black uniform rows/columns at the edges (letterbox bars of 4:3 or 16:9 previews)."""
    a = np.asarray(im.convert("L"), dtype=np.float32)
    rows = np.where((a.mean(axis=1) > 16) | (a.std(axis=1) > 8))[0]
    cols = np.where((a.mean(axis=0) > 16) | (a.std(axis=0) > 8))[0]
    if len(rows) < a.shape[0] // 3 or len(cols) < a.shape[1] // 3:
        return im
    return im.crop((int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1))


def _crop_to_aspect(im: Image.Image, aspect: float) -> Image.Image:
    w, h = im.size
    if w / h > aspect:
        new_w = max(1, round(h * aspect))
        return im.crop(((w - new_w) // 2, 0, (w - new_w) // 2 + new_w, h))
    new_h = max(1, round(w / aspect))
    return im.crop((0, (h - new_h) // 2, w, (h - new_h) // 2 + new_h))


def _normalised(im: Image.Image, size: tuple[int, int]) -> npt.NDArray[np.float64]:
    a = np.asarray(im.convert("L").resize(size, Image.Resampling.LANCZOS), dtype=np.float64)
    out: npt.NDArray[np.float64] = (a - a.mean()) / (a.std() + 1e-6)
    return out


def _best_crop(thumb: Image.Image, photo: Image.Image) -> Image.Image:
    """The part of the thumbnail the photo shows best, found by normalised cross-correlation
    (cv2.matchTemplate, TM_CCOEFF_NORMED) over scales 100%...60%: photos cropped after capture keep
    the full-frame preview, and a crop is not a change of content."""
    t_gray = np.asarray(thumb.convert("L"), dtype=np.float32)
    p_aspect = photo.width / photo.height
    fit_w = min(thumb.width, round(thumb.height * p_aspect))
    best_score, best_box = -2.0, (0, 0, thumb.width, thumb.height)
    for scale in (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6):
        w = max(8, round(fit_w * scale))
        h = max(8, round(w / p_aspect))
        if w > thumb.width or h > thumb.height:
            continue
        template = np.asarray(photo.convert("L").resize((w, h), Image.Resampling.LANCZOS), dtype=np.float32)
        scores = cv2.matchTemplate(t_gray, template, cv2.TM_CCOEFF_NORMED)
        _, score, _, (x, y) = cv2.minMaxLoc(scores)
        if score > best_score + 0.02:  # prefer the larger view unless a crop fits clearly better
            best_score, best_box = score, (x, y, x + w, y + h)
    return thumb.crop(best_box)


def compare(thumb: Image.Image, photo: Image.Image) -> tuple[ThumbnailComparison, Image.Image, Image.Image]:
    """Compare an oriented thumbnail with the oriented photo; returns the metrics and both crops.

    Writers either crop the frame to the preview's aspect ratio or squeeze the whole frame into it
    (iPhones store 160×112 previews of 4:3 photos), and the photo may have been cropped later; each
    reading is tried and the closest kept.
    """
    thumb = _trim_bars(thumb)
    candidates = [
        _compare_same_aspect(_best_crop(thumb, photo), photo),
        _compare_same_aspect(thumb.resize(photo.size), photo),
    ]
    t_aspect, p_aspect = thumb.width / thumb.height, photo.width / photo.height
    if t_aspect < p_aspect:
        candidates.append(_compare_same_aspect(thumb, _crop_to_aspect(photo, t_aspect)))
    return max(candidates, key=lambda r: r[0].correlation)


def _compare_same_aspect(
    thumb: Image.Image,
    photo: Image.Image,
) -> tuple[ThumbnailComparison, Image.Image, Image.Image]:
    aspect = photo.width / photo.height
    size = (COMPARE_WIDTH, max(8, min(256, round(COMPARE_WIDTH / aspect))))
    a, b = _normalised(thumb, size), _normalised(photo, size)
    correlation = float((a * b).mean())
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
    result = ThumbnailComparison(correlation, box, worst, 1, flagged / max(1, blocks), rest)
    return result, thumb, photo


def _thumbnail_image(ctx: CheckContext, data: bytes) -> Image.Image:
    source = SourceFile(
        path=ctx.source.path, data=data, sha256=hashlib.sha256(data).hexdigest(), mtime=ctx.source.mtime
    )
    return decode(source).image


@register
class ExifThumbnailCheck:
    id: ClassVar[str] = "exif-thumbnail"
    order: ClassVar[int] = 52

    def run(self, ctx: CheckContext) -> list[Finding]:
        data = read_metadata(ctx.source).exif.thumbnail
        if not data:
            return []
        try:
            raw_thumb = _thumbnail_image(ctx, data)
        except ImageReadError as exc:
            return [
                Finding(
                    self.id,
                    Category.METADATA,
                    Strength.INFO,
                    "finding.thumbnail.unreadable.title",
                    "finding.thumbnail.unreadable.detail",
                    fields={"reason": exc.message("en")},
                    evidence={"thumbnail_bytes": len(data)},
                )
            ]
        photo = ctx.pixels(512)
        result, thumb, crop = compare(apply_orientation(raw_thumb, photo.facts.orientation), photo.image)
        if result.correlation < SAME_CORRELATION:
            # Some writers store the preview already rotated: accept any orientation that matches.
            for orientation in range(1, 9):
                alt, alt_thumb, alt_crop = compare(apply_orientation(raw_thumb, orientation), photo.image)
                if alt.correlation >= SAME_CORRELATION:
                    result = ThumbnailComparison(
                        alt.correlation,
                        alt.changed_box,
                        alt.worst_block_diff,
                        orientation,
                        alt.changed_fraction,
                        alt.rest_correlation,
                    )
                    thumb, crop = alt_thumb, alt_crop
                    break
        return [self._finding(ctx, result, raw_thumb.size, thumb, crop)]

    def _finding(
        self,
        ctx: CheckContext,
        result: ThumbnailComparison,
        thumb_size: tuple[int, int],
        thumb: Image.Image,
        crop: Image.Image,
    ) -> Finding:
        evidence = {
            "field": "EXIF IFD1 JPEGInterchangeFormat",
            "thumbnail_size": list(thumb_size),
            "correlation": round(result.correlation, 3),
            "worst_block_diff": round(result.worst_block_diff, 2),
            "changed_fraction": round(result.changed_fraction, 3),
            "rest_correlation": round(result.rest_correlation, 3),
            "orientation_used": result.orientation_used,
        }
        fields = {
            "correlation": f"{result.correlation:.2f}",
            "block": f"{result.worst_block_diff:.2f}",
            "size": f"{thumb_size[0]}×{thumb_size[1]}",
        }
        regions: tuple[tuple[int, int, int, int], ...] = ()
        if (
            0 < result.changed_fraction <= LOCAL_MAX_FRACTION
            and result.rest_correlation >= SAME_CORRELATION
            and result.correlation < SAME_CORRELATION + 0.1
        ):
            # Everything lines up except a few blocks: the local change a painted defect leaves.
            strength, key = Strength.MODERATE, "partly"
            fx, fy, fw, fh = result.changed_box
            # Box in thousandths of the compared photo area; map back to full size.
            scale_x, scale_y = ctx.facts.width / 1000, ctx.facts.height / 1000
            regions = ((round(fx * scale_x), round(fy * scale_y), round(fw * scale_x), round(fh * scale_y)),)
        elif result.correlation < DIFFERENT_CORRELATION:
            strength, key = Strength.STRONG, "different"
        elif result.correlation < SAME_CORRELATION:
            # Same scene but not the same frame (another shot, a rotation, heavy re-processing):
            # odd, but not the local change an edit leaves.
            strength, key = Strength.WEAK, "framing"
        else:
            return Finding(
                self.id,
                Category.THUMBNAIL_MISMATCH,
                Strength.INFO,
                "finding.thumbnail.same.title",
                "finding.thumbnail.same.detail",
                fields=fields,
                evidence=evidence,
            )
        return Finding(
            self.id,
            Category.THUMBNAIL_MISMATCH,
            strength,
            f"finding.thumbnail.{key}.title",
            f"finding.thumbnail.{key}.detail",
            fields=fields,
            regions=regions,
            evidence=evidence,
            images=self._images(ctx, thumb, crop),
            limits_key="finding.thumbnail.limits",
        )

    def _images(self, ctx: CheckContext, thumb: Image.Image, crop: Image.Image) -> tuple[EvidenceImage, ...]:
        if ctx.artifact_dir is None:
            return ()
        size = (max(160, thumb.width * 2), max(120, thumb.height * 2))
        thumb_path = ctx.artifact_path("exif-thumbnail.png")
        photo_path = ctx.artifact_path("exif-thumbnail-photo.png")
        thumb.resize(size, Image.Resampling.NEAREST).save(thumb_path)
        crop.resize(size, Image.Resampling.LANCZOS).save(photo_path)
        return (
            EvidenceImage("thumbnail", str(thumb_path), "evidence.thumbnail.embedded"),
            EvidenceImage("thumbnail", str(photo_path), "evidence.thumbnail.photo"),
        )
