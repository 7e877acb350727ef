"""``library-match``: is the complaint photo made from one of the shop's own listing photos?

Outcomes: byte-identical file (strong); derived with a changed region (strong, with the region and
evidence images); derived with no change (strong: the buyer sent the shop's own photo); same base
image but a different product (info: says so, accuses nobody); same scene, different photo (info: another
exposure of the listing photo's scene, e.g. from the shop's own photo session; accuses nobody); no match
(no finding).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import ClassVar

from PIL import Image

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.listing_dates import listing_dating
from shopguard.checks.match_evidence import write_match_images
from shopguard.checks.registry import register
from shopguard.errors import ImageReadError
from shopguard.imaging import decode, read_source
from shopguard.library.matcher import Match, find_sources
from shopguard.library.store import LibraryStore, PhotoRecord

log = logging.getLogger(__name__)

MATCH_SIDE = 1600
LISTING_SIDE = 1024


def _load_listing(record: PhotoRecord) -> tuple[Image.Image, float] | None:
    try:
        decoded = decode(read_source(record.path), max_side=LISTING_SIDE)
    except ImageReadError:
        log.info("library photo %s could not be read for matching", record.path)
        return None
    return decoded.image, decoded.scale


def _name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _file_time(record: PhotoRecord) -> str:
    return datetime.fromtimestamp(record.mtime, UTC).replace(microsecond=0).isoformat()


@register
class LibraryMatchCheck:
    id: ClassVar[str] = "library-match"
    order: ClassVar[int] = 10

    def run(self, ctx: CheckContext) -> list[Finding]:
        if ctx.library is None or ctx.library.count() == 0:
            return [
                Finding(
                    self.id,
                    Category.LIBRARY_DERIVED,
                    Strength.INFO,
                    "finding.library.empty.title",
                    "finding.library.empty.detail",
                )
            ]
        exact = [r for r in ctx.library.photos_by_sha256(ctx.source.sha256) if r.status == "present"]
        if exact:
            rec = exact[0]
            dating, existed = listing_dating(ctx.library, rec.sha256, ctx.case.order_date)
            return [
                Finding(
                    self.id,
                    Category.LIBRARY_DERIVED,
                    Strength.STRONG,
                    "finding.library.identical.title",
                    "finding.library.identical.detail_dated",
                    fields={"library_name": _name(rec.path), "library_added": rec.added_at, "listing_existed": existed},
                    library_photo=rec.path,
                    evidence={
                        "sha256": rec.sha256,
                        "library_added_at": rec.added_at,
                        "library_file_mtime": _file_time(rec),
                        **dating,
                    },
                    limits_key="limits.library.derived",
                )
            ]
        complaint = ctx.pixels(MATCH_SIDE)
        matches = find_sources(
            ctx.library, complaint.image, complaint.scale, _load_listing, cancel=ctx.cancel, only=ctx.library_only
        )
        if not matches:
            return []
        return [self._finding(ctx, ctx.library, matches[0], (complaint.width, complaint.height))]

    def _finding(self, ctx: CheckContext, library: LibraryStore, m: Match, size: tuple[int, int]) -> Finding:
        g, change = m.geometry, m.change
        dating, existed = listing_dating(library, m.record.sha256, ctx.case.order_date)
        evidence = {
            **m.evidence(size),
            "library_sha256": m.record.sha256,
            "library_added_at": m.record.added_at,
            "library_file_mtime": _file_time(m.record),
            **dating,
        }
        fields = {
            "library_name": _name(m.record.path),
            "library_added": m.record.added_at,
            "inliers": g.inliers,
            "ratio_pct": round(100 * g.inlier_ratio),
            "scale_pct": round(100 * g.scale),
            "rotation": round(g.rotation_deg),
            "covered_pct": round(100 * change.overlap_share),
            "changed_pct": round(100 * change.changed_share, 1),
            "similarity_pct": round(100 * change.similarity_outside),
        }
        if m.kind == "same-base":
            return Finding(
                self.id,
                Category.LIBRARY_DERIVED,
                Strength.INFO,
                "finding.library.same_base.title",
                "finding.library.same_base.detail",
                fields=fields,
                library_photo=m.record.path,
                evidence=evidence,
                limits_key="limits.library.same_base",
            )
        if m.kind == "same-scene" and m.motion is not None:
            return Finding(
                self.id,
                Category.LIBRARY_DERIVED,
                Strength.INFO,
                "finding.library.same_scene.title",
                "finding.library.same_scene.detail",
                fields={
                    **fields,
                    "moved_pct": round(100 * m.motion.moved_share),
                    "shift_px": max(1, round(m.motion.shift_px)),
                },
                library_photo=m.record.path,
                evidence=evidence,
                limits_key="limits.library.same_scene",
            )
        has_change = bool(change.regions)
        images = write_match_images(ctx, change, has_change)
        key = "finding.library.derived_changed" if has_change else "finding.library.derived_unchanged"
        # "No changed region" is said at the comparison's sensitivity: the map works on the buyer's photo
        # reduced to ``compared_px`` across, so a mark thinner than one of its pixels (``finest_px`` of the
        # photo) keeps only part of its contrast there and can go unseen.
        sensitivity = {
            "compared_px": max(change.changed.shape),
            "finest_px": max(1, round(1 / change.work_scale)) if change.work_scale > 0 else 1,
        }
        return Finding(
            self.id,
            Category.LIBRARY_DERIVED,
            Strength.STRONG,
            key + ".title",
            key + (".detail_dated" if has_change else ".detail_sensitivity"),
            fields={**fields, "regions": len(change.regions), "listing_existed": existed, **sensitivity},
            regions=tuple(change.regions),
            library_photo=m.record.path,
            evidence=evidence,
            images=tuple(images),
            limits_key="limits.library.derived",
        )
