"""Add photos and folders to the library: walk, skip unchanged files, fingerprint the rest."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from shopguard.errors import ImageReadError, ShopGuardError
from shopguard.imaging import read_source
from shopguard.imaging.exif_basics import read_exif_basics
from shopguard.library.fingerprint import fingerprint
from shopguard.library.store import LibraryStore, PhotoRecord, utc_now
from shopguard.progress import CancelToken, ProgressFn, check_cancel, report

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".heic", ".heif", ".avif",
                            ".tif", ".tiff", ".bmp", ".gif"})


@dataclass
class IndexSummary:
    """What one ``library add`` run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[tuple[str, ShopGuardError]] = field(default_factory=list)
    missing: int = 0


def iter_image_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Image files named directly, plus those found recursively in named folders (sorted, no links loops).

    A named file is yielded whatever its suffix (so the indexer can say why it is not an image);
    inside folders only files with an image suffix are taken.
    """
    for raw in paths:
        p = Path(raw).expanduser().absolute()
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if Path(name).suffix.lower() in IMAGE_SUFFIXES and not name.startswith("."):
                        yield Path(root) / name
        else:
            yield p


def index_paths(store: LibraryStore, paths: Iterable[str | Path], progress: ProgressFn | None = None,
                cancel: CancelToken | None = None) -> IndexSummary:
    """Add ``paths`` (files and folders, recursive) to the library.

    Files whose size and mtime match the stored row are skipped; changed files are re-read. A
    photo already stored under a folder being re-scanned that is gone from disk is marked
    ``missing`` (never dropped silently). Each photo is committed on its own, so an interrupted
    run keeps everything done so far and a re-run resumes.

    Raises:
        Cancelled: when ``cancel`` is set; photos indexed so far stay in the library.
    """
    summary = IndexSummary()
    files = list(iter_image_files(paths))
    folders = [Path(p).expanduser().absolute() for p in paths if Path(p).is_dir()]
    total = len(files)
    for done, path in enumerate(files):
        check_cancel(cancel)
        report(progress, done, total, "progress.index", path=str(path))
        key = str(path)
        try:
            stat = path.stat()
            existing = store.photo_by_path(key)
            if existing and existing.size_bytes == stat.st_size and existing.mtime == stat.st_mtime \
                    and existing.status == "present":
                summary.unchanged += 1
                continue
            source = read_source(path)
            if existing and existing.sha256 == source.sha256:
                store.upsert([PhotoRecord(**{**existing.__dict__, "mtime": source.mtime, "status": "present"})])
                summary.unchanged += 1
                continue
            fp = fingerprint(source, read_exif_basics(source), with_features=True)
        except ImageReadError as exc:
            summary.failed.append((key, exc))
            continue
        except OSError as exc:
            summary.failed.append((key, ImageReadError("error.image.cannot_open", path=key, reason=str(exc))))
            continue
        store.upsert([PhotoRecord(path=key, sha256=source.sha256, size_bytes=source.size_bytes,
                                  mtime=source.mtime, format=fp.facts.format, width=fp.facts.width,
                                  height=fp.facts.height, hashes=fp.hashes, exif=fp.exif, features=fp.features,
                                  added_at=existing.added_at if existing else utc_now())])
        if existing:
            summary.updated += 1
        else:
            summary.added += 1
    seen = {str(f) for f in files}
    gone = [r.path for r in store.photos(status="present")
            if r.path not in seen and any(Path(r.path).is_relative_to(f) for f in folders)
            and not Path(r.path).exists()]
    if gone:
        summary.missing = store.set_status(gone, "missing")
    report(progress, total, total, "progress.index_done")
    return summary
