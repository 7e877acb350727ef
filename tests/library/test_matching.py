"""Matching real product photos after buyer-style edits; rejecting other views of the same product."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from shopguard.library.indexer import index_paths
from shopguard.library.matcher import Match
from shopguard.library.store import LibraryStore
from tests.library.photo_library import match_photo

BAG = "abo__B0799CK52K__528c608a.jpg"


@pytest.fixture(scope="module")
def library(testdata: Path, tmp_path_factory: pytest.TempPathFactory) -> LibraryStore:
    """The ABO product photos except one view of the bag (held out as a hard negative), plus camera photos."""
    folder = tmp_path_factory.mktemp("shop")
    for p in sorted((testdata / "product-photos").glob("abo__*.jpg")):
        if p.name != "abo__B0799CK52K__95f7ee92.jpg":
            shutil.copy(p, folder / p.name)
    for name in ("gps__DSCN0010.jpg", "exif-org__fujifilm-dx10.jpg"):
        shutil.copy(testdata / "exif-camera" / name, folder / name)
    store = LibraryStore(tmp_path_factory.mktemp("db") / "library.db")
    index_paths(store, [folder], workers=1)
    return store


def _match(store: LibraryStore, im: Image.Image, tmp_path: Path) -> list[Match]:
    return match_photo(store, im, tmp_path, quality=60)


def _bag(testdata: Path) -> Image.Image:
    return Image.open(testdata / "product-photos" / BAG).convert("RGB")


def test_crop_mirror_resize_is_found_with_its_transform(library: LibraryStore, testdata: Path, tmp_path: Path) -> None:
    im = _bag(testdata).crop((100, 150, 750, 850)).transpose(Image.Transpose.FLIP_LEFT_RIGHT).resize((325, 350))
    matches = _match(library, im, tmp_path)
    assert matches and matches[0].kind == "derived"
    m = matches[0]
    assert Path(m.record.path).name == BAG
    assert m.geometry.mirrored
    assert abs(m.geometry.scale - 0.5) < 0.02
    x, y, w, h = m.geometry.crop_box(m.record.width, m.record.height, (325, 350))
    assert abs(x - 100) < 8 and abs(y - 150) < 8 and abs(w - 650) < 12 and abs(h - 700) < 12


@pytest.mark.parametrize("degrees", [-20, 15, 90])
def test_rotation_is_measured(library: LibraryStore, testdata: Path, tmp_path: Path, degrees: int) -> None:
    im = _bag(testdata).crop((50, 50, 850, 950)).rotate(degrees, expand=True, fillcolor="white")
    matches = _match(library, im, tmp_path)
    assert matches and matches[0].kind == "derived"
    assert Path(matches[0].record.path).name == BAG
    assert not matches[0].geometry.mirrored
    # PIL rotates counter-clockwise; in image coordinates (y down) that is a negative angle
    assert abs(matches[0].geometry.rotation_deg + degrees) < 2


def test_painted_region_is_located(library: LibraryStore, testdata: Path, tmp_path: Path) -> None:
    im = _bag(testdata)
    truth = (300, 400, 250, 200)
    ImageDraw.Draw(im).ellipse((300, 400, 550, 600), fill=(90, 55, 30))
    matches = _match(library, im, tmp_path)
    assert matches and matches[0].kind == "derived"
    regions = matches[0].change.regions
    assert regions
    x, y, w, h = regions[0]
    inter = max(0, min(x + w, 550) - max(x, 300)) * max(0, min(y + h, 600) - max(y, 400))
    iou = inter / (w * h + truth[2] * truth[3] - inter)
    assert iou > 0.6


def test_resave_has_no_changed_region(library: LibraryStore, testdata: Path, tmp_path: Path) -> None:
    matches = _match(library, _bag(testdata).resize((447, 512)), tmp_path)
    assert matches and matches[0].kind == "derived"
    assert matches[0].change.regions == ()
    assert matches[0].change.similarity_outside > 0.9


def test_other_view_of_the_same_product_is_not_a_match(library: LibraryStore, testdata: Path, tmp_path: Path) -> None:
    other_view = Image.open(testdata / "product-photos" / "abo__B0799CK52K__95f7ee92.jpg").convert("RGB")
    assert [m for m in _match(library, other_view, tmp_path) if m.kind == "derived"] == []


def test_unrelated_photo_is_not_a_match(library: LibraryStore, testdata: Path, tmp_path: Path) -> None:
    unrelated = Image.open(testdata / "product-photos" / "skimage__coffee.png").convert("RGB")
    assert _match(library, unrelated, tmp_path) == []


@pytest.fixture(scope="module")
def big_library(testdata: Path, tmp_path_factory: pytest.TempPathFactory) -> LibraryStore:
    """All 146 photos of product-photos-more: past VERIFY_ALL_BELOW, so the shortlist decides."""
    store = LibraryStore(tmp_path_factory.mktemp("bigdb") / "library.db")
    index_paths(store, [testdata / "product-photos-more"])
    return store


def test_descriptor_index_shortlists_a_heavy_crop_in_a_screenshot(
    big_library: LibraryStore, testdata: Path, tmp_path: Path
) -> None:
    source = testdata / "product-photos-more" / "jskapc__crayola_64_ct__1.jpg"
    im = Image.open(source).convert("RGB")
    w, h = im.size
    crop = im.crop((w // 5, h // 5, w // 5 + int(w * 0.63), h // 5 + int(h * 0.63))).resize((1000, 750))
    shot = Image.new("RGB", (1080, 2340), (246, 246, 246))
    shot.paste(crop, (40, 400))
    ImageDraw.Draw(shot).rectangle((0, 0, 1080, 90), fill=(20, 20, 20))
    matches = _match(big_library, shot, tmp_path)
    assert matches and matches[0].kind == "derived"
    assert Path(matches[0].record.path).name == source.name
    assert matches[0].found_by in {"index", "hash"}
    assert 0.25 < matches[0].change.overlap_share < 0.45  # the photo fills about a third of the screenshot


@pytest.mark.parametrize(
    ("complaint", "listing"),
    [
        ("spree__spree_stein__2.jpeg", "spree__spree_stein__1.jpeg"),  # the template mirrored, print moved
        ("spree__ror_ringer__2.jpeg", "spree__ror_ringer__1.jpeg"),  # front print vs back print: bleached by the fit
    ],
)
def test_template_mockup_with_another_print_is_same_base_not_derived(
    testdata: Path, tmp_path: Path, complaint: str, listing: str
) -> None:
    folder = tmp_path / "shop"
    folder.mkdir()
    shutil.copy(testdata / "product-photos-more" / listing, folder / listing)
    store = LibraryStore(tmp_path / "library.db")
    index_paths(store, [folder], workers=1)
    matches = _match(store, Image.open(testdata / "product-photos-more" / complaint).convert("RGB"), tmp_path)
    assert not [m for m in matches if m.kind == "derived"]
    if "stein" in complaint:  # 200 inliers: the shared template is recognised and said so
        assert [m.kind for m in matches] == ["same-base"]
        assert matches[0].evidence((480, 480))["print_in_changed"] >= 0.9


def test_descriptor_index_votes_do_not_depend_on_row_order() -> None:
    import numpy as np

    from shopguard.library.descriptor_index import DescriptorIndex

    rng = np.random.default_rng(5)
    ids = np.repeat(np.array([7, 3, 11]), [40, 25, 60])
    keys = rng.integers(0, 200, (ids.size, 3)).astype(np.uint16)  # a narrow key range: many collisions
    query = keys[rng.choice(ids.size, 50, replace=False)]
    shuffled = rng.permutation(ids.size)
    a, b = DescriptorIndex(ids, keys), DescriptorIndex(ids[shuffled], keys[shuffled])
    assert list(a.ids) == [3, 7, 11] == list(b.ids)
    assert list(a.keys_per_photo) == [25, 40, 60]
    assert (a.votes(query) == b.votes(query)).all()
    assert a.votes(query).sum() >= 50  # each query key's own descriptor agrees in all three tables


def test_descriptor_index_votes_match_a_brute_force_count() -> None:
    import numpy as np

    from shopguard.library.descriptor_index import DescriptorIndex

    rng = np.random.default_rng(9)
    ids = np.repeat(np.arange(1, 21), 30)
    keys = rng.integers(0, 64, (ids.size, 3)).astype(np.uint16)  # crowded buckets: a key meets many rows
    query = np.concatenate([keys[rng.choice(ids.size, 40, replace=False)], keys[:5]])  # repeats vote once
    # brute force: a library descriptor votes once if some query descriptor agrees in >= 2 of 3 tables
    agree = ((query[:, None, :] == keys[None, :, :]).sum(axis=2) >= 2).any(axis=0)
    expected = np.bincount(ids[agree] - 1, minlength=20)
    whole, chunked = DescriptorIndex(ids, keys), DescriptorIndex(ids, keys)
    whole.QUERY_CHUNK = len(query)
    chunked.QUERY_CHUNK = 6
    assert expected.sum() > len(query)
    assert whole.votes(query).tolist() == expected.tolist()
    assert chunked.votes(query).tolist() == expected.tolist()
