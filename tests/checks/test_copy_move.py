"""copy-move: finds a patch cloned within a photo; look-alike real objects are not accused."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopguard.checks.copy_move import CopyMoveCheck
from shopguard.checks.findings import Strength
from tests.checks import forensic_edits as edits
from tests.checks.forensic_support import load_photo, run_check


@pytest.mark.parametrize(
    "name",
    [
        "product-photos/ukbench__ukbench00120.jpg",
        "exif-camera/exif-org__fujifilm-dx10.jpg",
        "product-photos-more/jskapc__kong_duck_dog_toy__1.jpg",
    ],
)
def test_cloned_patch_is_found_at_source_and_target(testdata: Path, tmp_path: Path, name: str) -> None:
    edited, source, target = edits.clone_patch(load_photo(testdata / name), tmp_path / "clone.jpg", seed=1)
    [finding] = run_check(CopyMoveCheck(), edited, tmp_path / "ev")
    assert finding.strength is Strength.MODERATE
    found_source, found_target = finding.regions
    hits = {
        (edits.overlaps(tuple(r), t))
        for r, t in ((found_source, source), (found_target, target))  # type: ignore[arg-type]
    }
    swapped = {
        (edits.overlaps(tuple(r), t))
        for r, t in ((found_source, target), (found_target, source))  # type: ignore[arg-type]
    }
    assert hits == {True} or swapped == {True}  # which copy is "the original" cannot be known
    assert float(finding.evidence["detail_correlation"]) >= 0.8
    assert int(finding.evidence["inliers"]) >= 20
    assert str(finding.fields["matches"]) in finding.detail("en")
    [image] = finding.images
    assert image.kind == "copy-move" and Path(image.path).is_file()


def test_identical_packs_on_a_shelf_are_not_called_copies(testdata: Path, tmp_path: Path) -> None:
    """Real look-alikes match by keypoints, but their fine detail differs: info, never an accusation."""
    shelf = testdata / "product-photos-more/grocerystore__Arla-Sour-Milk__2.jpg"
    [finding] = run_check(CopyMoveCheck(), shelf, tmp_path)
    assert finding.strength is Strength.INFO
    assert finding.title_key in ("forensic.copymove.twins.title", "forensic.copymove.repetitive.title")
    assert finding.regions == ()


def test_plain_photo_gives_info_and_a_map(testdata: Path, tmp_path: Path) -> None:
    plain = testdata / "product-photos/abo__B07GTFSCHB__844a1cce.jpg"
    [finding] = run_check(CopyMoveCheck(), plain, tmp_path)
    assert finding.strength is Strength.INFO
    assert "does not prove" in finding.detail("en")
    [image] = finding.images
    assert image.caption_key == "forensic.copymove.map_caption" and Path(image.path).is_file()
