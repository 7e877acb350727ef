"""The library-match check end to end: demo complaint, evidence images, same-base and no-change outcomes."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from shopguard.cases.model import Case
from shopguard.cases.service import CheckRequest, check_photos
from shopguard.checks.findings import Finding
from shopguard.library.indexer import index_paths
from shopguard.library.store import LibraryStore
from shopguard.paths import Home, resolve_home


def _check(library_paths: list[Path], photo: Path) -> tuple[Case, Finding | None]:
    home = Home(resolve_home(None)).ensure()
    store = LibraryStore(home.library_db)
    index_paths(store, library_paths, workers=1)
    case = check_photos(home, CheckRequest(photos=(photo,)), store)
    found = [f for f in case.photos[0].findings if f.check == "library-match"]
    return case, found[0] if found else None


def test_demo_stain_is_derived_with_the_painted_region(demo: Path) -> None:
    complaint = demo / "complaints" / "complaint-bag-stain.jpg"
    _, finding = _check([demo / "library"], complaint)
    assert finding is not None
    assert finding.category.value == "library-derived" and finding.strength.value == "strong"
    assert finding.library_photo is not None and finding.library_photo.endswith("abo__B0799CK52K__528c608a.jpg")
    with Image.open(complaint) as im:
        w, h = im.size
    truth = (0.35 * w, 0.42 * h, 0.62 * w, 0.62 * h)  # scripts/make_demo_complaints.py painted here
    x, y, rw, rh = finding.regions[0]
    inter = max(0, min(x + rw, truth[2]) - max(x, truth[0])) * max(0, min(y + rh, truth[3]) - max(y, truth[1]))
    union = rw * rh + (truth[2] - truth[0]) * (truth[3] - truth[1]) - inter
    assert inter / union > 0.6
    kinds = {img.kind for img in finding.images}
    assert {"side-by-side", "changed-outline", "heatmap", "listing"} <= kinds
    assert all(Path(img.path).is_file() for img in finding.images)
    transform = finding.evidence["transform"]
    assert abs(transform["scale"] - 0.8) < 0.02 and transform["mirrored"] is False
    assert finding.evidence["covered_share"] > 0.95
    assert "changed" in finding.detail("en") or "region" in finding.detail("en")
    assert finding.detail("zh_CN") != finding.detail("en")


def test_resaved_listing_photo_is_derived_without_a_region(demo: Path) -> None:
    _, finding = _check([demo / "library"], demo / "complaints" / "complaint-bulb-resaved.jpg")
    assert finding is not None and finding.strength.value == "strong"
    assert finding.title_key == "finding.library.derived_unchanged.title"
    assert finding.regions == ()
    assert finding.library_photo is not None and finding.library_photo.endswith("abo__B074M5HPBD__dcace9b5.jpg")


def test_recoloured_mockup_is_same_base_not_derived(testdata: Path, tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    shop.mkdir()
    more = testdata / "product-photos-more"
    for name in ("solidus__cap-black__1.png", "solidus__canvas-tote__1.png"):
        (shop / name).write_bytes((more / name).read_bytes())
    _, finding = _check([shop], more / "solidus__cap-red__1.png")
    assert finding is None or finding.strength.value == "info"


def test_unrelated_camera_photo_gives_no_library_finding(demo: Path, testdata: Path) -> None:
    _, finding = _check([demo / "library"], testdata / "exif-camera" / "exif-org__fujifilm-dx10.jpg")
    assert finding is None


def test_thin_crack_gets_an_enlarged_crop(demo: Path, tmp_path: Path) -> None:
    """A 1 px crack over the duffel bag: derived with a region, and the region shown enlarged (changed-zoom)."""
    listing = demo / "library" / "abo__B0799CK52K__528c608a.jpg"
    with Image.open(listing) as im:
        photo = im.convert("RGB")
    w, h = photo.size
    crack = [(round(w * 0.40), round(h * 0.50)), (round(w * 0.48), round(h * 0.53)), (round(w * 0.56), round(h * 0.51))]
    ImageDraw.Draw(photo).line(crack, fill=(235, 230, 220), width=1)
    complaint = tmp_path / "complaint-crack.jpg"
    photo.save(complaint, quality=80)
    _, finding = _check([demo / "library"], complaint)
    assert finding is not None and finding.strength.value == "strong" and finding.regions
    zoom = [img for img in finding.images if img.kind == "changed-zoom"]
    assert zoom and Path(zoom[0].path).is_file()


def _sharpness(rgb: Image.Image) -> float:
    """Mean absolute Laplacian of the grey picture: fine detail left in it."""
    import numpy as np

    grey = np.asarray(rgb.convert("L"), dtype=np.float32)
    lap = grey[1:-1, 2:] + grey[1:-1, :-2] + grey[2:, 1:-1] + grey[:-2, 1:-1] - 4 * grey[1:-1, 1:-1]
    return float(np.abs(lap).mean())


def test_listing_evidence_is_as_sharp_as_the_buyers_photo(demo: Path, tmp_path: Path) -> None:
    """The listing photo shown beside the buyer's is warped from a larger original: it must not look blurrier
    than the buyer's copy (the comparison's own smoothing stays out of the evidence pictures)."""
    listing = demo / "library" / "abo__B07GTFSCHB__844a1cce.jpg"
    with Image.open(listing) as im:
        copy = im.convert("RGB").resize((700, 700), Image.Resampling.LANCZOS)
    complaint = tmp_path / "resaved.jpg"
    copy.save(complaint, quality=92)
    _, finding = _check([demo / "library"], complaint)
    assert finding is not None and finding.category.value == "library-derived"
    shown = next(img for img in finding.images if img.kind == "listing")
    with Image.open(shown.path) as aligned, Image.open(complaint) as buyer:
        picture = aligned.crop((0, 0, *buyer.size))  # below it: the "annotated copy" band
        # Warping with bilinear interpolation and the anti-alias a shrink needs keeps ~60% of a Lanczos
        # resize's fine detail; the comparison's blur on top of it kept 25%.
        assert _sharpness(picture) > 0.5 * _sharpness(buyer)


GROCERY_SECOND_SHOTS = (
    "grocerystore__Arla-Lactose-Medium-Fat-Milk__3.jpg",
    "grocerystore__Arla-Lactose-Medium-Fat-Milk__4.jpg",
)
"""Two phone photos of one carton held in front of one shelf, seconds apart (GroceryStoreDataset): the carton
lines up, the shelf behind it moved (parallax) and the hand turned. It used to read as strong "derived"."""


def _shop_of(tmp_path: Path, photo: Path) -> Path:
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / photo.name).write_bytes(photo.read_bytes())
    return shop


def test_second_shot_of_the_same_scene_is_same_scene_not_derived(testdata: Path, tmp_path: Path) -> None:
    more = testdata / "product-photos-more"
    listing, second = (more / name for name in GROCERY_SECOND_SHOTS)
    case, finding = _check([_shop_of(tmp_path, listing)], second)
    assert finding is not None
    assert finding.strength.value == "info" and finding.title_key == "finding.library.same_scene.title"
    assert finding.evidence["relation"] == "same-scene" and finding.evidence["moved_share"] >= 0.5
    assert finding.regions == () and finding.images == ()
    assert case.photos[0].verdict.fields.get("top_check") != "library-match"  # never the strongest fact
    assert "same scene" in finding.title("en").lower() and finding.detail("zh_CN") != finding.detail("en")


def test_copy_with_a_painted_fifth_stays_derived(testdata: Path, tmp_path: Path) -> None:
    """The same listing photo, copied with an opaque stain and a crack over a fifth of it and re-saved at q70: the
    changed area is new content, not the scene's own moved, so the copy is derived with the stain as its region."""
    listing = testdata / "product-photos-more" / GROCERY_SECOND_SHOTS[0]
    with Image.open(listing) as im:
        photo = im.convert("RGB")
    w, h = photo.size
    box = (round(0.30 * w), round(0.35 * h), round(0.75 * w), round(0.80 * h))  # 20% of the photo, on the carton
    draw = ImageDraw.Draw(photo)
    draw.ellipse(box, fill=(92, 58, 30))
    draw.line(
        [(box[0] + 10, (box[1] + box[3]) // 2), (box[2] - 10, (box[1] + box[3]) // 2 + 12)], fill=(15, 10, 5), width=4
    )
    complaint = tmp_path / "complaint-stain.jpg"
    photo.save(complaint, quality=70)
    _, finding = _check([_shop_of(tmp_path, listing)], complaint)
    assert finding is not None and finding.strength.value == "strong"
    assert finding.title_key == "finding.library.derived_changed.title" and finding.regions
    assert "relation" not in finding.evidence


def test_no_changed_region_is_said_at_the_stated_sensitivity(demo: Path, tmp_path: Path) -> None:
    """An untouched copy enlarged to 2,048 px is compared at 1,024 px: "no changed region" says that a mark
    thinner than about 2 px of the photo can go unseen."""
    with Image.open(demo / "library" / "abo__B07GTFSCHB__844a1cce.jpg") as im:
        copy = im.convert("RGB").resize((2048, 2048), Image.Resampling.BICUBIC)
    complaint = tmp_path / "enlarged.jpg"
    copy.save(complaint, quality=90)
    _, finding = _check([demo / "library"], complaint)
    assert finding is not None and finding.category.value == "library-derived" and not finding.regions
    assert finding.fields["compared_px"] == 1024 and finding.fields["finest_px"] == 2
    assert "1024 px across" in finding.detail("en") and "about 2 px" in finding.detail("en")
    assert "1024 像素宽" in finding.detail("zh_CN")


def _copy_move(case: Case) -> Finding:
    [found] = [f for f in case.photos[0].findings if f.check == "copy-move"]
    return found


def test_repeat_already_in_the_listing_photo_is_not_held_against_the_buyer(demo: Path, tmp_path: Path) -> None:
    """The multipack listing photo is one bulb pasted sixteen times. An untouched crop of it shows a clean clone
    (copy-move ``moderate`` on its own), but the buyer's photo agrees with the listing there: info, explained."""
    with Image.open(demo / "library" / "abo__B074M5HPBD__9ea6992d.jpg") as im:
        pack = im.convert("RGB")
    w, h = pack.size
    complaint = tmp_path / "pack-crop.jpg"
    pack.crop((0, 0, int(w * 0.7), int(h * 0.7))).save(complaint, quality=85)
    case, finding = _check([demo / "library"], complaint)
    assert finding is not None and finding.strength.value == "strong" and finding.regions == ()
    clone = _copy_move(case)
    assert clone.evidence.get("explained_by_listing") is True
    assert clone.evidence["strength_before"] in ("weak", "moderate")
    assert clone.strength.value == "info" and len(clone.regions) == 2
    assert "abo__B074M5HPBD__9ea6992d.jpg" in clone.detail("en") and clone.detail("zh_CN") != clone.detail("en")
    assert case.photos[0].verdict.level.value == "strong"


def test_buyers_own_clone_on_a_listing_photo_stays_a_suspicion(demo: Path, tmp_path: Path) -> None:
    """A patch of the listing photo cloned onto another place by the buyer: the pasted copy is a changed region of
    the library match, so the copy-move is not explained away."""
    from tests.checks import forensic_edits as edits

    with Image.open(demo / "library" / "abo__B0799CK52K__528c608a.jpg") as im:
        bag = im.convert("RGB")
    complaint, _source, target = edits.clone_patch(bag, tmp_path / "bag-clone.jpg", seed=1)
    case, finding = _check([demo / "library"], complaint)
    assert finding is not None and finding.strength.value == "strong"
    assert any(edits.overlaps(tuple(r), target) for r in finding.regions)  # type: ignore[arg-type]
    clone = _copy_move(case)
    assert clone.strength.value in ("weak", "moderate")
    assert "explained_by_listing" not in clone.evidence
