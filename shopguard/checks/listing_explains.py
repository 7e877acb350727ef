"""Findings a matched listing photo explains: what the buyer's photo shares with the seller's own photo was not
made by the buyer.

A derived library match proves that, outside its changed regions, the buyer's photo shows the listing photo's
pixels (aligned, colour-corrected, similarity >= 0.96). A copy-move found in that agreeing part was therefore
already in the listing photo: a multipack shot composed from one object pasted several times, a tiled pattern.
Reporting it as the buyer's edit would be a self-made finding (the seller's own composite held against the
buyer, or a reviewer reading a clone that the seller's photo has too as the seller's doing). Such a copy-move is
kept, with its regions and measurements, as ``info`` saying where the repeat comes from; a copy-move touching a
changed region, or lying outside the part the listing photo covers, is left as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np

from shopguard.checks.findings import Category, Finding, Region, Strength

COPY_MOVE_CHECK = "copy-move"
LIBRARY_CHECK = "library-match"


def explained_by_listing(findings: Sequence[Finding]) -> list[Finding]:
    """``findings`` with each copy-move the derived listing match explains turned into an ``info`` finding."""
    derived = next(
        (
            f
            for f in findings
            if f.check == LIBRARY_CHECK and f.category is Category.LIBRARY_DERIVED and f.strength is Strength.STRONG
        ),
        None,
    )
    if derived is None:
        return list(findings)
    footprint = _listing_footprint(derived)
    if footprint is None:
        return list(findings)
    out: list[Finding] = []
    for f in findings:
        if (
            f.check == COPY_MOVE_CHECK
            and f.strength in (Strength.WEAK, Strength.MODERATE)
            and len(f.regions) == 2
            and all(_inside(footprint, r) for r in f.regions)
            and not any(_overlap(r, changed) for r in f.regions for changed in derived.regions)
        ):
            f = replace(
                f,
                strength=Strength.INFO,
                title_key="forensic.copymove.in_listing.title",
                detail_key="forensic.copymove.in_listing.detail",
                fields={**f.fields, "library_name": derived.fields.get("library_name", "")},
                evidence={**f.evidence, "explained_by_listing": True, "strength_before": f.strength.value},
            )
        out.append(f)
    return out


def _listing_footprint(derived: Finding) -> np.ndarray | None:
    """Corners (4 x 2) of the listing photo's visible part mapped into the buyer's photo, or None when the match
    carries no transform."""
    transform = derived.evidence.get("transform")
    if not isinstance(transform, dict):
        return None
    matrix, box = transform.get("matrix"), transform.get("crop_box")
    if not isinstance(matrix, list) or not isinstance(box, list) or len(box) != 4:
        return None
    x, y, w, h = (float(v) for v in box)
    corners = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], dtype=np.float64)
    m = np.asarray(matrix, dtype=np.float64).reshape(2, 3)
    return corners @ m[:, :2].T + m[:, 2]


def _inside(polygon: np.ndarray, region: Region) -> bool:
    """Every corner of ``region`` inside ``polygon`` (1 px tolerance for rounding)."""
    x, y, w, h = region
    contour = polygon.astype(np.float32).reshape(-1, 1, 2)
    corners = ((x, y), (x + w, y), (x + w, y + h), (x, y + h))
    return all(cv2.pointPolygonTest(contour, (float(cx), float(cy)), True) >= -1.0 for cx, cy in corners)


def _overlap(a: Region, b: Region) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
