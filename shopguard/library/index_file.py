"""The descriptor index stored with the library: one file next to the SQLite database, memory-mapped to read.

Layout: a 4 KiB header (magic, then the length of a UTF-8 JSON object and the object itself: the stamp, the
segment's sizes and where each array starts), then the arrays of one ``IndexSegment``, each at a 4 KiB boundary,
little-endian. A reader maps the whole file read-only once and takes its arrays as views: opening a 100k-photo
index (~280 MB) reads the header and ~3 MB of small arrays, and the page cache serves the rest on demand,
shared by every process that has the same library open.

Written atomically: into a temporary file in the same folder, flushed to disk (fsync), then renamed over the old
one (``os.replace``, atomic on POSIX and on NTFS). A reader that mapped the old file keeps a whole old index; a
killed writer leaves only a temporary file, which readers never open and writers remove when it is old. A
reader still checks what it maps: the magic and format, the file's exact size against the header, and a CRC-32
of the small arrays (ids, photo starts, bucket offsets and sizes), whose consistency it also checks. A damaged
or truncated file is reported as ``IndexFileError`` and rebuilt by the caller (stored_index.py).
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import tempfile
import time
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shopguard.library.descriptor_index import IndexSegment
from shopguard.library.features import FEATURES_VERSION, INDEX_BITS, INDEX_FROM, INDEX_KEYPOINTS, INDEX_TABLES

log = logging.getLogger(__name__)

MAGIC = b"SHOPGUARD-DESCRIPTOR-INDEX\n"
FORMAT = 1
"""Bumped when the file layout or the meaning of its arrays changes: an older file is then rebuilt."""
HEADER_BYTES = 4096
ALIGN = 4096
STALE_TEMP_S = 3600.0
"""A temporary file older than this is a killed writer's leftover (writing 300 MB takes seconds), removed."""
SUFFIX = ".descriptor-index"
KEY_RECIPE = f"{INDEX_TABLES}x{INDEX_BITS}bit/{INDEX_KEYPOINTS}of{INDEX_FROM}"
"""How the stored keys were taken (features.py); an index stamped with another recipe is rebuilt."""


class IndexFileError(Exception):
    """The stored index is missing, damaged, truncated or of another format (internal: the caller rebuilds)."""


@dataclass(frozen=True)
class IndexStamp:
    """What a stored index was built from: the library (its id and change counter, ``library_state`` in SQLite),
    its schema version, and how features and keys were computed."""

    library_uid: str
    generation: int
    schema_version: int
    features_version: int = FEATURES_VERSION
    key_recipe: str = KEY_RECIPE
    format: int = FORMAT

    def fits(self, other: IndexStamp) -> bool:
        """Whether an index stamped ``self`` can serve the library described by ``other`` (changes after
        ``self.generation`` are applied on top: stored_index.py)."""
        return (
            self.library_uid == other.library_uid
            and self.schema_version == other.schema_version
            and self.features_version == other.features_version
            and self.key_recipe == other.key_recipe
            and self.format == other.format
            and self.generation <= other.generation
        )


def index_path(db_path: Path) -> Path:
    """Where the index of the library at ``db_path`` is stored (next to it, named after it)."""
    return db_path.with_name(db_path.name + SUFFIX)


@dataclass(frozen=True)
class StoredIndex:
    """A stored index as read: its stamp, the descriptor segment and the hash table (ids ascending, n x 3
    uint64 perceptual hashes of every present photo: matcher.hash_shortlist) of the library at that stamp."""

    stamp: IndexStamp
    segment: IndexSegment
    hash_ids: np.ndarray
    hashes: np.ndarray


def _arrays(segment: IndexSegment, hash_ids: np.ndarray, hashes: np.ndarray) -> dict[str, np.ndarray]:
    named = {"ids": segment.ids, "starts": segment.starts, "hash_ids": hash_ids, "hashes": hashes}
    for t, codes in enumerate(segment.codes):
        named[f"codes{t}"] = codes
    for t, (entries, offsets) in enumerate(zip(segment.entries, segment.offsets, strict=True)):
        named[f"entries{t}"] = entries
        named[f"offsets{t}"] = offsets
    for t, sizes in enumerate(segment.bucket_sizes):
        named[f"sizes{t}"] = sizes
    return named


_SMALL = ("ids", "starts", "offsets", "sizes", "hash")
"""Arrays (by name prefix) under the header's checksum: a few MB, read whole at every opening anyway."""


def _is_small(name: str) -> bool:
    return name.startswith(_SMALL)


def write_index(path: Path, stored: StoredIndex) -> None:
    """Store ``stored`` at ``path``, atomically (see the module docstring).

    Raises:
        OSError: when the folder cannot be written; the old file (if any) is left as it was.
    """
    _remove_stale_temps(path)
    layout: dict[str, list[Any]] = {}
    position = HEADER_BYTES
    crc = 0
    named = _arrays(stored.segment, stored.hash_ids, stored.hashes)
    for name, array in named.items():
        array = np.ascontiguousarray(array)
        dtype = array.dtype.newbyteorder("<")
        layout[name] = [position, dtype.str, list(array.shape)]
        position += -(-array.nbytes // ALIGN) * ALIGN
        if _is_small(name):
            crc = zlib.crc32(np.ascontiguousarray(array, dtype=dtype).data, crc)
    header = {"stamp": asdict(stored.stamp), "arrays": layout, "file_bytes": position, "crc32": crc}
    payload = json.dumps(header).encode()
    head = MAGIC + len(payload).to_bytes(4, "little") + payload
    if len(head) > HEADER_BYTES:
        raise ValueError("index header too long")
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(head.ljust(HEADER_BYTES, b"\0"))
            for name, array in named.items():
                start, dtype, _shape = layout[name]
                out.seek(start)
                out.write(np.ascontiguousarray(array, dtype=np.dtype(dtype)).data)
            out.truncate(position)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)  # os.replace: atomic
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_index(path: Path) -> StoredIndex:
    """The stored index at ``path``, its arrays memory-mapped read-only.

    Raises:
        IndexFileError: when the file is missing, of another format, truncated or damaged.
    """
    try:
        with path.open("rb") as f:
            head = f.read(HEADER_BYTES)
        size = path.stat().st_size
    except OSError as exc:
        raise IndexFileError(f"cannot read {path}: {exc}") from exc
    if not head.startswith(MAGIC) or len(head) < HEADER_BYTES:
        raise IndexFileError("not a ShopGuard descriptor index")
    length = int.from_bytes(head[len(MAGIC) : len(MAGIC) + 4], "little")
    try:
        header = json.loads(head[len(MAGIC) + 4 : len(MAGIC) + 4 + length])
        stamp = IndexStamp(**header["stamp"])
        layout: dict[str, list[Any]] = header["arrays"]
        expected_size = int(header["file_bytes"])
    except (ValueError, TypeError, KeyError) as exc:
        raise IndexFileError(f"unreadable header: {exc}") from exc
    if stamp.format != FORMAT:
        raise IndexFileError(f"format {stamp.format}, this version reads {FORMAT}")
    if size != expected_size:
        raise IndexFileError(f"{size} bytes, the header says {expected_size}: truncated or damaged")
    try:
        with path.open("rb") as f:
            mapping = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        whole = np.frombuffer(mapping, np.uint8)
        named: dict[str, np.ndarray] = {}
        crc = 0
        for name, (start, dtype, shape) in layout.items():
            dt = np.dtype(dtype)
            count = int(np.prod(shape)) if shape else 1
            end = start + count * dt.itemsize
            if end > size:
                raise IndexFileError(f"array {name} runs past the end of the file")
            array = whole[start:end].view(dt).reshape(shape)
            if _is_small(name):
                crc = zlib.crc32(array.data, crc)
            named[name] = array
        if crc != header["crc32"]:
            raise IndexFileError("checksum mismatch")
        segment = _segment(named, _PageRelease(mapping))
        hash_ids, hashes = np.array(named["hash_ids"]), np.array(named["hashes"])
        if hashes.shape != (hash_ids.size, 3) or (hash_ids.size > 1 and bool(np.any(hash_ids[1:] <= hash_ids[:-1]))):
            raise IndexFileError("inconsistent hash table")
    except (ValueError, TypeError, KeyError, OSError) as exc:
        raise IndexFileError(f"damaged: {exc}") from exc
    return StoredIndex(stamp, segment, hash_ids, hashes)


class _PageRelease:
    """Gives the mapped file's pages back after a query (``IndexSegment.release_pages``).

    A query reads codes of candidates scattered over the whole file: at 100k photos all of its ~280 MB are
    mapped in during the ~50 ms of a query and would then count in the process's RSS for its lifetime, on top of
    what later work allocates. The pages stay in the operating system's file cache (shared, and dropped first
    under memory pressure), so the next query maps them again without reading the disk (~10 ms).
    MADV_DONTNEED on a read-only shared file mapping discards nothing but the mapping (madvise(2)); where
    madvise is missing (Windows) this does nothing."""

    def __init__(self, mapping: mmap.mmap) -> None:
        self._mapping = mapping

    def __call__(self) -> None:
        if hasattr(mmap, "MADV_DONTNEED"):
            self._mapping.madvise(mmap.MADV_DONTNEED)


def _segment(named: dict[str, np.ndarray], release: _PageRelease) -> IndexSegment:
    codes = [named[f"codes{t}"] for t in range(INDEX_TABLES)]
    entries = [named[f"entries{t}"] for t in range(IndexSegment.LOOKUP_TABLES)]
    offsets = [named[f"offsets{t}"] for t in range(IndexSegment.LOOKUP_TABLES)]
    sizes = [named[f"sizes{t}"] for t in range(INDEX_TABLES)]
    ids, starts = named["ids"], named["starts"]
    n = codes[0].size
    if (
        any(c.size != n for c in codes)
        or any(e.size != n for e in entries)
        or any(o.size != (1 << INDEX_BITS) + 1 or int(o[-1]) != n for o in offsets)
        or ids.size != starts.size
        or (ids.size > 1 and bool(np.any(ids[1:] <= ids[:-1])))
        or (starts.size > 0 and (int(starts[0]) != 0 or bool(np.any(starts[1:] < starts[:-1])) or starts[-1] > n))
        or any(int(s.sum()) != n for s in sizes)
    ):
        raise IndexFileError("inconsistent arrays")
    # ids and starts are small: copies in memory, so the votes' searchsorted and id look-ups do not fault pages
    segment = IndexSegment(np.array(ids), np.array(starts), codes, entries, offsets, sizes)
    segment.release_pages = release
    return segment


def _remove_stale_temps(path: Path) -> None:
    """Remove temporary files that killed writers left next to ``path`` (younger ones may be being written)."""
    now = time.time()
    for leftover in path.parent.glob(path.name + ".*.tmp"):
        try:
            if now - leftover.stat().st_mtime > STALE_TEMP_S:
                leftover.unlink()
        except OSError:
            continue  # gone meanwhile, or another process holds it (Windows): tried again next time
