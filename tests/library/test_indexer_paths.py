"""Awkward paths and a changing disk: odd names, long paths, read-only folders, files and folders vanishing."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from PIL import Image

from shopguard.cases.service import CheckRequest, check_photos
from shopguard.library.indexer import index_paths
from shopguard.library.store import LibraryStore
from shopguard.paths import Home
from shopguard.progress import Progress

ODD_NAMES = ("退货 照片 01.jpg", "📦 box 🙂.jpg", "with  two  spaces .jpg", "ünïcödé-ñame.JPG", "x" * 200 + ".jpg")


def _photos(testdata: Path, folder: Path, names: tuple[str, ...]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted((testdata / "product-photos").glob("abo__*.jpg"))
    out = []
    for name, source in zip(names, sources, strict=False):
        target = folder / name
        Image.open(source).convert("RGB").resize((480, 360)).save(target, quality=85)
        out.append(target)
    return out


def _deep_folder(base: Path, total_chars: int) -> Path:
    """A folder whose absolute path is longer than ``total_chars`` (each component legal: under 255 bytes)."""
    folder = base
    while len(str(folder)) < total_chars:
        folder = folder / ("长路径-" + "d" * 60)
    return folder


def test_odd_names_and_a_very_long_path_are_indexed_and_checked(testdata: Path, tmp_path: Path) -> None:
    folder = _deep_folder(tmp_path / "shop 店铺 🛍", 1200)
    files = _photos(testdata, folder, ODD_NAMES)
    assert len(str(files[-1])) > 1400
    home = Home(tmp_path / "home").ensure()
    store = LibraryStore(home.library_db)
    summary = index_paths(store, [tmp_path / "shop 店铺 🛍"], workers=1)
    assert summary.added == len(ODD_NAMES) and not summary.failed
    assert {Path(r.path).name for r in store.photos()} == set(ODD_NAMES)
    case = check_photos(home, CheckRequest(photos=(files[1], files[0])), store)
    assert [p.name for p in case.photos] == [files[1].name, files[0].name]
    assert all(p.is_readable and p.stored_path and Path(p.stored_path).is_file() for p in case.photos)
    # the copy in the case keeps the buyer's letters (the emoji and CJK names are legal on every OS)
    assert "📦" in Path(case.photos[0].stored_path or "").name
    # and the report names them, from a home under the same long, odd path
    from shopguard.report.builder import build_report
    from tests.report.pdf_reading import pdf_text, squash

    report = build_report(case, folder / "报告 📄.pdf")
    text = pdf_text(report)
    assert squash(ODD_NAMES[0]) in text and squash("box") in text


def test_a_read_only_folder_is_indexed_and_nothing_is_written_there(testdata: Path, tmp_path: Path) -> None:
    folder = tmp_path / "read-only shop"
    files = _photos(testdata, folder, ("a.jpg", "b.jpg"))
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files}
    for p in files:
        p.chmod(stat.S_IRUSR | stat.S_IRGRP)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        store = LibraryStore(tmp_path / "lib.db")
        assert index_paths(store, [folder], workers=1).added == 2
        home = Home(tmp_path / "home").ensure()
        assert check_photos(home, CheckRequest(photos=tuple(files)), store).photos[0].is_readable
        assert sorted(p.name for p in folder.iterdir()) == ["a.jpg", "b.jpg"]
        assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files} == before
    finally:
        folder.chmod(stat.S_IRWXU)


def test_files_deleted_or_changed_during_indexing(testdata: Path, tmp_path: Path) -> None:
    folder = tmp_path / "shop"
    files = _photos(testdata, folder, tuple(f"{i}.jpg" for i in range(6)))
    store = LibraryStore(tmp_path / "lib.db")
    victims = {"deleted": files[4], "changed": files[5]}

    def progress(p: Progress) -> None:
        if p.done == 2 and victims["deleted"].exists():  # after the folder was listed, before these were read
            victims["deleted"].unlink()
            Image.new("RGB", (300, 200), (10, 200, 30)).save(victims["changed"], quality=90)

    summary = index_paths(store, [folder], progress=progress, workers=1)
    assert summary.added == 5
    assert [Path(p).name for p, _ in summary.failed] == ["4.jpg"]
    assert summary.failed[0][1].message_key == "error.image.not_found"
    changed = store.photo_by_path(str(victims["changed"]))
    assert changed is not None and (changed.width, changed.height) == (300, 200)  # what was read, consistently
    assert changed.size_bytes == victims["changed"].stat().st_size


def test_a_folder_that_disappears_mid_scan_marks_its_photos_missing(testdata: Path, tmp_path: Path) -> None:
    drive = tmp_path / "usb-drive"
    folder = drive / "shop"
    _photos(testdata, folder, tuple(f"{i}.jpg" for i in range(6)))
    store = LibraryStore(tmp_path / "lib.db")
    assert index_paths(store, [folder], workers=1).added == 6
    (folder / "new.jpg").write_bytes((folder / "0.jpg").read_bytes()[:-10] + b"0123456789")
    unplugged = tmp_path / "unplugged"

    def progress(p: Progress) -> None:
        if p.total and p.done == p.total - 1 and drive.exists():  # the drive goes while the new photo is read
            shutil.move(drive, unplugged)

    index_paths(store, [folder], progress=progress, workers=1)
    photos = store.photos()
    assert len(photos) >= 6  # nothing deleted
    assert {r.status for r in photos if r.path.endswith(tuple(f"{i}.jpg" for i in range(6)))} == {"missing"}
    # the drive stays away: a later scan names a folder that is not there at all
    second = index_paths(store, [folder], workers=1)
    assert second.failed and store.count() == len(photos)
    assert {r.status for r in store.photos()} == {"missing"}
    shutil.move(unplugged, drive)
    again = index_paths(store, [folder], workers=1)
    assert again.added == 0 or again.added == 1
    assert {r.status for r in store.photos()} == {"present"}


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_an_unreadable_photo_is_one_clear_failure(testdata: Path, tmp_path: Path) -> None:
    folder = tmp_path / "shop"
    files = _photos(testdata, folder, ("ok.jpg", "broken.jpg"))
    files[1].write_bytes(files[1].read_bytes()[:300])
    store = LibraryStore(tmp_path / "lib.db")
    summary = index_paths(store, [folder], workers=1)
    assert summary.added == 1
    assert [Path(p).name for p, _ in summary.failed] == ["broken.jpg"]
    assert summary.failed[0][1].message_key.startswith("error.image.")
