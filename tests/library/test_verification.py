"""Geometric verification on real photos: the half-keypoint probe that rejects most candidates early must not
change what a real source verifies to."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shopguard.library import verification
from shopguard.library.features import (
    COMPLAINT_SIDE,
    LIBRARY_KEYPOINTS,
    LIBRARY_SIDE,
    LocalFeatures,
    orb_features,
    work_gray,
)
from shopguard.library.verification import Geometry, complaint_features, verify_geometry

BAG = "abo__B0799CK52K__528c608a.jpg"
OTHER_PRODUCTS = ("abo__B074M5HPBD__dcace9b5.jpg", "abo__B07GTFSCHB__7e487bec.jpg")


def _library_features(im: Image.Image) -> LocalFeatures:
    gray, scale = work_gray(im, LIBRARY_SIDE)
    return orb_features(gray, LIBRARY_KEYPOINTS, scale)


def _complaint(bag: Image.Image) -> Image.Image:
    """A heavy crop of the bag, turned 12 degrees and shrunk: fewer inliers than a plain re-save."""
    w, h = bag.size
    crop = bag.crop((w // 5, h // 6, w // 5 + int(w * 0.6), h // 6 + int(h * 0.65)))
    turned = crop.rotate(12, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=(255, 255, 255))
    return turned.resize((turned.width * 2 // 3, turned.height * 2 // 3), Image.Resampling.BILINEAR)


def _verify(listing: LocalFeatures, complaint: Image.Image, size: tuple[int, int]) -> Geometry | None:
    query = complaint_features(complaint, 1.0, COMPLAINT_SIDE)
    return verify_geometry(listing, query, (query.width, query.height), size)


def test_probe_keeps_a_real_source_exactly(testdata: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bag = Image.open(testdata / "product-photos" / BAG).convert("RGB")
    listing = _library_features(bag)
    assert len(listing) >= 2 * verification.PROBE_MIN_KEYPOINTS  # the probe runs
    complaint = _complaint(bag)
    probed = _verify(listing, complaint, bag.size)
    monkeypatch.setattr(verification, "PROBE_MIN_KEYPOINTS", 10**6)  # every keypoint matched at once
    full = _verify(listing, complaint, bag.size)
    assert probed is not None and full is not None
    assert (probed.inliers, probed.matches, probed.mirrored) == (full.inliers, full.matches, full.mirrored)
    np.testing.assert_allclose(probed.matrix, full.matrix)
    assert abs(probed.rotation_deg + 12) < 1.5  # Pillow turns counter-clockwise; image y points down


@pytest.mark.parametrize("name", OTHER_PRODUCTS)
def test_probe_stops_at_other_products(testdata: Path, name: str) -> None:
    """Another product's photo is turned away on half its keypoints, as is and mirrored."""
    bag = Image.open(testdata / "product-photos" / BAG).convert("RGB")
    other = _library_features(Image.open(testdata / "product-photos" / name).convert("RGB"))
    query = complaint_features(_complaint(bag), 1.0, COMPLAINT_SIDE)
    assert verification._good_pairs(other, query.normal) is None
    assert verification._good_pairs(other, query.mirrored) is None
    assert verify_geometry(other, query, (query.width, query.height)) is None
