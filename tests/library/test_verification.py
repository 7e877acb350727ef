"""Geometric verification on real photos: the half-keypoint probe that rejects most candidates early must not
change what a real source verifies to."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shopguard.library import verification
from shopguard.library.features import COMPLAINT_SIDE, LocalFeatures, library_features
from shopguard.library.verification import Geometry, complaint_features, verify_geometry

BAG = "abo__B0799CK52K__528c608a.jpg"
OTHER_PRODUCTS = ("abo__B074M5HPBD__dcace9b5.jpg", "abo__B07GTFSCHB__7e487bec.jpg")


def _library_features(im: Image.Image) -> LocalFeatures:
    return library_features(im, 1.0)


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


@pytest.mark.parametrize("corner", [(0, 0), (1, 0), (0, 1), (1, 1), (0.5, 0.5)])
def test_crop_of_a_busy_photo_verifies(testdata: Path, corner: tuple[float, float]) -> None:
    """A 40% crop of a photo of toy balls in a net on wood grain, from each corner and the centre, verifies with
    its crop box. The net held nearly all of the photo's 900 strongest corners: the bottom and centre crops found
    too few of them (no geometry) until the library's keypoints were spread over the photo."""
    photo = Image.open(testdata / "product-photos-more" / "jskapc__kyjen_squeakin_eggs_plush_puppies__1.jpg")
    photo = photo.convert("RGB")
    w, h = photo.size
    cw, ch = int(w * 0.632), int(h * 0.632)
    x, y = round(corner[0] * (w - cw)), round(corner[1] * (h - ch))
    listing = library_features(photo.reduce(4), 0.25)  # as from a JPEG draft, in full-resolution px
    geometry = _verify(listing, photo.crop((x, y, x + cw, y + ch)), photo.size)
    assert geometry is not None and geometry.inliers >= 30
    assert np.allclose(geometry.crop_box(w, h, (cw, ch)), [x, y, cw, ch], atol=8)
