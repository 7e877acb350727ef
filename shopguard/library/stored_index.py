"""The descriptor index kept with the library: opened memory-mapped, followed incrementally, rebuilt when it must be.

The perceptual-hash table of the present photos (the hash shortlist's input, 0.11-0.23 s of CPU to read from SQLite
at 100k photos, and a check reads it twice) is stored and followed with it.

Building the index reads every photo's keys from SQLite and sorts them (~4 s at 100k photos); before this module
every process paid that at its first check. Now the index is stored next to the database (index_file.py) and
stamped with the library's id and change counter (``library_state``, kept by triggers: schema.py migration 6).
Opening it:

1. the stored file is mapped, if it is whole, of this format and key recipe, and of this library at a change
   counter no later than the library's (a library restored from an older copy, or another library's file, is
   rebuilt);
2. the photos changed since its counter (``index_changes``, also kept by the triggers, so changes made by another
   process or by a ShopGuard from before the stored index are seen) are applied on top: their entries in the
   stored file are set dead, and the present ones among them are read from SQLite into a small second segment.
   The combined index gives exactly the votes of one built afresh (descriptor_index.py);
3. when those changes reach ``REWRITE_SHARE`` of the stored photos (and at least ``REWRITE_MIN``), or the file
   cannot be used, the index is rebuilt from SQLite and written again (atomically), then mapped.

``library add`` and ``library remove`` open it once at their end (``LibraryStore.refresh_index``), so the
rewrite, when one is due, is paid there and not by the next check. A check against a library changed by a few
photos applies them in milliseconds (benchmarks/cold_check.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

from shopguard.library.descriptor_index import DescriptorIndex, IndexSegment
from shopguard.library.index_file import (
    IndexFileError,
    IndexStamp,
    StoredIndex,
    index_path,
    read_index,
    write_index,
)

if TYPE_CHECKING:
    from shopguard.library.store import LibraryStore

log = logging.getLogger(__name__)

REWRITE_SHARE = 0.02
REWRITE_MIN = 256
"""Changed photos on top of the stored index before it is rewritten. Applying them costs each opening a read of
their keys (1.2 KB a photo) and a sort of them: ~10-20 ms for 2,000 photos (2% of 100k), against ~5 s for a
rewrite; the dead entries they leave cost the votes nothing but their pages."""


HashTable = tuple[np.ndarray, np.ndarray]
"""(photo ids ascending, n x 3 uint64 hashes) of every present photo (``LibraryStore.hash_table``)."""


def load_index(store: LibraryStore) -> tuple[IndexStamp, DescriptorIndex, HashTable]:
    """The current descriptor index and hash table of ``store``'s library, and the library state they reflect.

    Never raises for a missing or damaged stored index: that one is rebuilt (and stored again when the folder
    can be written; otherwise the rebuilt index is used from memory and the reason logged).
    """
    path = index_path(store.db_path)
    try:
        stored = read_index(path)
    except IndexFileError as exc:
        log.info("descriptor index %s rebuilt: %s", path, exc)
        return _rebuild(store)
    stamp, main = stored.stamp, stored.segment
    delta: tuple[np.ndarray, np.ndarray, list[np.ndarray]] | None = None
    with store.snapshot():
        state = store.index_state()
        changed: np.ndarray | None = None
        if stamp.fits(state):
            changed = store.changed_since(stamp.generation)
            if changed.size > max(REWRITE_MIN, REWRITE_SHARE * len(main.ids)):
                changed = None
            elif changed.size:
                delta = store.index_groups(changed_after=stamp.generation)
                new_hashes = store.read_hash_table(changed_after=stamp.generation)
    if changed is None:
        log.info("descriptor index %s rebuilt: stamped %s, library at %s", path, stamp, state)
        return _rebuild(store)
    parts: list[tuple[IndexSegment, np.ndarray | None]] = [(main, _positions(main.ids, changed))]
    hash_table = (stored.hash_ids, stored.hashes)
    if delta is not None:
        if delta[0].size:
            parts.append((IndexSegment.build(*delta), None))
        hash_table = _apply(hash_table, changed, new_hashes)
    return state, DescriptorIndex.from_segments(parts), hash_table


def _positions(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Positions in ``ids`` (ascending) of those of ``wanted`` that are there."""
    at = np.searchsorted(ids, wanted)
    inside = at < ids.size
    at, wanted = at[inside], wanted[inside]
    found: np.ndarray = at[ids[at] == wanted]
    return found


def _apply(table: HashTable, changed: np.ndarray, new: HashTable) -> HashTable:
    """The stored hash table without the changed photos' rows, with their current ones (``new``) put in."""
    keep = np.ones(table[0].size, bool)
    keep[_positions(table[0], changed)] = False
    ids = np.concatenate([table[0][keep], new[0]])
    hashes = np.concatenate([table[1][keep], new[1]])
    order = np.argsort(ids, kind="stable")
    return ids[order], hashes[order]


def _rebuild(store: LibraryStore) -> tuple[IndexStamp, DescriptorIndex, HashTable]:
    """Build the index from SQLite, store it and map the stored file (the process then holds page-cache pages
    shared with other processes instead of ~280 MB of its own at 100k photos)."""
    with store.snapshot():
        state = store.index_state()
        groups = store.index_groups()
        hash_table = store.read_hash_table()
    built = StoredIndex(state, IndexSegment.build(*groups), *hash_table)
    path = index_path(store.db_path)
    try:
        write_index(path, built)
        mapped = read_index(path)
    except (OSError, IndexFileError) as exc:
        log.warning("descriptor index kept in memory only, it could not be stored at %s: %s", path, exc)
        return state, DescriptorIndex.from_segments([(built.segment, None)]), hash_table
    if mapped.stamp != state:  # another process stored a newer one meanwhile: use what was built here
        return state, DescriptorIndex.from_segments([(built.segment, None)]), hash_table
    del built
    return state, DescriptorIndex.from_segments([(mapped.segment, None)]), (mapped.hash_ids, mapped.hashes)
