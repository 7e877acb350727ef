"""jpeg-ghost: a painted area lacks the earlier JPEG save the rest keeps; honest photos stay ``info``."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Strength
from shopguard.checks.jpeg_ghost import JpegGhostCheck
from shopguard.errors import Cancelled
from shopguard.imaging import probe, read_source
from shopguard.progress import CancelToken
from tests.checks import forensic_edits as edits
from tests.checks.forensic_support import load_photo, run_check

CAMERA = "exif-camera/gps__DSCN0012.jpg"
PRODUCT = "product-photos-more/jskapc__crayola_64_ct__1.jpg"
PRODUCT_SMALL = "product-photos/abo__B074M5HPBD__dcace9b5.jpg"


def _listing(testdata: Path, name: str, tmp_path: Path, quality: int = 70) -> Image.Image:
    """The shop's listing photo: a real photo as software last saved it, at ``quality``."""
    photo = load_photo(testdata / name)
    if max(photo.size) > 1600:
        photo.thumbnail((1600, 1600))  # keep the test fast; listing photos are this size anyway
    path = tmp_path / f"listing-q{quality}.jpg"
    photo.save(path, "JPEG", quality=quality)
    return load_photo(path)


# Inpainting on the small product photo fills a flat, near-white lamp body: flat blocks cannot be
# measured (their rounding is coherent, see jpeg_ghost_maps.MIN_AC_ENERGY), so that case is not here.
@pytest.mark.parametrize(
    ("name", "make"),
    [
        (CAMERA, edits.paint_stain),
        (PRODUCT, edits.paint_stain),
        (PRODUCT_SMALL, edits.paint_stain),
        (CAMERA, edits.inpaint_region),
        (PRODUCT, edits.inpaint_region),
    ],
)
def test_painted_area_resaved_at_another_quality_is_found(testdata: Path, tmp_path: Path, name: str, make) -> None:  # type: ignore[no-untyped-def]
    listing = _listing(testdata, name, tmp_path)
    edited, truth = make(listing, tmp_path / "edited.jpg", seed=1, quality=95)
    [finding] = run_check(JpegGhostCheck(), edited, tmp_path / "ev")
    assert finding.category is Category.COMPRESSION
    assert finding.strength in (Strength.WEAK, Strength.MODERATE), finding.title_key
    assert edits.overlaps(tuple(finding.regions[0]), truth)  # type: ignore[arg-type]
    assert finding.evidence["ghost_quality_range"][0] <= 70 <= finding.evidence["ghost_quality_range"][1]
    detail = finding.detail("en")
    assert finding.fields["region_misfit"] in detail and finding.fields["rest_misfit"] in detail
    assert finding.fields["region_misfit"] in finding.detail("zh_CN")
    [image] = finding.images
    assert image.kind == "jpeg-ghost" and Path(image.path).stat().st_size > 1000


def test_region_is_in_oriented_coordinates(testdata: Path, tmp_path: Path) -> None:
    """A file stored sideways with EXIF orientation 6: the region is where a person sees the edit."""
    stored = _listing(testdata, PRODUCT_SMALL, tmp_path)
    edited_path, (x, y, w, h) = edits.paint_stain(stored, tmp_path / "stored.jpg", seed=2, quality=95)
    exif = Image.Exif()
    exif[0x0112] = 6
    sideways = tmp_path / "sideways.jpg"
    with Image.open(edited_path) as im:
        # Re-saving would add another JPEG generation; copy the stored pixels losslessly instead.
        im.save(sideways, "JPEG", quality="keep", exif=exif.tobytes())
    mask = Image.new("L", stored.size)
    mask.paste(255, (x, y, x + w, y + h))
    left, top, right, bottom = mask.transpose(Image.Transpose.ROTATE_270).getbbox() or (0, 0, 0, 0)
    [finding] = run_check(JpegGhostCheck(), sideways, None)
    assert finding.strength.rank >= Strength.WEAK.rank
    assert edits.overlaps(tuple(finding.regions[0]), (left, top, right - left, bottom - top))  # type: ignore[arg-type]
    facts = probe(read_source(sideways))
    assert (facts.width, facts.height) == (stored.height, stored.width)


@pytest.mark.parametrize("name", [CAMERA, PRODUCT, "exif-camera/exif-org__sony-powershota5.jpg"])
@pytest.mark.parametrize("resave", [None, 80, 95])
def test_untouched_photos_give_nothing_above_info(
    testdata: Path, tmp_path: Path, name: str, resave: int | None
) -> None:
    """Honest photos, as taken or re-saved by a chat app (q80) or an editing app (q95)."""
    path = testdata / name
    if resave is not None:
        path = tmp_path / f"resaved-{resave}.jpg"
        load_photo(testdata / name).save(path, "JPEG", quality=resave)
    for finding in run_check(JpegGhostCheck(), path, tmp_path / "ev"):
        assert finding.strength is Strength.INFO, (finding.title_key, finding.fields)
        assert finding.regions == ()
        assert "quality" in finding.detail("en")


def test_no_earlier_save_means_no_finding(testdata: Path, tmp_path: Path) -> None:
    """A photo saved once (or re-saved lower by a chat app): the check cannot judge and says nothing."""
    assert run_check(JpegGhostCheck(), testdata / CAMERA, tmp_path) == []
    chat = tmp_path / "chat.jpg"
    load_photo(testdata / PRODUCT_SMALL).save(chat, "JPEG", quality=75)
    assert run_check(JpegGhostCheck(), chat, tmp_path) == []


def test_honest_resave_names_the_earlier_quality(testdata: Path, tmp_path: Path) -> None:
    listing = _listing(testdata, PRODUCT_SMALL, tmp_path, quality=70)
    honest = tmp_path / "honest.jpg"
    listing.save(honest, "JPEG", quality=95)
    [finding] = run_check(JpegGhostCheck(), honest, None)
    assert finding.title_key == "forensic.ghost.consistent.title"
    assert finding.evidence["last_quality"] == 95
    assert str(finding.fields["ghost_quality"]) in finding.detail("en")


@pytest.mark.parametrize("name", ["product-photos/skimage__coffee.png", "exif-camera/heic__samplefilehub.heif"])
def test_non_jpeg_gives_no_finding(testdata: Path, tmp_path: Path, name: str) -> None:
    assert run_check(JpegGhostCheck(), testdata / name, tmp_path) == []


def test_cancel_stops_between_qualities(testdata: Path, tmp_path: Path) -> None:
    listing = _listing(testdata, PRODUCT_SMALL, tmp_path)
    edited, _ = edits.paint_stain(listing, tmp_path / "edited.jpg", seed=1, quality=95)
    source = read_source(edited)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        JpegGhostCheck().run(CheckContext(source=source, facts=probe(source), cancel=token))


def test_listing_cropped_before_the_edit_is_found_on_its_own_grid(testdata: Path, tmp_path: Path) -> None:
    """Cropping 3×5 px moves the earlier save's 8×8 grid; the check finds it by its block edges."""
    listing = _listing(testdata, PRODUCT, tmp_path)
    cropped = listing.crop((3, 5, listing.width, listing.height))
    edited, truth = edits.paint_stain(cropped, tmp_path / "edited.jpg", seed=1, quality=95)
    [finding] = run_check(JpegGhostCheck(), edited, None)
    assert finding.evidence["grid_offset"] == [5, 3]  # (8 - 3) % 8, (8 - 5) % 8
    assert finding.strength.rank >= Strength.WEAK.rank
    assert edits.overlaps(tuple(finding.regions[0]), truth)  # type: ignore[arg-type]
    honest = tmp_path / "honest.jpg"
    cropped.save(honest, "JPEG", quality=95)
    [finding] = run_check(JpegGhostCheck(), honest, None)
    assert finding.strength is Strength.INFO and finding.title_key == "forensic.ghost.consistent.title"
