"""Rebuild a damaged library from the seller's photo folders and the stored cases (which stay untouched).

The library database holds only derived data: fingerprints of the shop's photos (re-read from their folders)
and of the complaint photos of earlier cases (re-read from the copies each case keeps). The damaged file is
renamed aside, never deleted, so nothing is lost if the rebuild is interrupted or a folder is unplugged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shopguard.cases.store import CaseStore
from shopguard.errors import ImageReadError
from shopguard.imaging import read_source
from shopguard.library.fingerprint import fingerprint
from shopguard.library.indexer import IndexSummary, index_paths
from shopguard.library.recovery import photo_folders, salvage_paths, set_aside
from shopguard.library.store import CasePhotoRecord, LibraryStore
from shopguard.paths import Home
from shopguard.progress import CancelToken, ProgressFn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RebuildSummary:
    """What a rebuild did: the old file's new name, the folders read, and the counts."""

    set_aside: str | None
    folders: tuple[str, ...]
    missing_folders: tuple[str, ...]
    indexed: IndexSummary = field(repr=False)
    case_photos: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "set_aside": self.set_aside,
            "folders": list(self.folders),
            "missing_folders": list(self.missing_folders),
            "added": self.indexed.added,
            "failed": [{"path": p, "reason": e.message("en")} for p, e in self.indexed.failed],
            "case_photos": self.case_photos,
        }


def rebuild_library(
    home: Home,
    folders: Sequence[str | Path] = (),
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    workers: int | None = None,
) -> RebuildSummary:
    """Set the library database aside and build a new one from its photo folders and the stored cases.

    Args:
        folders: more folders to read (needed when the old database is too damaged to list its photos).

    Raises:
        HomeError: when the old database cannot be renamed or the new one cannot be created.
        Cancelled: when ``cancel`` is set (the photos read so far stay in the new library; run it again).
    """
    salvaged = salvage_paths(home.library_db)
    roots = photo_folders(salvaged) + [Path(f).expanduser().absolute() for f in folders]
    present = [r for r in dict.fromkeys(roots) if r.is_dir()]
    missing = [r for r in dict.fromkeys(roots) if not r.is_dir()]
    aside = set_aside(home.library_db)
    log.warning("library set aside as %s; rebuilding from %d folders", aside, len(present))
    store = LibraryStore(home.library_db)
    try:
        indexed = index_paths(store, present, progress=progress, cancel=cancel, workers=workers)
        restored = _restore_case_photos(store, CaseStore(home.cases_dir))
    finally:
        store.close()
    return RebuildSummary(
        set_aside=str(aside) if aside else None,
        folders=tuple(str(f) for f in present),
        missing_folders=tuple(str(f) for f in missing),
        indexed=indexed,
        case_photos=restored,
    )


def _restore_case_photos(store: LibraryStore, cases: CaseStore) -> int:
    """Fingerprints of every stored case's photo copies, so "used in an earlier case" works again."""
    restored = 0
    for case in cases.list():
        for photo in case.photos:
            if not photo.stored_path:
                continue
            try:
                fp = fingerprint(read_source(photo.stored_path), {})
            except ImageReadError:
                log.warning("case %s: stored copy of %s unreadable", case.id, photo.name)
                continue
            store.add_case_photo(CasePhotoRecord(case.id, photo.name, photo.sha256, fp.hashes, case.created_at))
            restored += 1
    return restored
