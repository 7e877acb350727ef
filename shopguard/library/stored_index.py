"""The descriptor index kept with the library: opened memory-mapped, followed incrementally, rebuilt when it must be.

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
from shopguard.library.index_file import IndexFileError, IndexStamp, index_path, read_index, write_index

if TYPE_CHECKING:
    from shopguard.library.store import LibraryStore

log = logging.getLogger(__name__)

REWRITE_SHARE = 0.02
REWRITE_MIN = 256
"""Changed photos on top of the stored index before it is rewritten. Applying them costs each opening a read of
their keys (1.2 KB a photo) and a sort of them: ~10-20 ms for 2,000 photos (2% of 100k), against ~5 s for a
rewrite; the dead entries they leave cost the votes nothing but their pages."""


def load_index(store: LibraryStore) -> tuple[IndexStamp, DescriptorIndex]:
    """The current descriptor index of ``store``'s library and the library state it reflects.

    Never raises for a missing or damaged stored index: that one is rebuilt (and stored again when the folder
    can be written; otherwise the rebuilt index is used from memory and the reason logged).
    """
    path = index_path(store.db_path)
    try:
        stamp, stored = read_index(path)
    except IndexFileError as exc:
        log.info("descriptor index %s rebuilt: %s", path, exc)
        return _rebuild(store)
    delta: tuple[np.ndarray, np.ndarray, list[np.ndarray]] | None = None
    with store.snapshot():
        state = store.index_state()
        if not stamp.fits(state):
            changed = None
        else:
            changed = store.changed_since(stamp.generation)
            if changed.size > max(REWRITE_MIN, REWRITE_SHARE * len(stored.ids)):
                changed = None
            elif changed.size:
                delta = store.index_groups(changed_after=stamp.generation)
    if changed is None:
        log.info("descriptor index %s rebuilt: stamped %s, library at %s", path, stamp, state)
        return _rebuild(store)
    parts: list[tuple[IndexSegment, np.ndarray | None]] = [(stored, _positions(stored.ids, changed))]
    if delta is not None and delta[0].size:
        parts.append((IndexSegment.build(*delta), None))
    return state, DescriptorIndex.from_segments(parts)


def _positions(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Positions in ``ids`` (ascending) of those of ``wanted`` that are there."""
    at = np.searchsorted(ids, wanted)
    inside = at < ids.size
    at, wanted = at[inside], wanted[inside]
    found: np.ndarray = at[ids[at] == wanted]
    return found


def _rebuild(store: LibraryStore) -> tuple[IndexStamp, DescriptorIndex]:
    """Build the index from SQLite, store it and map the stored file (the process then holds page-cache pages
    shared with other processes instead of ~280 MB of its own at 100k photos)."""
    with store.snapshot():
        state = store.index_state()
        groups = store.index_groups()
    segment = IndexSegment.build(*groups)
    path = index_path(store.db_path)
    try:
        write_index(path, segment, state)
        stamp, mapped = read_index(path)
    except (OSError, IndexFileError) as exc:
        log.warning("descriptor index kept in memory only, it could not be stored at %s: %s", path, exc)
        return state, DescriptorIndex.from_segments([(segment, None)])
    if stamp != state:  # another process stored a newer one meanwhile: use what was built here
        return state, DescriptorIndex.from_segments([(segment, None)])
    del segment
    return state, DescriptorIndex.from_segments([(mapped, None)])
