"""``reused-photo``: was this complaint photo already sent in an earlier case?

Exact copies are found by SHA-256; re-saved or resized copies by perceptual hashes: pHash and dHash
must both be within a few bits, since either alone collides on plain product shots (thresholds as
in imagededup's defaults for near duplicates, Hamming distance <= 10 of 64, tightened here so two
hashes must agree).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.registry import register
from shopguard.library.fingerprint import HASH_DECODE_SIDE, image_hashes
from shopguard.library.store import CasePhotoRecord

MAX_PHASH = 6
MAX_DHASH = 8


def _fields(rec: CasePhotoRecord) -> dict[str, object]:
    return {"other_case": rec.case_id, "other_name": rec.name, "other_date": rec.added_at}


@register
class ReusedPhotoCheck:
    id: ClassVar[str] = "reused-photo"
    order: ClassVar[int] = 15

    def run(self, ctx: CheckContext) -> list[Finding]:
        if ctx.library is None:
            return []
        earlier = [r for r in ctx.library.case_photos() if r.case_id != ctx.case_id]
        if not earlier:
            return []
        for rec in earlier:
            if rec.sha256 == ctx.source.sha256:
                return [
                    Finding(
                        self.id,
                        Category.REUSED_PHOTO,
                        Strength.MODERATE,
                        "finding.reused.identical.title",
                        "finding.reused.identical.detail",
                        fields=_fields(rec),
                        limits_key="limits.reused",
                        evidence={
                            "other_case_id": rec.case_id,
                            "other_case_date": rec.added_at,
                            "match": "sha256",
                            "sha256": rec.sha256,
                        },
                    )
                ]
        query = image_hashes(ctx.pixels(HASH_DECODE_SIDE).image)
        table = np.stack([r.hashes[:2] for r in earlier]).astype(np.uint64)
        distance = np.bitwise_count(table ^ query[:2]).astype(np.int64)
        ok = (distance[:, 0] <= MAX_PHASH) & (distance[:, 1] <= MAX_DHASH)
        if not ok.any():
            return []
        best = int(np.argmin(np.where(ok, distance.sum(axis=1), 999)))
        rec = earlier[best]
        phash, dhash = int(distance[best, 0]), int(distance[best, 1])
        return [
            Finding(
                self.id,
                Category.REUSED_PHOTO,
                Strength.MODERATE,
                "finding.reused.near.title",
                "finding.reused.near.detail",
                fields={**_fields(rec), "phash": phash, "dhash": dhash},
                limits_key="limits.reused",
                evidence={
                    "other_case_id": rec.case_id,
                    "other_case_date": rec.added_at,
                    "match": "perceptual-hash",
                    "phash_distance": phash,
                    "dhash_distance": dhash,
                },
            )
        ]
