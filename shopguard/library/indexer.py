"""Add photos and folders to the library: walk, skip unchanged files, fingerprint the rest on all cores.

Fingerprinting (SHA-256, EXIF basics, JPEG draft decode, hashes, ORB features) runs in worker
processes; the calling thread is the single SQLite writer and commits in small batches, each photo
row together with its features, so a killed run keeps every committed photo whole and a re-run
resumes with the rest (unchanged files are skipped by size + mtime, then by SHA-256). At the end the stored
descriptor index is brought up to date (stored_index.py).
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from shopguard.errors import Cancelled, ImageReadError, ShopGuardError
from shopguard.imaging import read_source
from shopguard.imaging.exif_basics import read_exif_basics
from shopguard.library.file_walk import iter_named_files
from shopguard.library.fingerprint import fingerprint
from shopguard.library.store import LibraryStore, PhotoRecord, utc_now
from shopguard.library.video_frames import FRAMES_FOLDER, frame_photos, is_video_name, iter_video_files
from shopguard.progress import CancelToken, ProgressFn, report

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset(
    {
        ".jpg",
        ".jpeg",
        ".jpe",
        ".jfif",
        ".png",
        ".webp",
        ".heic",
        ".heif",
        ".avif",
        ".tif",
        ".tiff",
        ".bmp",
        ".gif",
    }
)
BATCH = 16
"""Photos per write transaction (WAL + synchronous=NORMAL: ~0.06 ms per row, PERFORMANCE.md)."""
INLINE_BELOW = 24
"""Fewer jobs than this are done in-process: starting a worker process costs ~0.3-0.5 s of CPU, the work of
15-20 photos (12 photos of 12 MP: 26-29 ms/photo in-process, 45-65 ms with a pool; benchmarks/README.md)."""


@dataclass
class IndexSummary:
    """What one ``library add`` run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[tuple[str, ShopGuardError]] = field(default_factory=list)
    missing: int = 0
    listed: int = 0
    """Photos whose listing facts (publish date, link) were recorded by this run."""
    same_content: int = 0
    """Files whose content (SHA-256) is already a library photo from another path: recorded as one more
    location of that photo, not as a second photo (the demo shop installed twice stays 12 photos)."""
    empty_folders: list[str] = field(default_factory=list)
    """Folders named by the caller in which no file with an image suffix (``IMAGE_SUFFIXES``) was found."""


@dataclass(frozen=True)
class _Job:
    path: str
    known_sha256: str | None


@dataclass(frozen=True)
class _Result:
    path: str
    record: PhotoRecord | None = None
    same_sha256: bool = False
    error: tuple[str, dict[str, Any]] | None = None  # (message key, fields): exceptions pickle badly


def iter_image_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Image files named directly, plus those found recursively in named folders (sorted, no links loops).

    A named file is yielded whatever its suffix (so the indexer can say why it is not an image);
    inside folders only files with an image suffix are taken.
    """
    return iter_named_files(paths, IMAGE_SUFFIXES)


def fingerprint_file(job: _Job) -> _Result:
    """Worker side: read, hash and describe one file (runs in a worker process)."""
    try:
        source = read_source(job.path)
        if job.known_sha256 == source.sha256:
            return _Result(job.path, same_sha256=True)
        fp = fingerprint(source, read_exif_basics(source), with_features=True)
    except ImageReadError as exc:
        return _Result(job.path, error=(exc.message_key, exc.fields))
    record = PhotoRecord(
        path=job.path,
        sha256=source.sha256,
        size_bytes=source.size_bytes,
        mtime=source.mtime,
        format=fp.facts.format,
        width=fp.facts.width,
        height=fp.facts.height,
        hashes=fp.hashes,
        exif=fp.exif,
        features=fp.features,
    )
    return _Result(job.path, record=record)


PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal this process gets when the thread that started it ends (Linux only)."""


def _worker_init(parent_pid: int) -> None:
    # Ctrl+C goes to the whole process group: only the parent handles it (by cancelling).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent(parent_pid)
    import cv2

    cv2.setNumThreads(1)


def _exit_with_parent(parent_pid: int) -> None:
    """Make this worker end when the indexing process does, even if that one is killed (SIGKILL, a crash).

    A killed parent never shuts its pool down, and a spawned worker waiting for its next job would wait for ever
    (it holds both ends of the job queue's pipe, so it never reads an end of file): orphans were found alive
    25 minutes after a killed ``library add``. Linux: ``PR_SET_PDEATHSIG`` has the kernel send SIGKILL the moment
    the parent goes. Everywhere (and as a second line on Linux): a daemon thread waits on the parent's sentinel
    (a pipe on POSIX, the process handle on Windows), which becomes ready when the parent is gone.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no libc symbol: the sentinel thread below still works
            log.debug("prctl(PR_SET_PDEATHSIG) unavailable", exc_info=True)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)
    parent = multiprocessing.parent_process()
    if parent is not None and parent.sentinel is not None:
        threading.Thread(
            target=_exit_when_ready, args=(parent.sentinel,), name="shopguard-parent-watch", daemon=True
        ).start()


def _exit_when_ready(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)  # no clean-up to do: results not yet sent are simply indexed again by the next run


def _results(jobs: list[_Job], workers: int, cancel: CancelToken | None) -> Iterator[_Result]:
    """Fingerprint ``jobs`` on ``workers`` processes (this one included), yielding results as they finish.

    The calling process is one of the workers: it fingerprints a job itself whenever no worker result is
    waiting (its SQLite writes take well under a millisecond per photo), so ``workers`` cores need only
    ``workers - 1`` spawned processes, and the ~0.3 s each of them spends starting is not idle time.
    """
    # A frozen app (PyInstaller) runs spawned workers through multiprocessing.freeze_support(), which
    # installers/frozen_main.py calls before anything else.
    if workers <= 1 or len(jobs) < INLINE_BELOW:
        for job in jobs:
            if cancel is not None and cancel.is_cancelled:
                return
            yield fingerprint_file(job)
        return
    spawned = workers - 1
    pool = ProcessPoolExecutor(
        spawned, mp_context=get_context("spawn"), initializer=_worker_init, initargs=(os.getpid(),)
    )
    warm = pool.submit(_ready)  # jobs go to the workers only once they have started
    pending: set[Future[_Result]] = set()
    queue = iter(jobs)
    try:
        while True:
            cancelled = cancel is not None and cancel.is_cancelled
            while warm.done() and len(pending) < 2 * spawned and not cancelled:
                next_job = next(queue, None)
                if next_job is None:
                    break
                pending.add(pool.submit(fingerprint_file, next_job))
            done, pending = wait(pending, timeout=0, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
            if done:
                continue
            own_job = None if cancelled else next(queue, None)
            if own_job is not None:
                yield fingerprint_file(own_job)
                continue
            if not pending:
                return
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    finally:
        # A worker still starting when the last job is done is not waited for: it exits once started.
        pool.shutdown(wait=warm.done(), cancel_futures=True)


def _ready() -> bool:
    return True


def index_paths(
    store: LibraryStore,
    paths: Iterable[str | Path],
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    workers: int | None = None,
    listed_since: str | None = None,
    listing_url: str | None = None,
) -> IndexSummary:
    """Add ``paths`` (files and folders, recursive) to the library.

    Files whose size and mtime match the stored row (and whose features are of FEATURES_VERSION) are skipped;
    changed files, and those described by an earlier version, are re-read. A stored photo under a re-scanned
    folder that is gone from disk is marked ``missing`` (never dropped silently). Photos are committed in batches
    of ``BATCH``.

    Args:
        workers: processes for fingerprinting (default: every core).
        listed_since / listing_url: the seller's listing publish date (ISO) and link, recorded for every photo
            found (new, changed or unchanged) when given; each change is a journal entry.

    Raises:
        Cancelled: when ``cancel`` is set; photos committed so far stay in the library.
    """
    paths = list(paths)
    summary = IndexSummary()
    files = [f for f in iter_image_files(paths) if not is_video_name(f)]
    videos = list(iter_video_files(paths))
    folders = [Path(p).expanduser().absolute() for p in paths if Path(p).is_dir()]
    summary.empty_folders = [str(f) for f in folders if not any(p.is_relative_to(f) for p in (*files, *videos))]
    # The seller's product videos: their sampled frames join the library as photos (video_frames.py).
    files += frame_photos(store.db_path.parent / FRAMES_FOLDER, videos, summary.failed, cancel)
    total = len(files)
    jobs: list[_Job] = []
    known: dict[str, PhotoRecord] = {}
    for path in files:
        key = str(path)
        existing = store.photo_by_path(key)
        try:
            stat = path.stat()
        except FileNotFoundError:
            summary.failed.append((key, ImageReadError("error.image.not_found", path=key)))
            continue
        except OSError as exc:
            summary.failed.append((key, ImageReadError("error.image.cannot_open", path=key, reason=str(exc))))
            continue
        if existing is None and _is_unchanged_location(store, key, stat.st_size, stat.st_mtime):
            summary.unchanged += 1
            continue
        current = existing is not None and existing.id is not None and store.has_current_features(existing.id)
        if existing is not None:
            known[key] = existing
            if (
                current
                and existing.size_bytes == stat.st_size
                and existing.mtime == stat.st_mtime
                and existing.status == "present"
            ):
                summary.unchanged += 1
                continue
        jobs.append(_Job(key, existing.sha256 if existing is not None and current else None))
    done = total - len(jobs)
    report(progress, done, total, "progress.index_fingerprint", path="")
    batch: list[PhotoRecord] = []
    last_flush = time.monotonic()
    try:
        for result in _results(jobs, workers or min(2, os.cpu_count() or 1), cancel):
            done += 1
            if result.record is not None and result.path not in known and _same_content(store, result.record, batch):
                summary.same_content += 1
            else:
                _account(result, known, summary, batch)
            if len(batch) >= BATCH or time.monotonic() - last_flush > 1.0:
                store.upsert(batch)
                batch.clear()
                last_flush = time.monotonic()
            report(progress, done, total, "progress.index_fingerprint", path=result.path)
    finally:
        store.upsert(batch)  # keep every finished photo, also when cancelled or interrupted
    if cancel is not None and cancel.is_cancelled:
        raise Cancelled()
    # Gone from disk, also when listed at the start: a folder on a drive unplugged mid-scan (its photos fail
    # as not found) or one that is gone altogether (named, but no longer a folder). Marked, never deleted.
    roots = folders + [Path(p).expanduser().absolute() for p in paths if not Path(p).exists()]
    gone = [
        r.path
        for r in store.photos(status="present")
        if any(Path(r.path).is_relative_to(f) for f in roots) and not Path(r.path).exists()
    ]
    gone += [
        path
        for path in _location_paths(store)
        if any(Path(path).is_relative_to(f) for f in roots) and not Path(path).exists()
    ]
    if gone:
        summary.missing = store.mark_gone(gone)
    if listed_since is not None or listing_url is not None:
        summary.listed = store.set_listing([str(f) for f in files], listed_since, listing_url)
    store.refresh_index()  # the stored index follows now (a rewrite, when due, is paid here, not by a check)
    report(progress, total, total, "progress.index_done")
    return summary


def _is_unchanged_location(store: LibraryStore, path: str, size_bytes: int, mtime: float) -> bool:
    """Whether ``path`` is a known other location of a library photo and its file has not changed since."""
    location = store.location(path)
    return location is not None and location[1] == size_bytes and location[2] == mtime


def _location_paths(store: LibraryStore) -> list[str]:
    return [path for paths in store.locations().values() for path in paths]


def _same_content(store: LibraryStore, record: PhotoRecord, batch: list[PhotoRecord]) -> bool:
    """Record a newly read file as another location when a library photo already has its content (same
    SHA-256, so the same pixels and metadata: a second photo would only double every match). True if so."""
    if any(r.sha256 == record.sha256 and r.path != record.path for r in batch):
        store.upsert(batch)  # the first copy was read in this run: write it, so the location can point at it
        batch.clear()
    same = store.photo_with_content(record.sha256, other_than=record.path)
    if same is None or same.id is None:
        if store.location(record.path) is not None:
            store.remove([record.path])  # the file there now holds other content: it becomes a photo of its own
        return False
    store.add_location(same.id, record.path, record.size_bytes, record.mtime)
    return True


def _account(result: _Result, known: dict[str, PhotoRecord], summary: IndexSummary, batch: list[PhotoRecord]) -> None:
    existing = known.get(result.path)
    if result.error is not None:
        key, fields = result.error
        summary.failed.append((result.path, ImageReadError(key, **fields)))
    elif result.same_sha256 and existing is not None:
        try:
            stat = Path(result.path).stat()
        except OSError as exc:  # deleted (or its drive unplugged) since the worker read it
            summary.failed.append((result.path, ImageReadError("error.image.not_found", path=result.path)))
            log.info("%s vanished while indexing: %s", result.path, exc)
            return
        batch.append(replace(existing, mtime=stat.st_mtime, size_bytes=stat.st_size, status="present"))
        summary.unchanged += 1
    elif result.record is not None:
        batch.append(replace(result.record, added_at=existing.added_at if existing else utc_now()))
        if existing:
            summary.updated += 1
        else:
            summary.added += 1
