"""Degraded copies must not read as changed: a tiny thumbnail, a rotated crop with white corners, a darkened
photo on a plain backdrop. Each of these used to leave a false "changed" band or cut the compared area short.
A stain over a label of small print used to pull the fine alignment off the print around it.

Real photos from the test data; the edits are made here.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageEnhance

from shopguard.imaging import decode, read_source
from shopguard.library.matcher import Match
from tests.library.photo_library import box_iou, library, match_photo, stain

MORE = "product-photos-more"


def _derived(matches: list[Match]) -> list[Match]:
    return [m for m in matches if m.kind == "derived"]


def test_quarter_size_thumbnail_is_derived_without_changes(testdata: Path, tmp_path: Path) -> None:
    """360 px shown at 90 px: the comparison's edge band is a fifth of such a photo and must not count."""
    folder = testdata / MORE
    name = "spree__ror_jr_spaghetti__1.jpeg"
    others = [folder / "spree__ror_ringer__1.jpeg", folder / "spree__ror_tote__1.jpeg"]
    store = library([folder / name, *others], tmp_path)
    im = Image.open(folder / name).convert("RGB")
    small = im.resize((im.width // 4, im.height // 4), Image.Resampling.LANCZOS)
    derived = _derived(match_photo(store, small, tmp_path, "PNG"))
    assert [Path(m.record.path).name for m in derived] == [name]
    assert derived[0].change.regions == ()
    assert derived[0].change.similarity_outside > 0.97


def test_rotated_crop_with_white_corners_is_derived_without_changes(testdata: Path, tmp_path: Path) -> None:
    """A phone photo cropped, turned 12 degrees (white fill in the corners) and saved at JPEG q50: the fill and
    its blurred border are no change, and they must not pull the fine alignment off."""
    folder = testdata / MORE
    name = "grocerystore__Alpro-Blueberry-Soyghurt__4.jpg"
    siblings = [folder / f"grocerystore__Alpro-Blueberry-Soyghurt__{n}.jpg" for n in (1, 2)]
    store = library([folder / name, *siblings], tmp_path)
    im = Image.open(folder / name).convert("RGB")
    w, h = im.size
    crop = im.crop((w // 8, h // 10, w // 8 + w * 7 // 10, h // 10 + h * 7 // 10))
    turned = crop.rotate(12, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(255, 255, 255))
    derived = _derived(match_photo(store, turned, tmp_path, quality=50))
    assert [Path(m.record.path).name for m in derived] == [name]
    change = derived[0].change
    assert change.changed_share < 0.01
    assert change.similarity_outside > 0.97
    assert change.overlap_share < 0.9  # the white corners are not compared


def test_darkened_photo_on_a_plain_backdrop_is_compared_whole(testdata: Path, tmp_path: Path) -> None:
    """A 25% darker copy: the plain backdrop no longer has the listing's grey level, but it is still the photo
    and is compared (a stain painted on it must be seen), not cut away as "not the photo"."""
    folder = testdata / MORE
    name = "solidus__t-shirt__1.png"
    store = library([folder / name, folder / "solidus__hoodie-black__1.png"], tmp_path)
    im = ImageEnhance.Brightness(decode(read_source(folder / name)).image).enhance(0.75)  # backdrop as stored
    derived = _derived(match_photo(store, im, tmp_path, "PNG"))
    assert [Path(m.record.path).name for m in derived] == [name]
    assert derived[0].change.overlap_share > 0.9
    assert derived[0].change.regions == ()


def test_quarter_size_text_label_is_compared_whole(testdata: Path, tmp_path: Path) -> None:
    """A label printed on white paper, at a quarter size: the paper reaching the corners is no rotation fill
    (the text makes it textured in both photos), so it stays in the comparison."""
    name = "abo__B07GTFSCHB__7e487bec.jpg"
    folder = testdata / "product-photos"
    store = library([folder / name, folder / "abo__B07GTFSCHB__844a1cce.jpg"], tmp_path)
    im = decode(read_source(folder / name)).image
    small = im.resize((im.width // 4, im.height // 4), Image.Resampling.LANCZOS)
    derived = _derived(match_photo(store, small, tmp_path, "PNG"))
    assert [Path(m.record.path).name for m in derived] == [name]
    assert derived[0].change.overlap_share > 0.9


def test_stain_over_a_quarter_of_a_text_label_does_not_pull_the_fine_alignment(testdata: Path, tmp_path: Path) -> None:
    """A label of small print, a brown stain over a quarter of it: the stain pulled ECC's polish off the print
    (correlation 0.23), and the misaligned print outside the stain read as a different picture. ECC is run
    again without the stain's blobs."""
    folder = testdata / "product-photos"
    name = "abo__B07GTFSCHB__3238d76f.jpg"
    store = library(
        [folder / name, folder / "abo__B07GTFSCHB__7e487bec.jpg", folder / "abo__B074M5HPBD__dcace9b5.jpg"], tmp_path
    )
    im = decode(read_source(folder / name)).image
    box = (219, 3, 274, 353)
    stained = stain(im, box, 230, colour=(85, 55, 30), blur=3, crack=False)
    derived = _derived(match_photo(store, stained, tmp_path, "PNG"))
    assert [Path(m.record.path).name for m in derived] == [name]
    assert derived[0].change.similarity_outside > 0.97
    assert box_iou(derived[0].change.regions[0], box) > 0.6
