"""``reused-photo``: was this complaint photo already sent in an earlier case, for another claim?

Exact copies are found by SHA-256; re-saved or resized copies by perceptual hashes: pHash and dHash
must both be within a few bits, since either alone collides on plain product shots (thresholds as
in imagededup's defaults for near duplicates, Hamming distance <= 10 of 64, tightened here so two
hashes must agree).

A photo seen before is evidence (``moderate``) only when the earlier case is another claim: another order
(a different order id, order date or platform) or another buyer. Otherwise the seller is checking the same
complaint again (in the app, then the CLI, or after filling in the order), and the finding is an ``info``
link to the earlier case that never enters the verdict. When the order facts cannot tell (neither case
names its order, or they name it in different ways), cases checked more than ``SAME_CLAIM_WINDOW`` apart
are taken as separate claims: a seller re-checks a complaint while handling it, a buyer re-using a photo
comes back with another order, days later. The same buyer with another order stays evidence: one photo
behind several "refund only" claims is the pattern of refund rings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

import numpy as np

from shopguard.checks.context import CaseFacts, CheckContext, EarlierCase
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.registry import register
from shopguard.library.fingerprint import HASH_DECODE_SIDE, image_hashes
from shopguard.library.store import CasePhotoRecord

MAX_PHASH = 6
MAX_DHASH = 8
SAME_CLAIM_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class _Seen:
    record: CasePhotoRecord
    evidence: dict[str, Any]
    fields: dict[str, Any]
    kind: str  # "identical" or "near"


def _norm(value: object) -> str:
    return " ".join(str(value).split()).casefold() if value not in (None, "") else ""


def _when(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def relation(current: CaseFacts, current_at: str | None, earlier: EarlierCase | None, earlier_at: str) -> str:
    """How the earlier case relates to this one: ``another-order``, ``another-buyer`` or ``days-apart`` (another
    claim), ``same-order`` or ``checked-again`` (the same complaint)."""
    facts = earlier.facts if earlier is not None else CaseFacts()
    for name in ("order_id", "order_date", "platform"):
        a, b = _norm(getattr(current, name)), _norm(getattr(facts, name))
        if a and b and a != b:
            return "another-order"
    a, b = _norm(current.buyer), _norm(facts.buyer)
    if a and b and a != b:
        return "another-buyer"
    if _norm(current.order_id) and _norm(current.order_id) == _norm(facts.order_id):
        return "same-order"
    now, then = _when(current_at), _when(earlier.checked_at if earlier is not None else earlier_at)
    if now is not None and then is not None and abs(now - then) > SAME_CLAIM_WINDOW:
        return "days-apart"
    return "checked-again"


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
        seen = self._seen(ctx, earlier)
        if not seen:
            return []
        lookup = ctx.earlier_case or (lambda _case_id: None)
        related = [
            (s, relation(ctx.case, ctx.case_created_at, lookup(s.record.case_id), s.record.added_at)) for s in seen
        ]
        for s, rel in related:
            if rel in ("another-order", "another-buyer", "days-apart"):
                return [
                    Finding(
                        self.id,
                        Category.REUSED_PHOTO,
                        Strength.MODERATE,
                        f"finding.reused.{s.kind}.title",
                        f"finding.reused.{s.kind}.detail",
                        fields=s.fields,
                        limits_key="limits.reused",
                        evidence={**s.evidence, "relation": rel},
                    )
                ]
        s, rel = related[0]
        return [
            Finding(
                self.id,
                Category.REUSED_PHOTO,
                Strength.INFO,
                "finding.reused.checked_before.title",
                "finding.reused.checked_before.detail",
                fields=s.fields,
                evidence={**s.evidence, "relation": rel},
            )
        ]

    def _seen(self, ctx: CheckContext, earlier: list[CasePhotoRecord]) -> list[_Seen]:
        """Earlier complaint photos that are this one: byte-identical ones (oldest case first), else re-saved
        ones (closest first)."""
        exact = [
            _Seen(
                rec,
                {
                    "other_case_id": rec.case_id,
                    "other_case_date": rec.added_at,
                    "match": "sha256",
                    "sha256": rec.sha256,
                },
                _fields(rec),
                "identical",
            )
            for rec in earlier
            if rec.sha256 == ctx.source.sha256
        ]
        if exact:
            return exact
        query = image_hashes(ctx.pixels(HASH_DECODE_SIDE).image)
        table = np.stack([r.hashes[:2] for r in earlier]).astype(np.uint64)
        distance = np.bitwise_count(table ^ query[:2]).astype(np.int64)
        ok = (distance[:, 0] <= MAX_PHASH) & (distance[:, 1] <= MAX_DHASH)
        near = []
        for index in np.flatnonzero(ok):
            rec = earlier[int(index)]
            phash, dhash = int(distance[index, 0]), int(distance[index, 1])
            evidence = {
                "other_case_id": rec.case_id,
                "other_case_date": rec.added_at,
                "match": "perceptual-hash",
                "phash_distance": phash,
                "dhash_distance": dhash,
            }
            near.append(_Seen(rec, evidence, {**_fields(rec), "phash": phash, "dhash": dhash}, "near"))
        return sorted(near, key=lambda s: s.evidence["phash_distance"] + s.evidence["dhash_distance"])
