"""The descriptor index stored with the library: the same shortlist as a fresh build, followed incrementally by
``library add`` and removals, rebuilt when stale, truncated or left half-written by a killed writer."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shopguard.library.descriptor_index import DescriptorIndex
from shopguard.library.features import COMPLAINT_SIDE
from shopguard.library.index_file import IndexFileError, index_path, read_index
from shopguard.library.indexer import index_paths
from shopguard.library.matcher import INDEX_SHORTLIST, index_query_keys
from shopguard.library.store import LibraryStore
from shopguard.library.verification import complaint_features

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def base_db(testdata: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library of 30 real product photos with its stored index; tests work on copies of both files."""
    folder = tmp_path_factory.mktemp("shop")
    for p in sorted((testdata / "product-photos").glob("abo__*.jpg"))[:30]:
        shutil.copy(p, folder / p.name)
    db = tmp_path_factory.mktemp("db") / "library.db"
    store = LibraryStore(db)
    index_paths(store, [folder], workers=1)
    store.close()
    assert index_path(db).is_file()
    return db


@pytest.fixture()
def store(base_db: Path, tmp_path: Path) -> LibraryStore:
    db = tmp_path / "library.db"
    shutil.copy(base_db, db)
    shutil.copy(index_path(base_db), index_path(db))
    return LibraryStore(db)


def _query(path: Path) -> np.ndarray:
    """Index query keys of a buyer's crop (the middle 70%) of the photo at ``path``."""
    im = Image.open(path).convert("RGB")
    w, h = im.size
    crop = im.crop((int(0.15 * w), int(0.15 * h), int(0.85 * w), int(0.85 * h)))
    return index_query_keys(complaint_features(crop, 1.0, COMPLAINT_SIDE))


def _fresh(store: LibraryStore) -> DescriptorIndex:
    return DescriptorIndex.from_groups(*store.index_groups())


def _same_as_fresh(index: DescriptorIndex, store: LibraryStore, queries: list[np.ndarray]) -> None:
    fresh = _fresh(store)
    assert list(index.ids) == list(fresh.ids)
    stored_ids, stored_hashes = LibraryStore(store.db_path).hash_table()  # stored and followed with the index
    read_ids, read_hashes = store.read_hash_table()
    assert np.array_equal(stored_ids, read_ids) and np.array_equal(stored_hashes, read_hashes)
    for q in queries:
        assert np.array_equal(index.votes(q), fresh.votes(q))
        assert index.top(q, INDEX_SHORTLIST) == fresh.top(q, INDEX_SHORTLIST)


def _file_id(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


def _photo_id(store: LibraryStore, path: Path) -> int:
    record = store.photo_by_path(str(path))
    assert record is not None and record.id is not None
    return record.id


def _add(store: LibraryStore, folder: Path, sources: list[Path]) -> list[Path]:
    folder.mkdir(exist_ok=True)
    for p in sources:
        shutil.copy(p, folder / p.name)
    index_paths(store, [folder], workers=1)
    return [folder / p.name for p in sources]


def test_the_stored_index_gives_the_shortlist_of_a_fresh_build(store: LibraryStore, testdata: Path) -> None:
    path = index_path(store.db_path)
    before = _file_id(path)
    index = store.descriptor_index()
    assert _file_id(path) == before  # opened as stored, not rebuilt
    photos = sorted((testdata / "product-photos").glob("abo__*.jpg"))[:30]
    queries = [_query(p) for p in photos[::6]]
    _same_as_fresh(index, store, queries)
    top_id, _votes = index.top(queries[0], 1)[0]
    assert top_id == _photo_id(store, Path(store.photos()[0].path).parent / photos[0].name)


def test_library_add_updates_the_index_incrementally_and_finds_the_new_photos(
    store: LibraryStore, testdata: Path, tmp_path: Path
) -> None:
    path = index_path(store.db_path)
    before = _file_id(path)
    new = _add(store, tmp_path / "new", sorted((testdata / "product-photos-more").glob("jskapc__*__1.jpg"))[:3])
    assert _file_id(path) == before  # three photos ride on top of the stored file: no rewrite
    other = LibraryStore(store.db_path)  # another process opening the library afterwards
    index = other.descriptor_index()
    assert len(index.segments) == 2
    for p in new:
        assert index.top(_query(p), 1)[0][0] == _photo_id(other, p)
    _same_as_fresh(index, other, [_query(p) for p in new])


def test_removed_missing_and_changed_photos_are_not_returned(
    store: LibraryStore, testdata: Path, tmp_path: Path
) -> None:
    more = sorted((testdata / "product-photos-more").glob("jskapc__*__1.jpg"))
    folder = tmp_path / "new"
    removed, missing, changed = _add(store, folder, more[:3])
    ids = {p: _photo_id(store, p) for p in (removed, missing, changed)}
    old_queries = {p: _query(p) for p in (removed, missing, changed)}
    store.refresh_index()
    assert all(i in store.descriptor_index().ids for i in ids.values())
    store.remove([str(removed)])
    missing.unlink()
    shutil.copy(more[5], changed)  # another picture under the same name
    os.utime(changed, (time.time() + 5, time.time() + 5))
    index_paths(store, [folder], workers=1)
    other = LibraryStore(store.db_path)
    index = other.descriptor_index()
    assert ids[removed] not in index.ids and ids[missing] not in index.ids
    assert _photo_id(other, changed) == ids[changed]  # the same row, new keys
    for p, q in old_queries.items():
        assert ids[p] not in [pid for pid, _ in index.top(q, 3)]
    assert index.top(_query(changed), 1)[0][0] == ids[changed]
    _same_as_fresh(index, other, [*old_queries.values(), _query(changed)])


def test_a_change_by_another_writer_is_seen(store: LibraryStore) -> None:
    """A plain SQLite writer (another process, a ShopGuard from before the stored index) goes through the
    triggers: its change makes the stored index stale and the change is applied."""
    index = store.descriptor_index()
    victim = int(index.ids[3])
    with sqlite3.connect(store.db_path) as conn:
        conn.execute("UPDATE photos SET status = 'missing' WHERE id = ?", (victim,))
    assert victim not in store.descriptor_index().ids
    assert victim not in LibraryStore(store.db_path).descriptor_index().ids


def test_a_truncated_damaged_or_foreign_index_file_is_rebuilt(store: LibraryStore, base_db: Path) -> None:
    path = index_path(store.db_path)
    queries = [np.stack(_fresh(store).segments[0].codes, axis=1)[i : i + 300] for i in (0, 2000)]
    whole = path.read_bytes()
    for damaged in (whole[: len(whole) // 2], whole[:100], b"", whole[:4100] + b"\xff" * 64 + whole[4164:]):
        path.write_bytes(damaged)
        with pytest.raises(IndexFileError):
            read_index(path)
        _same_as_fresh(LibraryStore(store.db_path).descriptor_index(), store, queries)
        read_index(path)  # stored again, whole
    # another library's index (a copy of this one's database made later has its own history): rebuilt
    with sqlite3.connect(store.db_path) as conn:
        conn.execute("UPDATE library_state SET uid = 'another'")
    stale = _file_id(path)
    _same_as_fresh(LibraryStore(store.db_path).descriptor_index(), store, queries)
    assert _file_id(path) != stale and read_index(path).stamp.library_uid == "another"


def test_an_index_newer_than_the_library_is_rebuilt(store: LibraryStore, tmp_path: Path) -> None:
    """A library restored from an older copy while its stored index had followed later changes: the counter in
    the file is ahead of the library's, so the file no longer describes it."""
    old_copy = tmp_path / "old.db"
    store.close()
    shutil.copy(store.db_path, old_copy)
    store = LibraryStore(store.db_path)
    victim = int(store.descriptor_index().ids[0])
    store.remove([r.path for r in store.photos() if r.id == victim])
    index_path(store.db_path).unlink()
    assert victim not in store.descriptor_index().ids  # rebuilt and stored at the later counter
    store.close()
    shutil.copy(old_copy, store.db_path)
    restored = LibraryStore(store.db_path)
    assert read_index(index_path(store.db_path)).stamp.generation > restored.index_state().generation
    assert victim in restored.descriptor_index().ids
    assert read_index(index_path(store.db_path)).stamp.generation == restored.index_state().generation


_WRITER = """
import signal
import sys
from pathlib import Path
from shopguard.library.store import LibraryStore
from shopguard.library.descriptor_index import IndexSegment
from shopguard.library.index_file import StoredIndex, index_path, write_index
store = LibraryStore(Path(sys.argv[1]))
with store.snapshot():
    state = store.index_state()
    groups = store.index_groups()
    hashes = store.read_hash_table()
stored = StoredIndex(state, IndexSegment.build(*groups), *hashes)
print("ready", flush=True)
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # Python ignores it: a write past RLIMIT_FSIZE then kills
while True:
    write_index(index_path(store.db_path), stored)
"""


def test_a_writer_killed_mid_write_never_leaves_a_broken_index_in_use(store: LibraryStore) -> None:
    """A process rewriting the index over and over is killed at arbitrary moments: the file in place is always a
    whole index (the old or the new one), and a leftover temporary file is never read and later removed."""
    path = index_path(store.db_path)
    queries = [np.stack(_fresh(store).segments[0].codes, axis=1)[i : i + 300] for i in (0, 1000, 3000)]
    rng = np.random.default_rng(4)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for _ in range(4):
        command = [sys.executable, "-c", _WRITER, str(store.db_path)]
        with subprocess.Popen(command, stdout=subprocess.PIPE, env=env) as w:
            assert w.stdout is not None and w.stdout.readline().strip() == b"ready"
            time.sleep(float(rng.uniform(0.05, 0.4)))
            w.send_signal(signal.SIGKILL)
        read_index(path)  # whole
        _same_as_fresh(LibraryStore(store.db_path).descriptor_index(), store, queries)
    # Whether a random kill lands mid-write depends on the machine's speed; the kill below lands there for certain.
    # and one killed for certain mid-write: the kernel ends it (SIGXFSZ) once it has written 200 KB of ~2 MB
    before = path.read_bytes()
    limit = (200_000, 200_000)
    command = [sys.executable, "-c", _WRITER, str(store.db_path)]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, env=env, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, limit)
    ) as w:
        assert w.wait() == -signal.SIGXFSZ
    assert path.read_bytes() == before
    assert [p for p in path.parent.glob(path.name + ".*.tmp") if p.stat().st_size == limit[0]]  # its half file
    # a leftover temporary file, half written: ignored by readers, removed by the next writer once it is old
    leftover = path.with_name(path.name + ".killed.tmp")
    leftover.write_bytes(path.read_bytes()[:3000])
    _same_as_fresh(LibraryStore(store.db_path).descriptor_index(), store, queries)
    for old in path.parent.glob(path.name + ".*.tmp"):  # the killed writers' ones too
        os.utime(old, (time.time() - 7200, time.time() - 7200))
    path.unlink()  # the next opening rebuilds and writes
    LibraryStore(store.db_path).descriptor_index()
    assert not leftover.exists()
    assert not [p for p in path.parent.glob(path.name + ".*.tmp")]
