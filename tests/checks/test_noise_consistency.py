"""noise-consistency: finds a painted or inpainted area, and never says more than ``weak``."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopguard.checks.findings import Strength
from shopguard.checks.noise_consistency import NoiseConsistencyCheck
from tests.checks import forensic_edits as edits
from tests.checks.forensic_support import load_photo, run_check

TSHIRT = "product-photos-more/solidus__t-shirt__1.png"


@pytest.mark.parametrize("seed", [0, 1, 5])
def test_painted_stain_is_localized(testdata: Path, tmp_path: Path, seed: int) -> None:
    edited, truth = edits.paint_stain(load_photo(testdata / TSHIRT), tmp_path / "stain.jpg", seed=seed)
    [finding] = run_check(NoiseConsistencyCheck(), edited, tmp_path / "ev")
    assert finding.strength is Strength.WEAK
    assert edits.overlaps(tuple(finding.regions[0]), truth)  # type: ignore[arg-type]
    assert finding.fields["ratio"] in finding.detail("en")
    assert float(finding.evidence["region_noise_ratio"]) < 0.6
    assert finding.limits_key == "forensic.noise.limits"


def test_inpainted_area_is_localized(testdata: Path, tmp_path: Path) -> None:
    edited, truth = edits.inpaint_region(load_photo(testdata / TSHIRT), tmp_path / "inpaint.jpg", seed=2)
    [finding] = run_check(NoiseConsistencyCheck(), edited, tmp_path / "ev")
    assert finding.strength is Strength.WEAK
    assert edits.overlaps(tuple(finding.regions[0]), truth)  # type: ignore[arg-type]


def test_original_gives_info_with_a_map(testdata: Path, tmp_path: Path) -> None:
    [finding] = run_check(NoiseConsistencyCheck(), testdata / TSHIRT, tmp_path / "ev")
    assert finding.strength is Strength.INFO
    assert finding.regions == ()
    assert "does not prove" in finding.detail("en")
    [image] = finding.images
    assert image.kind == "noise" and Path(image.path).is_file()
    assert image.caption_key == "forensic.noise.map_caption"
    assert Path(image.path).parent == tmp_path / "ev"


def test_regions_are_in_full_resolution_coordinates(testdata: Path, tmp_path: Path) -> None:
    """A 3264 px photo is analysed at 2048 px; the region must still land on the edit."""
    photo = load_photo(testdata / "product-photos-more/jskapc__kong_duck_dog_toy__1.jpg")
    edited, truth = edits.inpaint_region(photo, tmp_path / "big.jpg", seed=0)
    [finding] = run_check(NoiseConsistencyCheck(), edited, None)
    assert finding.images == ()  # no evidence folder given: nothing written
    assert finding.strength is Strength.WEAK
    assert finding.evidence["decode_scale"] < 1.0
    x, y, w, h = finding.regions[0]
    # Within one analysis block (32 px at 2048 = ~51 px at full size) of the true box on each side.
    assert abs(x - truth[0]) < 60 and abs(y - truth[1]) < 60
    assert abs(x + w - truth[0] - truth[2]) < 60 and abs(y + h - truth[1] - truth[3]) < 60
