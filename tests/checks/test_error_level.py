"""error-level: ELA map for every photo, honest about non-JPEG files, never more than ``weak`` alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopguard.checks.error_level import ErrorLevelCheck
from shopguard.checks.findings import Strength
from tests.checks import forensic_edits as edits
from tests.checks.forensic_support import load_photo, run_check

PARK = "exif-camera/gps__DSCN0012.jpg"


def test_untouched_jpeg_gives_info_and_an_ela_map(testdata: Path, tmp_path: Path) -> None:
    [finding] = run_check(ErrorLevelCheck(), testdata / "exif-camera/exif-org__fujifilm-dx10.jpg", tmp_path)
    assert finding.strength is Strength.INFO
    assert finding.title_key == "forensic.ela.none.title"
    assert "does not prove" in finding.detail("en")
    [image] = finding.images
    assert image.kind == "ela" and image.caption_key == "forensic.ela.map_caption"
    assert Path(image.path).is_file() and Path(image.path).stat().st_size > 1000
    assert finding.evidence["resave_quality"] == 90


@pytest.mark.parametrize("name", ["product-photos/skimage__coffee.png", "exif-camera/heic__samplefilehub.heif"])
def test_non_jpeg_says_ela_does_not_apply(testdata: Path, tmp_path: Path, name: str) -> None:
    [finding] = run_check(ErrorLevelCheck(), testdata / name, tmp_path)
    assert finding.strength is Strength.INFO
    assert finding.title_key == "forensic.ela.not_jpeg.title"
    assert finding.regions == ()
    fmt = finding.fields["format"]
    assert fmt in ("PNG", "HEIF") and fmt in finding.detail("en") and fmt in finding.detail("zh_CN")
    [image] = finding.images
    assert image.caption_key == "forensic.ela.map_caption_not_jpeg"


@pytest.mark.parametrize("seed", [3, 4])
def test_stain_seen_by_ela_and_noise_is_moderate(testdata: Path, tmp_path: Path, seed: int) -> None:
    """Two independent measurements on the same place: the only way pixels alone reach ``moderate``."""
    edited, truth = edits.paint_stain(load_photo(testdata / PARK), tmp_path / "stain.jpg", seed=seed)
    [finding] = run_check(ErrorLevelCheck(), edited, tmp_path / "ev")
    assert finding.strength is Strength.MODERATE
    assert finding.title_key == "forensic.ela.corroborated.title"
    assert edits.overlaps(tuple(finding.regions[0]), truth)  # type: ignore[arg-type]
    assert edits.overlaps(tuple(finding.evidence["noise_region"]), truth)  # type: ignore[arg-type]
    detail = finding.detail("en")
    assert finding.fields["ratio"] in detail and finding.fields["noise_ratio"] in detail


def test_never_strong_on_edits(testdata: Path, tmp_path: Path) -> None:
    photo = load_photo(testdata / PARK)
    for seed in range(3):
        for make in (edits.paint_stain, edits.inpaint_region):
            edited, _ = make(photo, tmp_path / f"{make.__name__}{seed}.jpg", seed=seed)
            for finding in run_check(ErrorLevelCheck(), edited, None):
                assert finding.strength is not Strength.STRONG
