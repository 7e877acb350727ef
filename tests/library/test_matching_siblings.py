"""Matching when the library holds look-alike siblings, and edits a global colour map cannot follow.

Real photos from the test data: the shop's jersey in three colours (one render recoloured), the same
waterfall photo in eight versions that differ only in a printed numeral, a bright studio shot brightened
until its backdrop clips, and a semi-transparent stain painted over a quarter of a product.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageEnhance

from shopguard.imaging import decode, read_source
from shopguard.library.features import COMPLAINT_SIDE
from shopguard.library.matcher import OVERLAY_MIN_SPREAD, RECOLOUR_STRUCTURE, Match, find_sources
from shopguard.library.verification import complaint_features, verify_geometry
from tests.library.photo_library import box_iou, library, loader, match_photo, stain

JERSEYS = [f"spree__ror_baseball_jersey-{c}__1.png" for c in ("red", "green", "blue")]
WATERFALLS = [f"orientation__landscape_{n}.jpg" for n in (1, 4, 7)]


def _derived(matches: list[Match]) -> list[str]:
    return [Path(m.record.path).name for m in matches if m.kind == "derived"]


def test_recoloured_sibling_is_not_named_as_the_source(testdata: Path, tmp_path: Path) -> None:
    folder = testdata / "product-photos-more"
    store = library([folder / n for n in JERSEYS], tmp_path)
    red = Image.open(folder / JERSEYS[0]).convert("RGB").rotate(12, expand=True, fillcolor="white")
    matches = match_photo(store, red, tmp_path)
    assert _derived(matches) == [JERSEYS[0]]
    others = [m for m in matches if Path(m.record.path).name != JERSEYS[0]]
    # the green and blue jerseys line up perfectly, but only by turning their colour by ~120 degrees
    assert all(m.kind == "same-base" and m.change.hue_shift > 45 for m in others)


def test_held_out_colour_variant_is_not_derived_from_its_siblings(testdata: Path, tmp_path: Path) -> None:
    folder = testdata / "product-photos-more"
    store = library([folder / n for n in JERSEYS[1:]], tmp_path)
    red = Image.open(folder / JERSEYS[0]).convert("RGB")
    assert _derived(match_photo(store, red, tmp_path)) == []


def test_source_among_near_identical_versions_is_the_one_the_complaint_shows(testdata: Path, tmp_path: Path) -> None:
    folder = testdata / "exif-camera"
    store = library([folder / n for n in WATERFALLS], tmp_path)
    four = decode(read_source(folder / WATERFALLS[1])).image
    painted = stain(four, (60, 260, 150, 110), 235)
    matches = match_photo(store, painted, tmp_path)
    assert _derived(matches) == [WATERFALLS[1]]
    assert {Path(m.record.path).name for m in matches if m.kind == "same-base"} <= set(WATERFALLS)


def test_brightened_photo_with_clipped_backdrop_is_derived_without_changes(testdata: Path, tmp_path: Path) -> None:
    folder = testdata / "product-photos-more"
    name = "spree__spree_jersey__1.jpeg"
    store = library([folder / n for n in (name, *JERSEYS)], tmp_path)
    im = Image.open(folder / name).convert("RGB")
    im = ImageEnhance.Contrast(ImageEnhance.Brightness(im).enhance(1.25)).enhance(1.2)
    matches = match_photo(store, im, tmp_path)
    assert _derived(matches) == [name]
    assert matches[0].change.changed_share < 0.02


def test_semi_transparent_stain_over_a_quarter_of_the_photo_is_derived(testdata: Path, tmp_path: Path) -> None:
    folder = testdata / "product-photos-more"
    name = "spree__ror_tote__1.jpeg"
    store = library([folder / name, testdata / "product-photos" / "abo__B0799CK52K__528c608a.jpg"], tmp_path)
    im = Image.open(folder / name).convert("RGB")
    w, h = im.size
    box = (w // 4, h // 4, w // 2, h // 2)  # a quarter of the photo, over the printed bag
    matches = match_photo(store, stain(im, box, 220), tmp_path)
    assert _derived(matches) == [name]
    m = matches[0]
    assert m.change.contrast_in_changed < 0.5  # the bag's print still shows faintly through the stain
    assert box_iou(m.change.regions[0], box) > 0.6


def test_stain_dimming_most_of_a_small_product_is_no_recolour(testdata: Path, tmp_path: Path) -> None:
    """A black hat on a plain backdrop, most of it under a semi-transparent stain: the hat's knit shows through
    (shapes agree) at a fraction of its contrast. Its matched points span a fifth of the photo, too little for
    the overlay rule's large-change allowance, but the change is within the plain limits, and a stain is no
    recolour: a recoloured render keeps its shading at full contrast."""
    folder = testdata / "product-photos-more"
    name = "solidus__winter-hat__1.png"
    store = library([folder / name, folder / "solidus__cap-gray__1.png", folder / "solidus__tote__1.png"], tmp_path)
    im = decode(read_source(folder / name)).image  # transparent backdrop shown as the app shows it
    box = (413, 189, 594, 792)  # 90% of the hat's width and height
    # opacity 210: the knit's structure under it measures 0.85-0.88 between 170 and 210 (with dips below 0.85),
    # so this one sits inside the recolour rule's structure range, which is the point of the test
    matches = match_photo(store, stain(im, box, 210, colour=(95, 60, 30), blur=6, crack=False), tmp_path)
    assert _derived(matches) == [name]
    change = matches[0].change
    assert change.structure_in_changed >= RECOLOUR_STRUCTURE and change.informative_changed_share >= 0.4
    assert change.contrast_in_changed < 0.4 and matches[0].geometry.spread < OVERLAY_MIN_SPREAD
    assert box_iou(change.regions[0], box) > 0.6


@pytest.mark.parametrize("opacity", [255])
def test_opaque_repaint_of_most_of_the_product_is_not_called_derived(
    testdata: Path, tmp_path: Path, opacity: int
) -> None:
    """Covering nearly all of a product with paint leaves nothing to tell a repainted product from another
    product on the same backdrop: ShopGuard must not claim derivation then."""
    folder = testdata / "product-photos-more"
    name = "spree__ror_tote__1.jpeg"
    store = library([folder / name], tmp_path)
    im = Image.open(folder / name).convert("RGB")
    w, h = im.size
    covered = stain(im, (w // 8, h // 10, w * 3 // 4, h * 8 // 10), opacity)
    assert _derived(match_photo(store, covered, tmp_path)) == []


def test_other_view_on_a_blank_backdrop_is_not_derived(testdata: Path, tmp_path: Path) -> None:
    """Two renders of one bottle on a black backdrop: the upright one aligns with the tilted one on its logo,
    and the rest of the tilted view is missing (blank) in it. Missing content is no painted defect."""
    folder = testdata / "product-photos-more"
    store = library([folder / "solidus__water-bottle__1.png"], tmp_path)
    other_view = decode(read_source(folder / "solidus__water-bottle__2.png"), max_side=1600)
    (listing,) = store.photos()
    query = complaint_features(other_view.image, other_view.scale, COMPLAINT_SIDE)
    full = (query.width, query.height)
    geometry = verify_geometry(store.features([listing.id])[listing.id], query, full, (listing.width, listing.height))
    assert geometry is not None, "the two views align (on the logo); the test needs that to mean anything"
    assert _derived(find_sources(store, other_view.image, other_view.scale, loader)) == []


def test_small_product_on_a_plain_backdrop_inside_a_screenshot_is_derived(testdata: Path, tmp_path: Path) -> None:
    """A white stein on white, shown small in an app's refund form with a stain painted on: its matched points
    span only ~2% of the tall screenshot, but a good part of the place the photo takes in it."""
    folder = testdata / "product-photos-more"
    name = "spree__spree_stein__1.jpeg"
    others = [folder / "spree__ror_stein__1.jpeg", folder / "spree__spree_mug__1.jpeg"]
    store = library([folder / name, *others], tmp_path)
    photo = stain(Image.open(folder / name).convert("RGB").resize((400, 400)), (160, 160, 66, 50), 230)
    shot = Image.new("RGB", (1080, 2340), (246, 246, 246))
    shot.paste(photo, (340, 300))
    draw = ImageDraw.Draw(shot)
    draw.rectangle((0, 0, 1080, 90), fill=(20, 20, 20))
    for i in range(4):
        draw.text((60, 740 + 50 * i), "The item arrived damaged, please refund. " * 2, fill=(60, 60, 60))
    matches = match_photo(store, shot, tmp_path)
    assert _derived(matches) == [name]
    assert matches[0].geometry.spread < 0.04 <= matches[0].geometry.covered_spread
    assert matches[0].change.regions


def test_stain_over_part_of_the_print_still_tells_the_source_among_siblings(testdata: Path, tmp_path: Path) -> None:
    """Three jerseys rendered from one template with different prints; the stain hides the top of the print.
    Where the complaint shows neither sibling (under the stain) it has no say; the rest of the print decides."""
    folder = testdata / "product-photos-more"
    name = "spree__spree_jersey__1.jpeg"
    others = ["spree__apache_baseball__1.png", "spree__ruby_baseball__1.png"]
    store = library([folder / n for n in (name, *others)], tmp_path)
    im = decode(read_source(folder / name)).image
    matches = match_photo(store, stain(im, (180, 70, 190, 120), 235), tmp_path)
    assert _derived(matches) == [name]
    assert {Path(m.record.path).name for m in matches if m.kind == "same-base"} <= set(others)


def test_colour_variant_made_from_one_render_is_not_derived_from_another(testdata: Path, tmp_path: Path) -> None:
    """The black-sleeved jersey and the blue one are one render recoloured. A colour map can turn blue sleeves
    black while the red logo stays red, leaving no changed pixel; no buyer's colour edit does that."""
    folder = testdata / "product-photos-more"
    black = "spree__ror_baseball__1.jpeg"
    blue = "spree__ror_baseball_jersey-blue__1.png"
    im = decode(read_source(folder / black)).image
    small = im.resize((im.width // 4, im.height // 4), Image.Resampling.LANCZOS)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    only_blue = library([folder / blue], tmp_path / "a")
    matches = match_photo(only_blue, small, tmp_path)
    assert _derived(matches) == []
    assert [m.change.chroma_balance < 0.35 for m in matches] == [True]  # found, as the same base image
    both = library([folder / blue, folder / black, folder / "spree__ror_baseball_jersey-green__1.png"], tmp_path / "b")
    assert _derived(match_photo(both, small, tmp_path)) == [black]


def test_of_colour_twins_identical_where_the_complaint_shows_them_the_uncoloured_one_comes_first(
    testdata: Path, tmp_path: Path
) -> None:
    """A crop of the red jersey's white body shows only slivers of its sleeves: the three colour versions all fit
    it unchanged, the other two through a colour map that turns their sleeves red. Each is named as derived
    (they differ on under 1% of it), the red one first: it needs no colour map at all."""
    folder = testdata / "product-photos-more"
    store = library([folder / n for n in JERSEYS], tmp_path)
    red = decode(read_source(folder / JERSEYS[0])).image
    body = red.crop((50, 60, 170, 200))  # the print, the white shirt and slivers of the sleeves
    matches = match_photo(store, body.resize((body.width * 2, body.height * 2), Image.Resampling.BICUBIC), tmp_path)
    derived = _derived(matches)
    assert derived and derived[0] == JERSEYS[0]


def test_crop_of_a_mockup_is_found_when_its_siblings_have_more_inliers(testdata: Path, tmp_path: Path) -> None:
    """The shop's other mockups from one template align on the shared model and backdrop with more inliers than
    the bag itself (its own points span far more of the crop): the bag must still be compared and named."""
    folder = testdata / "product-photos-more"
    name = "spree__ror_bag__1.jpeg"
    siblings = ("ror_ringer", "ror_tote", "ror_jr_spaghetti", "ror_baseball")
    paths = [folder / name, *(folder / f"spree__{s}__1.jpeg" for s in siblings)]
    store = library([*paths, folder / "spree__ror_baseball_jersey-green__1.png"], tmp_path)
    im = Image.open(folder / name).convert("RGB")
    w, h = im.size
    crop = im.crop((int(w * 0.15), int(h * 0.25), int(w * 0.8), int(h * 0.9)))
    turned = crop.rotate(10, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(255, 255, 255))
    matches = match_photo(store, turned, tmp_path, quality=50)
    assert _derived(matches) == [name]
    assert abs(abs(matches[0].geometry.rotation_deg) - 10) < 1.5


@pytest.mark.parametrize(
    ("name", "box"),
    [("solidus__water-bottle__1.png", (557, 180, 592, 683)), ("solidus__canvas-tote__1.png", (426, 537, 666, 608))],
)
def test_stain_over_a_quarter_of_the_photo_does_not_bend_the_colour_map(
    testdata: Path, tmp_path: Path, name: str, box: tuple[int, int, int, int]
) -> None:
    """A nearly opaque stain over a quarter of a product photo whose colours the buyer left alone: fitted colour
    maps follow the stain (a bottle's print bleached, the stain half explained away); no map at all explains
    more of the photo, is chosen, and the stain is found whole."""
    folder = testdata / "product-photos-more"
    others = ("solidus__tote__1.png", "solidus__mug-set__1.png")
    store = library([folder / name, *(folder / o for o in others)], tmp_path)
    im = decode(read_source(folder / name)).image
    matches = match_photo(store, stain(im, box, 230), tmp_path)
    assert _derived(matches) == [name]
    change = matches[0].change
    assert (change.chroma_kept, change.hue_shift, change.chroma_balance) == (1.0, 0.0, 1.0)  # colours left alone
    assert box_iou(change.regions[0], box) > 0.7


@pytest.mark.parametrize(("box", "degrees"), [((0.1, 0.05, 0.75, 0.8), 8), ((0.2, 0.15, 0.95, 0.9), -11)])
def test_photo_also_stored_turned_is_named_before_its_turned_twin(
    testdata: Path, tmp_path: Path, box: tuple[float, float, float, float], degrees: int
) -> None:
    """The library holds a photo as is, mirrored, and turned by a free angle with filled corners. A turned, cropped
    q50 copy of it matches all three as derived (they are one picture), but the turned twin covers less of the
    complaint: its compared area is smaller, which made its changed share look the smaller one, and it was named.
    The photo named shows no change (the complaint's white corners are no part of the photo), and the turned twin,
    which covers more of the complaint only with its own corners compared against the photo, is not named first."""
    folder = testdata / "product-photos"
    names = [f"ukbench__ukbench00120{s}.jpg" for s in ("", "_rotation", "_hflip")]
    store = library([folder / n for n in names], tmp_path)
    photo = Image.open(folder / names[0]).convert("RGB")
    w, h = photo.size
    cropped = photo.crop((round(box[0] * w), round(box[1] * h), round(box[2] * w), round(box[3] * h)))
    complaint = cropped.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white")
    matches = match_photo(store, complaint, tmp_path, quality=50)
    derived = _derived(matches)
    assert derived[0] == names[0]
    assert set(derived) <= set(names)
    assert matches[0].change.regions == ()


def test_blank_side_of_a_mug_is_not_derived_from_its_printed_side(testdata: Path, tmp_path: Path) -> None:
    """The shop's mug seen from its blank side is another render of one base, mirrored. It aligns with the printed
    side's photo turned over (handle and rim), and a colour map that washes the red logo out to the white around
    it hid the logo from the comparison: that read as "derived, 3% changed". The map kept 6% of the print's
    colour and 11% of its contrast: no buyer's edit."""
    folder = testdata / "product-photos-more"
    store = library([folder / "spree__ror_mug__1.jpeg"], tmp_path)
    blank_side = decode(read_source(folder / "spree__ror_mug__2.jpeg")).image
    matches = match_photo(store, blank_side, tmp_path, fmt="PNG")
    assert _derived(matches) == []
    assert all(m.change.print_contrast_kept < 0.3 for m in matches)


def test_other_side_of_a_stein_with_its_logo_the_right_way_round_is_same_base(testdata: Path, tmp_path: Path) -> None:
    """The demo shop's stein seen from its other side is its base render turned over with the logo put back on
    the right way round, at the same place: everything but the logo aligns perfectly, and 79% of the listing's
    print reads as changed. Same base image, never derived."""
    folder = testdata / "product-photos-more"
    store = library([folder / "spree__ror_stein__1.jpeg"], tmp_path)
    other_side = decode(read_source(folder / "spree__ror_stein__2.jpeg")).image
    matches = match_photo(store, other_side, tmp_path, fmt="PNG")
    assert [m.kind for m in matches] == ["same-base"]
    assert matches[0].geometry.mirrored and matches[0].change.print_in_changed > 0.75
