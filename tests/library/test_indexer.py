"""Indexing: incremental re-runs, missing files, cancel, and resuming after a killed process."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from shopguard.errors import Cancelled
from shopguard.library.indexer import index_paths
from shopguard.library.schema import MIGRATIONS
from shopguard.library.store import LibraryStore
from shopguard.progress import CancelToken, Progress

REPO = Path(__file__).resolve().parents[2]


def _shop(testdata: Path, folder: Path, copies: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted((testdata / "product-photos").glob("abo__*.jpg"))
    for i in range(copies):
        for p in sources:
            im = Image.open(p).convert("RGB")
            im.save(folder / f"{i:02d}-{p.name}", quality=80 + i % 15)
    return folder


def test_rerun_is_incremental_and_vanished_files_are_marked_missing(testdata: Path, tmp_path: Path) -> None:
    folder = _shop(testdata, tmp_path / "shop")
    store = LibraryStore(tmp_path / "lib.db")
    first = index_paths(store, [folder], workers=1)
    assert first.added == 12 and not first.failed
    assert all(store.has_features(r.id or -1) for r in store.photos())
    victim = sorted(folder.iterdir())[0]
    victim.unlink()
    second = index_paths(store, [folder], workers=1)
    assert second.added == 0 and second.unchanged == 11 and second.missing == 1
    assert store.photo_by_path(str(victim)) is not None
    assert store.photo_by_path(str(victim)).status == "missing"  # type: ignore[union-attr]


def test_cancel_keeps_what_was_indexed(testdata: Path, tmp_path: Path) -> None:
    folder = _shop(testdata, tmp_path / "shop")
    store = LibraryStore(tmp_path / "lib.db")
    token = CancelToken()
    seen: list[Progress] = []

    def progress(p: Progress) -> None:
        seen.append(p)
        if p.done >= 5:
            token.cancel()

    with pytest.raises(Cancelled):
        index_paths(store, [folder], progress=progress, cancel=token, workers=1)
    kept = store.count()
    assert 5 <= kept < 12
    assert index_paths(store, [folder], workers=1).added == 12 - kept


def _run_cli(home: Path, folder: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SHOPGUARD_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "shopguard", "library", "add", str(folder), "--workers", "2"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_while(condition: Callable[[], bool], seconds: float) -> None:
    """Poll ``condition`` every 50 ms until it is false or ``seconds`` have passed (another process's progress)."""
    deadline = time.monotonic() + seconds
    while condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def _rows(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM photo_features").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.mark.parametrize("how", ["kill", "ctrl-c"])
def test_interrupted_cli_run_resumes_without_corrupt_rows(testdata: Path, tmp_path: Path, how: str) -> None:
    folder = _shop(testdata, tmp_path / "shop", copies=5)
    home = tmp_path / "home"
    db = home / "library.sqlite3"
    proc = _run_cli(home, folder)
    _wait_while(lambda: _rows(db) == 0 and proc.poll() is None, 60)
    proc.send_signal(signal.SIGKILL if how == "kill" else signal.SIGINT)
    code = proc.wait(timeout=60)
    if how == "ctrl-c":
        assert code in (130, 0)
    store = LibraryStore(db)
    before = store.count()
    assert before >= 1
    assert all(store.has_features(r.id or -1) for r in store.photos())  # no half-written photo
    summary = index_paths(store, [folder], workers=1)
    assert summary.unchanged == before and summary.added == 60 - before
    assert store.count() == 60


def test_library_from_before_the_spread_index_keys_is_migrated_in_place(testdata: Path, tmp_path: Path) -> None:
    """A schema-2 library (index keys of the 200 strongest keypoints, three tables) opened by this version gets
    its keys recomputed from the stored features, in one transaction, and still finds its photos."""
    import numpy as np

    from shopguard.library.features import INDEX_KEYPOINTS, INDEX_TABLES, library_index_keys

    folder = testdata / "product-photos"
    db = tmp_path / "library.db"
    store = LibraryStore(db)
    index_paths(store, [folder], workers=1)
    expected = {pid: library_index_keys(f) for pid, f in store.features(r.id for r in store.photos() if r.id).items()}
    store.close()
    with sqlite3.connect(db) as conn:  # schema 2 stored the keys of the 200 strongest keypoints
        conn.execute("UPDATE photo_features SET index_keys = zeroblob(1200)")
        conn.execute("DROP INDEX photo_features_version")
        conn.execute("DROP INDEX photo_features_outdated")  # (schema 6)
        conn.execute("ALTER TABLE photo_features DROP COLUMN version")
        conn.execute("PRAGMA user_version = 2")
    store = LibraryStore(db)
    photo_ids, counts, columns = store.index_groups()
    assert len(columns) == INDEX_TABLES and 0 < counts.max() <= INDEX_KEYPOINTS
    offsets = np.concatenate(([0], np.cumsum(counts)))
    for i, pid in enumerate(photo_ids):
        stored = np.stack([c[offsets[i] : offsets[i + 1]] for c in columns], axis=1)
        assert (stored == expected[int(pid)]).all()
    assert store.descriptor_index().votes(expected[int(photo_ids[0])]).argmax() == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_photos_described_by_an_earlier_version_are_read_again_on_the_next_scan(testdata: Path, tmp_path: Path) -> None:
    """A schema-3 library (features of version 1, before the keypoints were spread) keeps its features when this
    version opens it; the next ``library add`` of the folder describes those photos again, once."""
    folder = _shop(testdata, tmp_path / "shop")
    db = tmp_path / "library.db"
    store = LibraryStore(db)
    index_paths(store, [folder], workers=1)
    store.close()
    with sqlite3.connect(db) as conn:
        conn.execute("DROP INDEX photo_features_version")
        conn.execute("DROP INDEX photo_features_outdated")  # (schema 6)
        conn.execute("ALTER TABLE photo_features DROP COLUMN version")
        conn.execute("UPDATE photo_features SET points = zeroblob(8), descriptors = zeroblob(32)")  # one keypoint
        conn.execute("PRAGMA user_version = 3")
    store = LibraryStore(db)
    ids = [r.id or -1 for r in store.photos()]
    assert all(store.has_features(i) and not store.has_current_features(i) for i in ids)
    assert {len(f) for f in store.features(ids).values()} == {1}  # kept as they were until the scan
    again = index_paths(store, [folder], workers=1)
    assert (again.added, again.updated, again.unchanged) == (0, 12, 0)
    assert all(store.has_current_features(i) for i in ids)
    assert min(len(f) for f in store.features(ids).values()) > 100
    assert index_paths(store, [folder], workers=1).unchanged == 12


def _children(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # an exited orphan may wait for its new parent to reap it


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
def test_indexing_workers_end_with_a_killed_library_add(testdata: Path, tmp_path: Path) -> None:
    # A SIGKILLed parent never shuts its pool down: its workers must notice by themselves (orphans were found
    # alive 25 minutes later).
    folder = _shop(testdata, tmp_path / "shop", copies=5)
    home = tmp_path / "home"
    db = home / "library.sqlite3"
    proc = _run_cli(home, folder)
    _wait_while(lambda: _rows(db) < 2 and proc.poll() is None, 60)
    workers = _children(proc.pid)
    assert workers, "library add --workers 2 runs one spawned worker"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    _wait_while(lambda: any(_alive(pid) for pid in workers), 5)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # do not leave them behind for the next test run
        os.kill(pid, signal.SIGKILL)
    assert not left, f"workers {left} outlived their killed parent"


def _init_without_prctl(parent_pid: int) -> None:
    """Pool initializer for the test below: the portable path alone, as on macOS and Windows."""
    from shopguard.library import indexer

    sys.platform = "portable-test"  # this worker only: skip PR_SET_PDEATHSIG
    indexer._exit_with_parent(parent_pid)


_ORPHAN_PARENT = """
import os, signal, sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from tests.library.test_indexer import _init_without_prctl
pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=_init_without_prctl, initargs=(os.getpid(),))
print(pool.submit(os.getpid).result(), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
def test_a_worker_without_prctl_ends_with_its_killed_parent_too(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = tmp_path / "worker-pid.txt"  # a file, not a pipe: a surviving worker would hold a pipe open
    with out.open("w") as fh:
        code = subprocess.run([sys.executable, "-c", _ORPHAN_PARENT], env=env, cwd=REPO, stdout=fh, timeout=120)
    assert code.returncode == -signal.SIGKILL
    worker = int(out.read_text().split()[0])
    _wait_while(lambda: _alive(worker), 5)
    alive = _alive(worker)
    if alive:
        os.kill(worker, signal.SIGKILL)
    assert not alive, "the worker outlived its killed parent"
