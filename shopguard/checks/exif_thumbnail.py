"""``exif-thumbnail``: does the small preview stored in EXIF show the same picture as the photo?

Cameras write a ~160×120 JPEG preview into EXIF IFD1 when the photo is taken. Many editors change the
pixels but copy the EXIF block untouched, so the old preview survives: a thumbnail that shows
something different is ``strong`` evidence that the picture was changed after capture, and both
pictures go into the report. (The technique is long established in photo forensics, e.g. Kee & Farid,
"Digital image authentication from thumbnails", SPIE 2010.)

Comparison (``thumbnail_compare``): the thumbnail gets the photo's EXIF orientation, black
letterbox bars are trimmed, the two are lined up by scale and position (a camera may cut its preview
from one edge of the frame; the photo may have been cropped later), both are reduced to 64 px wide,
normalised for brightness/contrast, and compared by correlation overall and per block (to find a
local change such as a painted defect).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import ClassVar

from PIL import Image

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, EvidenceImage, Finding, Strength
from shopguard.checks.registry import register
from shopguard.checks.thumbnail_compare import ThumbnailComparison, compare, stretched_correlation
from shopguard.errors import ImageReadError
from shopguard.imaging.decode import SourceFile, apply_orientation, decode
from shopguard.imaging.photo_metadata import read_metadata

SAME_CORRELATION = 0.85
"""Above this (and no odd block) the two pictures are the same scene; measured on the 64 previews in
the test data once lined up (lowest 0.948, an iPhone 5s photo)."""
LOCAL_MAX_FRACTION = 0.35
"""A local change covers at most about a third of the blocks; more is a different picture."""
DIFFERENT_CORRELATION = 0.5
"""Below this the thumbnail shows a different picture."""
DIFFERENT_DETAIL = 0.3
"""Fine-detail correlation (blur removed) below which two pictures that only resemble each other in
their broad shapes are different pictures. Measured (benchmarks/thumbnail_accuracy.py): another
photo under the EXIF 0.12 at most; untouched and honestly re-saved, cropped or straightened (1.5°)
photos 0.49 at least."""
MAX_THUMBNAIL_SIDE = 512
"""The preview is decoded at most this large (JPEG DCT scaling): the photo is compared at 512 px and the
preview at 64-128 px, so more pixels add nothing, while a flat 64 kB JPEG (an APP1 segment's limit) can claim
4 MP and a PNG or HEIC eXIf block 512 kB (``MAX_THUMBNAIL_BYTES``), tens of MP. Camera previews are 160x120."""
MAX_ORIENTATIONS_REGISTERED = 2
"""Other orientations lined up by scale and position when the tagged one does not match (a 4:3 photo has 3
that keep its shape, a square one 7; see ``_likeliest``)."""
MIN_DETAIL_LEVEL = 0.1
"""Below this share of fine detail (SD units) a picture is too blurred or flat for the detail test."""


def _thumbnail_image(ctx: CheckContext, data: bytes) -> tuple[Image.Image, tuple[int, int]]:
    """The preview reduced to at most ``MAX_THUMBNAIL_SIDE``, and its stored size."""
    source = SourceFile(
        path=ctx.source.path, data=data, sha256=hashlib.sha256(data).hexdigest(), mtime=ctx.source.mtime
    )
    decoded = decode(source, max_side=MAX_THUMBNAIL_SIDE)
    return decoded.image, (decoded.facts.width, decoded.facts.height)


def _likeliest(orientations: list[tuple[int, Image.Image]], photo: Image.Image) -> list[tuple[int, Image.Image]]:
    """The ``MAX_ORIENTATIONS_REGISTERED`` orientations whose stretched preview correlates best with the photo.

    Registration (a scale-and-shift search, ~25 correlations) only corrects a misfit of a few percent of the
    frame: the preview in the right orientation already correlates clearly when simply stretched over the
    photo, a wrong rotation or mirror shows another arrangement and correlates near zero. Ranking by the cheap
    stretched reading first bounds the work by the number of registrations, not by the photo: a square photo
    whose preview matches in no orientation (a damaged or replaced picture) cost 8 registrations before.
    """
    if len(orientations) <= MAX_ORIENTATIONS_REGISTERED:
        return orientations
    scored = [(stretched_correlation(oriented, photo), orientation, oriented) for orientation, oriented in orientations]
    scored.sort(key=lambda t: -t[0])
    return [(orientation, oriented) for _score, orientation, oriented in scored[:MAX_ORIENTATIONS_REGISTERED]]


def _crosses_aspect(thumb: Image.Image, photo: Image.Image) -> bool:
    """True when one picture is clearly landscape and the other clearly portrait."""
    t_aspect, p_aspect = thumb.width / thumb.height, photo.width / photo.height
    return (t_aspect > 1.1 and p_aspect < 1 / 1.1) or (t_aspect < 1 / 1.1 and p_aspect > 1.1)


def _photo_region(result: ThumbnailComparison, width: int, height: int) -> tuple[int, int, int, int]:
    """The changed blocks (thousandths of the compared area) in full-size photo pixels."""
    fx, fy, fw, fh = result.changed_box
    x0, y0, x1, y1 = result.photo_box
    area_w, area_h = (x1 - x0) * width, (y1 - y0) * height
    return (
        round(x0 * width + fx * area_w / 1000),
        round(y0 * height + fy * area_h / 1000),
        round(fw * area_w / 1000),
        round(fh * area_h / 1000),
    )


@register
class ExifThumbnailCheck:
    id: ClassVar[str] = "exif-thumbnail"
    order: ClassVar[int] = 52

    def run(self, ctx: CheckContext) -> list[Finding]:
        data = read_metadata(ctx.source).exif.thumbnail
        if not data:
            return []
        try:
            raw_thumb, stored_size = _thumbnail_image(ctx, data)
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
        result = replace(result, orientation_used=photo.facts.orientation)
        if result.correlation < SAME_CORRELATION:
            # Some writers store the preview already rotated: accept any orientation that matches.
            # Orientations that leave the preview portrait for a landscape photo (or the reverse)
            # could only match squeezed, which the first reading already tried.
            others = [
                (orientation, oriented)
                for orientation in range(1, 9)
                if orientation != photo.facts.orientation
                and not _crosses_aspect(oriented := apply_orientation(raw_thumb, orientation), photo.image)
            ]
            for orientation, oriented in _likeliest(others, photo.image):
                alt, alt_thumb, alt_crop = compare(oriented, photo.image)
                if alt.correlation >= SAME_CORRELATION:
                    result = replace(alt, orientation_used=orientation)
                    thumb, crop = alt_thumb, alt_crop
                    break
        return [self._finding(ctx, result, stored_size, thumb, crop)]

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
            "detail_correlation": round(result.detail_correlation, 3),
            "detail_level": round(result.detail_level, 3),
            "alignment": result.alignment,
            "photo_box": [round(v * 1000) for v in result.photo_box],
        }
        fields = {
            "correlation": f"{result.correlation:.2f}",
            "block": f"{result.worst_block_diff:.2f}",
            "detail": f"{result.detail_correlation:.2f}",
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
            regions = (_photo_region(result, ctx.facts.width, ctx.facts.height),)
        elif result.correlation < DIFFERENT_CORRELATION or (
            result.correlation < SAME_CORRELATION
            and result.detail_level >= MIN_DETAIL_LEVEL
            and result.detail_correlation < DIFFERENT_DETAIL
        ):
            # Even lined up as well as scale and position allow, the pictures differ overall, or only
            # their broad shapes agree while none of the fine detail does.
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
