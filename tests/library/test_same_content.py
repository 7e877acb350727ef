"""The same photo content added from two paths is one library photo with two locations (issue 16)."""

from __future__ import annotations

import shutil
from pathlib import Path

from shopguard.library.indexer import index_paths
from shopguard.library.store import LibraryStore


def _copy_demo(demo: Path, target: Path) -> Path:
    shutil.copytree(demo / "library", target)
    return target


def test_demo_shop_added_from_a_second_copy_stays_twelve_photos(demo: Path, tmp_path: Path) -> None:
    store = LibraryStore(tmp_path / "library.sqlite3")
    first = index_paths(store, [demo / "library"])
    photos = store.count()
    assert first.added == photos == 12 and first.same_content == 0
    second_copy = _copy_demo(demo, tmp_path / "elsewhere" / "library")
    second = index_paths(store, [second_copy])
    assert (second.added, second.same_content) == (0, 12)
    assert store.count() == 12, "the same content from a second folder is not a second photo"
    locations = store.locations()
    assert sum(len(paths) for paths in locations.values()) == 12
    assert all(Path(p).is_relative_to(second_copy) for paths in locations.values() for p in paths)
    again = index_paths(store, [second_copy])
    assert (again.added, again.same_content, again.unchanged) == (0, 0, 12), "a re-scan reads nothing again"
    store.close()


def test_a_photo_moves_to_its_other_location_when_its_first_file_goes(demo: Path, tmp_path: Path) -> None:
    store = LibraryStore(tmp_path / "library.sqlite3")
    first = _copy_demo(demo, tmp_path / "a")
    second = _copy_demo(demo, tmp_path / "b")
    index_paths(store, [first, second])
    assert store.count() == 12
    victim = sorted(first.iterdir())[0]
    victim.unlink()
    summary = index_paths(store, [first])
    assert summary.missing == 0, "the content is still on disk in the second folder"
    moved = store.photo_by_path(str(second / victim.name))
    assert moved is not None and moved.status == "present"
    assert store.count() == 12
    # forgetting the second folder's files keeps the photos still present in the first
    removed = store.remove([str(p) for p in sorted(second.iterdir())])
    assert removed == 12
    assert store.count() == 11 and {Path(r.path).parent for r in store.photos()} == {first}
    store.close()


def test_a_file_added_once_is_still_one_photo_per_path(demo: Path, tmp_path: Path) -> None:
    """Different content at two paths stays two photos (the dedupe goes by content, not by name)."""
    store = LibraryStore(tmp_path / "library.sqlite3")
    folder = tmp_path / "shop"
    folder.mkdir()
    sources = sorted((demo / "library").glob("*.jpg"))[:2]
    shutil.copy(sources[0], folder / "same-name.jpg")
    shutil.copy(sources[1], folder / "other.jpg")
    summary = index_paths(store, [folder])
    assert (summary.added, summary.same_content, store.count()) == (2, 0, 2)
    store.close()
