"""reused-photo: the same complaint photo (exact or re-saved) sent again in a later case."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from shopguard.cases.service import CheckRequest, check_photos
from shopguard.library.store import LibraryStore
from shopguard.paths import Home, resolve_home


def _reused(home: Home, store: LibraryStore, photo: Path) -> list[dict[str, object]]:
    case = check_photos(home, CheckRequest(photos=(photo,)), store)
    return [f.to_json() for f in case.photos[0].findings if f.category.value == "reused-photo"]


def test_exact_and_resaved_copies_name_the_earlier_case(testdata: Path, tmp_path: Path) -> None:
    home = Home(resolve_home(None)).ensure()
    store = LibraryStore(home.library_db)
    photo = testdata / "exif-camera" / "gps__DSCN0010.jpg"
    first = check_photos(home, CheckRequest(photos=(photo,)), store)
    assert _reused(home, store, photo)[0]["evidence"]["other_case_id"] == first.id  # type: ignore[index]
    smaller = tmp_path / "resaved.jpg"
    im = Image.open(photo).convert("RGB")
    im.resize((im.width // 2, im.height // 2)).save(smaller, quality=60)
    near = _reused(home, store, smaller)
    assert near and near[0]["evidence"]["match"] == "perceptual-hash"  # type: ignore[index]
    assert first.id in str(near[0]["title"])


def test_first_time_photo_is_not_reused(testdata: Path) -> None:
    home = Home(resolve_home(None)).ensure()
    store = LibraryStore(home.library_db)
    check_photos(home, CheckRequest(photos=(testdata / "exif-camera" / "gps__DSCN0010.jpg",)), store)
    assert _reused(home, store, testdata / "exif-camera" / "gps__DSCN0012.jpg") == []
