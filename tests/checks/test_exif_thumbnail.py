"""EXIF thumbnail vs photo: untouched photos match; painted or swapped pictures are caught."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import piexif
import pytest
from PIL import Image, ImageDraw

from shopguard.checks.exif_thumbnail import ExifThumbnailCheck
from shopguard.checks.findings import Category, Strength
from shopguard.checks.thumbnail_compare import compare
from shopguard.imaging import read_source
from shopguard.imaging.photo_metadata import read_metadata
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


# iPhone 5s (iOS 8.3) photos: 160x112 previews of 4:3 photos, the full width at the photo's own scale
# with 1/15 of the height cut from one edge (measured, see shopguard/checks/thumbnail_compare.py).
IPHONE = "product-photos-more/jskapc__crayola_64_ct__1.jpg"
UNTOUCHED_SETS = ("exif-camera", "heic-avif", "product-photos", "product-photos-more", "c2pa")


def _camera_files(testdata: Path) -> list[Path]:
    return [
        path
        for name in UNTOUCHED_SETS
        for path in sorted((testdata / name).iterdir())
        if path.suffix.lower() in (".jpg", ".jpeg", ".heic", ".heif")
        and read_metadata(read_source(path)).exif.thumbnail
    ]


def test_untouched_photos_of_every_camera_give_no_finding_above_info(testdata: Path) -> None:
    files = _camera_files(testdata)
    assert len(files) >= 55  # 34 cameras, the Xiaomi HEIC, ukbench, 8 iPhone 5s photos, c2pa samples
    for path in files:
        for f in run_check(ExifThumbnailCheck(), path):
            assert f.strength is Strength.INFO, (path.name, f.evidence)


def test_iphone_preview_is_lined_up_with_its_one_sided_cut(testdata: Path) -> None:
    iphones = sorted((testdata / "product-photos-more").glob("jskapc__*__1.jpg"))
    assert len(iphones) == 8
    for path in iphones:
        [finding] = run_check(ExifThumbnailCheck(), path)
        assert finding.strength is Strength.INFO, (path.name, finding.evidence)
        assert finding.evidence["correlation"] >= 0.93, (path.name, finding.evidence)
        if finding.evidence["thumbnail_size"] in ([160, 112], [112, 160]):
            x, y, x1, y1 = finding.evidence["photo_box"]
            cut = max(x, y)  # 1/15 of the short side is not in the preview, on one edge only
            assert 55 <= cut <= 80 and min(x, y) <= 5 and x1 >= 995 and y1 >= 995, finding.evidence


def _iphone_copy(testdata: Path, dst: Path, edit: str) -> Path:
    """The iPhone photo reduced to a quarter (EXIF and its old preview kept), then edited."""
    with Image.open(testdata / IPHONE) as im:
        exif = im.info["exif"]
        im.draft("RGB", (im.width // 4, im.height // 4))
        pixels = im.convert("RGB")
    w, h = pixels.size
    if edit == "patch":  # a dark stain on the crayon box
        ImageDraw.Draw(pixels).ellipse((w * 0.55, h * 0.3, w * 0.8, h * 0.6), fill=(40, 30, 20))
    elif edit == "crop":  # the buyer crops 15 % off the left and bottom edges: honest
        pixels = pixels.crop((round(w * 0.15), 0, w, round(h * 0.85)))
    elif edit == "strip":  # the buyer keeps a quarter-width strip showing one detail: honest
        pixels = pixels.crop((round(w * 0.35), 0, round(w * 0.6), h))
    elif edit == "other":  # another real photo under the iPhone's EXIF
        with Image.open(testdata / "exif-camera" / CAMERA) as other:
            pixels = other.convert("RGB").resize(pixels.size)
    pixels.save(dst, "JPEG", quality=90, exif=exif)
    return dst


@pytest.mark.parametrize("crop", ["crop", "strip"])
def test_iphone_photo_cropped_by_the_buyer_stays_info(testdata: Path, tmp_path: Path, crop: str) -> None:
    [finding] = run_check(ExifThumbnailCheck(), _iphone_copy(testdata, tmp_path / "crop.jpg", crop))
    assert finding.strength is Strength.INFO, finding.evidence


def test_stain_painted_on_an_iphone_photo_is_found_and_located(testdata: Path, tmp_path: Path) -> None:
    path = _iphone_copy(testdata, tmp_path / "stain.jpg", "patch")
    [finding] = run_check(ExifThumbnailCheck(), path)
    assert finding.strength is Strength.MODERATE, finding.evidence
    with Image.open(path) as im:
        w, h = im.size
    [(x, y, rw, rh)] = finding.regions
    assert x < w * 0.8 and x + rw > w * 0.55 and y < h * 0.6 and y + rh > h * 0.3, (finding.regions, w, h)


def test_other_picture_under_iphone_exif_is_strong(testdata: Path, tmp_path: Path) -> None:
    [finding] = run_check(ExifThumbnailCheck(), _iphone_copy(testdata, tmp_path / "other.jpg", "other"))
    assert finding.strength is Strength.STRONG, finding.evidence


def test_one_sided_preview_cut_built_from_a_nikon_photo(testdata: Path, tmp_path: Path) -> None:
    """A 160x112 preview made the iPhone's way from a Nikon photo: untouched -> info; painted -> found."""
    src = testdata / "exif-camera" / CAMERA
    exif = piexif.load(str(src))
    with Image.open(src) as im:
        pixels = im.convert("RGB")
    preview = io.BytesIO()
    pixels.resize((160, 120), Image.Resampling.LANCZOS).crop((0, 8, 160, 120)).save(preview, "JPEG", quality=90)
    exif["thumbnail"] = preview.getvalue()
    untouched, painted = tmp_path / "cut.jpg", tmp_path / "cut-painted.jpg"
    pixels.save(untouched, "JPEG", quality=92, exif=piexif.dump(exif))
    ImageDraw.Draw(pixels).rectangle((380, 120, 560, 300), fill=(20, 20, 20))
    pixels.save(painted, "JPEG", quality=92, exif=piexif.dump(exif))
    [same] = run_check(ExifThumbnailCheck(), untouched)
    assert same.strength is Strength.INFO and same.evidence["correlation"] >= 0.95, same.evidence
    [changed] = run_check(ExifThumbnailCheck(), painted)
    assert changed.strength.rank >= Strength.MODERATE.rank, changed.evidence
    for x, y, w, h in changed.regions:
        assert x < 560 and x + w > 380 and y < 300 and y + h > 120, changed.regions


def test_awkward_sizes_never_crash_the_comparison() -> None:
    rng = np.random.default_rng(0)
    thumbs = [(1, 1), (16, 16), (300, 20), (20, 300), (160, 112), (500, 3)]
    photos = [(1, 1), (3, 200), (512, 384), (512, 20), (200, 3)]
    for tw, th in thumbs:
        for pw, ph in photos:
            thumb = Image.fromarray(rng.integers(0, 256, (th, tw, 3), dtype=np.uint8))
            for photo in (
                Image.fromarray(rng.integers(0, 256, (ph, pw, 3), dtype=np.uint8)),
                Image.new("RGB", (pw, ph)),
            ):
                result, _, _ = compare(thumb, photo)
                assert -1.01 <= result.correlation <= 1.01, ((tw, th), (pw, ph), result)


def _square_with_preview(testdata: Path, tmp_path: Path, preview_turn: Image.Transpose | None) -> Path:
    """A square crop of the Nikon photo with a 120x120 preview of that crop, stored turned by ``preview_turn``
    (a writer that rotated the pixels but not the preview) while the orientation tag stays 1."""
    with Image.open(testdata / "exif-camera" / CAMERA) as im:
        exif = piexif.load(im.info["exif"])
        square = im.convert("RGB").crop((80, 0, 560, 480))
    preview = square.resize((120, 120), Image.Resampling.LANCZOS)
    if preview_turn is not None:
        preview = preview.transpose(preview_turn)
    buffer = io.BytesIO()
    preview.save(buffer, "JPEG", quality=90)
    exif["thumbnail"] = buffer.getvalue()
    exif["0th"][piexif.ImageIFD.Orientation] = 1
    path = tmp_path / "square.jpg"
    square.save(path, "JPEG", quality=92, exif=piexif.dump(exif))
    return path


@pytest.mark.parametrize(
    "turn",
    [Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.TRANSPOSE, Image.Transpose.FLIP_LEFT_RIGHT],
)
def test_square_photo_with_a_preview_stored_turned_still_matches(
    testdata: Path, tmp_path: Path, turn: Image.Transpose
) -> None:
    # Only the likeliest other orientations (by the stretched reading) are registered: the right one is among them.
    [finding] = run_check(ExifThumbnailCheck(), _square_with_preview(testdata, tmp_path, turn))
    assert finding.strength is Strength.INFO, finding.evidence
    assert finding.evidence["orientation_used"] != 1, finding.evidence


def test_preview_matching_in_no_orientation_costs_at_most_three_registrations(
    testdata: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A square photo whose pixels are another picture: no orientation matches. Every registration is ~25
    # correlations; trying all 8 orientations made the slowest fuzzed file (11.7 s under load).
    from shopguard.checks import thumbnail_compare

    path = _square_with_preview(testdata, tmp_path, None)
    with Image.open(path) as im:
        exif = im.info["exif"]
    Image.linear_gradient("L").resize((480, 480)).convert("RGB").save(path, "JPEG", quality=92, exif=exif)
    calls = []
    real = thumbnail_compare.registered

    def counted(thumb: Image.Image, photo: Image.Image) -> thumbnail_compare.AlignedPair | None:
        calls.append(thumb.size)
        return real(thumb, photo)

    monkeypatch.setattr(thumbnail_compare, "registered", counted)
    [finding] = run_check(ExifThumbnailCheck(), path)
    assert finding.strength is Strength.STRONG, finding.evidence
    assert len(calls) <= 3, calls


def test_an_oversized_preview_is_compared_reduced_and_reported_at_its_stored_size(
    testdata: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A preview as large as the APP1 segment allows (here 1600x1200 of smooth detail, < 60 kB) is decoded reduced
    # (DCT scaling), never at full size: the comparison works at 64-128 px anyway.
    with Image.open(testdata / "exif-camera" / CAMERA) as im:
        exif = piexif.load(im.info["exif"])
        pixels = im.convert("RGB")
    buffer = io.BytesIO()
    pixels.resize((160, 120)).resize((1600, 1200), Image.Resampling.BILINEAR).save(buffer, "JPEG", quality=8)
    assert len(buffer.getvalue()) < 60_000
    exif["thumbnail"] = buffer.getvalue()
    path = tmp_path / "big-preview.jpg"
    pixels.save(path, "JPEG", quality=92, exif=piexif.dump(exif))
    from shopguard.checks import exif_thumbnail

    compared = []
    real = compare

    def recorded(thumb: Image.Image, photo: Image.Image) -> object:
        compared.append(thumb.size)
        return real(thumb, photo)

    monkeypatch.setattr(exif_thumbnail, "compare", recorded)
    [finding] = run_check(ExifThumbnailCheck(), path, artifact_dir=tmp_path / "art")
    assert compared and max(max(size) for size in compared) <= 512, compared
    assert finding.evidence["thumbnail_size"] == [1600, 1200]
    assert finding.strength is Strength.INFO, finding.evidence
