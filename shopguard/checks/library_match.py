"""``library-match``: is the complaint photo made from one of the shop's own listing photos?"""

from __future__ import annotations

import logging
from typing import ClassVar

from PIL import Image

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.registry import register
from shopguard.errors import ImageReadError
from shopguard.imaging import decode, read_source
from shopguard.library.matcher import find_sources
from shopguard.library.store import PhotoRecord

log = logging.getLogger(__name__)

MATCH_SIDE = 1600


def _load_listing(record: PhotoRecord) -> Image.Image | None:
    try:
        return decode(read_source(record.path), max_side=MATCH_SIDE).image
    except ImageReadError:
        log.info("library photo %s could not be read for matching", record.path)
        return None


@register
class LibraryMatchCheck:
    id: ClassVar[str] = "library-match"
    order: ClassVar[int] = 10

    def run(self, ctx: CheckContext) -> list[Finding]:
        if ctx.library is None or ctx.library.count() == 0:
            return [Finding(self.id, Category.LIBRARY_DERIVED, Strength.INFO,
                            "finding.library.empty.title", "finding.library.empty.detail")]
        exact = ctx.library.photos_by_sha256(ctx.source.sha256)
        if exact:
            rec = exact[0]
            return [Finding(self.id, Category.LIBRARY_DERIVED, Strength.STRONG,
                            "finding.library.identical.title", "finding.library.identical.detail",
                            fields={"library_name": _name(rec.path), "library_added": rec.added_at},
                            library_photo=rec.path,
                            evidence={"sha256": rec.sha256, "library_added_at": rec.added_at})]
        complaint = ctx.pixels(MATCH_SIDE)
        matches = find_sources(ctx.library, complaint.image, _load_listing)
        if not matches:
            return []
        m = matches[0]
        scale = 1.0 / complaint.scale
        return [Finding(
            self.id, Category.LIBRARY_DERIVED, Strength.STRONG,
            "finding.library.derived.title", "finding.library.derived.detail",
            fields={"library_name": _name(m.record.path), "inliers": m.inliers,
                    "ratio_pct": round(100 * m.inlier_ratio), "library_added": m.record.added_at},
            library_photo=m.record.path,
            evidence={"inliers": m.inliers, "inlier_ratio": round(m.inlier_ratio, 3),
                      "hash_distance": m.hash_distance, "library_sha256": m.record.sha256,
                      "library_added_at": m.record.added_at, "decode_scale": round(scale, 4)},
        )]


def _name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]
