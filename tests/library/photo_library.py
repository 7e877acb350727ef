"""Shared helpers for the matching tests: a small shop library of real photos, and the app's listing loader."""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image

from shopguard.imaging import decode, read_source
from shopguard.library.indexer import index_paths
from shopguard.library.store import LibraryStore, PhotoRecord


def loader(record: PhotoRecord) -> tuple[Image.Image, float] | None:
    """A library photo's pixels for the dense comparison, decoded as the app does (1024 px)."""
    d = decode(read_source(record.path), max_side=1024)
    return d.image, d.scale


def library(paths: list[Path], tmp_path: Path) -> LibraryStore:
    """A library of copies of ``paths`` (indexed with one worker, so photo ids repeat) under ``tmp_path``."""
    folder = tmp_path / "shop"
    folder.mkdir()
    for p in paths:
        shutil.copy(p, folder / p.name)
    store = LibraryStore(tmp_path / "library.db")
    index_paths(store, [folder], workers=1)
    return store
