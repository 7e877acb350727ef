"""EXIF thumbnail vs photo: untouched photos match; painted or swapped pictures are caught."""

from __future__ import annotations

from pathlib import Path

import piexif
import pytest
from PIL import Image, ImageDraw

from shopguard.checks.exif_thumbnail import ExifThumbnailCheck
from shopguard.checks.findings import Category, Strength
from tests.checks.metadata_support import run_check

CAMERA = "gps__DSCN0010.jpg"  # Nikon COOLPIX P6000, 640x480 with a 160x120 EXIF thumbnail


def _resave(src: Path, dst: Path, edit: str) -> Path:
    with Image.open(src) as im:
        exif = im.info["exif"]
        pixels = im.convert("RGB")
    if edit == "patch":  # a painted "defect" over a fifth of the frame
        ImageDraw.Draw(pixels).rectangle((380, 120, 560, 300), fill=(20, 20, 20))
    elif edit == "swap":  # a different picture under the same EXIF
        pixels = Image.linear_gradient("L").resize(pixels.size).convert("RGB").rotate(90)
    pixels.save(dst, "JPEG", quality=92, exif=exif)
    return dst


def test_untouched_camera_photos_match(testdata: Path) -> None:
    for path in sorted((testdata / "exif-camera").glob("*.jpg")):
        for f in run_check(ExifThumbnailCheck(), path):
            assert f.strength is Strength.INFO, (path.name, f.evidence)


def test_painted_area_is_found_and_located(testdata: Path, tmp_path: Path) -> None:
    path = _resave(testdata / "exif-camera" / CAMERA, tmp_path / "patched.jpg", "patch")
    [finding] = run_check(ExifThumbnailCheck(), path, artifact_dir=tmp_path / "art")
    assert finding.category is Category.THUMBNAIL_MISMATCH
    assert finding.strength.rank >= Strength.MODERATE.rank, finding.evidence
    if finding.regions:
        x, y, w, h = finding.regions[0]
        assert x < 560 and x + w > 380 and y < 300 and y + h > 120, finding.regions
    assert [i.kind for i in finding.images] == ["thumbnail", "thumbnail"]
    assert all(Path(i.path).is_file() for i in finding.images)


def test_swapped_picture_is_strong(testdata: Path, tmp_path: Path) -> None:
    path = _resave(testdata / "exif-camera" / CAMERA, tmp_path / "swapped.jpg", "swap")
    [finding] = run_check(ExifThumbnailCheck(), path, artifact_dir=tmp_path / "art")
    assert finding.strength is Strength.STRONG, finding.evidence
    assert "correlation" in finding.detail("en")


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_orientation_is_applied_to_the_thumbnail(testdata: Path, tmp_path: Path, orientation: int) -> None:
    with Image.open(testdata / "exif-camera" / CAMERA) as im:
        exif = piexif.load(im.info["exif"])  # piexif keeps the IFD1 thumbnail, Pillow's tobytes drops it
        pixels = im.convert("RGB")
    exif["0th"][piexif.ImageIFD.Orientation] = orientation
    # Store pixels in sensor order so that applying the orientation shows the original scene.
    inverse = {3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}
    path = tmp_path / "oriented.jpg"
    pixels.transpose(inverse[orientation]).save(path, "JPEG", quality=92, exif=piexif.dump(exif))
    [finding] = run_check(ExifThumbnailCheck(), path)
    assert finding.strength is Strength.INFO, finding.evidence
