"""An inverted file over library descriptors: which library photos share local features with a query.

Each library photo contributes the LSH keys of 200 keypoints spread over it (features.library_index_keys). Per
table the entries are sorted by key with a CSR offset array (65,536 + 1 offsets), so a query looks
up each of its keys with two array reads and counts votes per photo with one ``np.bincount``.
Descriptors are kept grouped by photo, so a descriptor's photo is found by a binary search over the
photos' first-descriptor offsets (8 bytes per photo) instead of a per-descriptor array.
Memory: 4 bytes per entry and table: at 100k photos x 200 keys x 3 tables about 240 MB
(benchmarks/matching_speed.py measures it). The store hands the keys over as one column per table
(``from_groups``), each freed once its table is sorted, and the sort works in slices of the key
space, so building stays a few tens of MB above the finished index.
"""

from __future__ import annotations

import numpy as np

from shopguard.library.features import INDEX_BITS

_BUCKETS = 1 << INDEX_BITS
STOP_FACTOR = 12
STOP_MIN = 64


class DescriptorIndex:
    """Votes of query descriptors for library photos.

    A query descriptor votes for a library descriptor only when their keys agree in at least
    ``MIN_TABLES`` tables: a chance collision in one 16-bit table is common (ORB bits are not
    uniform), in two it is about 1 in 4 billion, while true correspondences (about 10% of bits
    flipped by re-compression and resizing) agree in two of three tables about 9% of the time,
    and a real source shares dozens to hundreds of them.

    Args:
        photo_ids: (n,) library photo id of each key row (one row per library descriptor).
        keys: (n, tables) uint16 LSH keys.
    """

    MIN_TABLES = 2
    SORT_SLICES = 16
    """The key space is sorted in this many slices: np.argsort's int64 result for 20M keys is 160 MB."""
    QUERY_CHUNK = 256
    """Query descriptors whose votes are counted together (``votes``)."""

    def __init__(self, photo_ids: np.ndarray, keys: np.ndarray) -> None:
        photo_ids = np.asarray(photo_ids)
        if photo_ids.size > 1 and bool(np.any(photo_ids[1:] < photo_ids[:-1])):
            order = np.argsort(photo_ids, kind="stable")  # group the descriptors of each photo together
            photo_ids, keys = photo_ids[order], keys[order]
        if photo_ids.size:
            starts = np.concatenate(([0], np.flatnonzero(photo_ids[1:] != photo_ids[:-1]) + 1))
        else:
            starts = np.zeros(0, np.int64)
        counts = np.diff(np.append(starts, photo_ids.size))
        columns = [np.array(keys[:, t], dtype=np.uint16) for t in range(keys.shape[1])]
        self._build(photo_ids[starts], counts, columns)

    @classmethod
    def from_groups(cls, photo_ids: np.ndarray, counts: np.ndarray, columns: list[np.ndarray]) -> DescriptorIndex:
        """The index over descriptors already grouped by photo, without a per-descriptor id array.

        Args:
            photo_ids: (p,) photo ids in the order their descriptors appear.
            counts: (p,) number of descriptors of each photo.
            columns: one (n,) uint16 key array per table. The list is emptied while the index is built,
                so each column's memory is given back as soon as its table exists: at 100k photos the
                build then peaks ~40 MB above the finished index instead of ~300 MB.
        """
        index = cls.__new__(cls)
        index._build(np.asarray(photo_ids), np.asarray(counts), columns)
        return index

    def _build(self, photo_ids: np.ndarray, counts: np.ndarray, columns: list[np.ndarray]) -> None:
        keep = counts > 0
        photo_ids, counts = photo_ids[keep], counts[keep].astype(np.int64)
        self.ids: np.ndarray = photo_ids.astype(np.int64)
        self._starts: np.ndarray = (np.cumsum(counts) - counts).astype(np.int64)
        self._n_desc = int(counts.sum())
        self.keys_per_photo = counts.astype(np.float32)
        self._entries: list[np.ndarray] = []
        self._offsets: list[np.ndarray] = []
        columns.reverse()
        while columns:
            column = np.ascontiguousarray(columns.pop(), dtype=np.uint16)
            entries, offsets = self._sorted_table(column)
            del column  # the last reference: its memory goes back before the next table is sorted
            self._entries.append(entries)
            self._offsets.append(offsets)

    @classmethod
    def _sorted_table(cls, column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(descriptor numbers sorted by key, stable; CSR offsets per key) of one table."""
        counts = np.bincount(column, minlength=_BUCKETS)
        offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        entries = np.empty(column.size, np.uint32)
        shift = INDEX_BITS - cls.SORT_SLICES.bit_length() + 1
        for part in range(cls.SORT_SLICES):
            members = np.flatnonzero((column >> shift) == part)  # ascending descriptor numbers
            if members.size == 0:
                continue
            order = np.argsort(column[members], kind="stable")
            first = offsets[part << shift]
            entries[first : first + members.size] = members[order]
        return entries, offsets

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        return (
            sum(e.nbytes for e in self._entries)
            + sum(o.nbytes for o in self._offsets)
            + self.ids.nbytes
            + self._starts.nbytes
        )

    def votes(self, query_keys: np.ndarray) -> np.ndarray:
        """Per library photo (aligned with ``self.ids``): library descriptors that agree with some query
        descriptor in at least MIN_TABLES tables."""
        counts = np.zeros(len(self.ids), np.int64)
        if self._n_desc == 0 or query_keys.shape[0] == 0:
            return counts
        # A pair (query descriptor, library descriptor) only ever meets pairs of the same query descriptor,
        # so the query is worked through in chunks: the temporaries stay a few MB instead of ~200 MB.
        parts = [
            self._agreed(query_keys[lo : lo + self.QUERY_CHUNK])
            for lo in range(0, query_keys.shape[0], self.QUERY_CHUNK)
        ]
        agreed = np.unique(np.concatenate(parts))  # each library descriptor votes once
        photo_of = np.searchsorted(self._starts, agreed, side="right") - 1
        return np.bincount(photo_of, minlength=len(self.ids)).astype(np.int64)

    def _agreed(self, query_keys: np.ndarray) -> np.ndarray:
        """Library descriptors whose keys agree with one of ``query_keys``' descriptors in MIN_TABLES tables."""
        n_desc = self._n_desc
        # Buckets far above the mean size are the "stop words" of visual-word retrieval (Sivic & Zisserman 2003).
        stop_bucket = max(STOP_MIN, STOP_FACTOR * n_desc / _BUCKETS)
        pairs = []
        for t, (entries, offsets) in enumerate(zip(self._entries, self._offsets, strict=True)):
            q = query_keys[:, t].astype(np.int64)
            starts, ends = offsets[q], offsets[q + 1]
            lengths = ends - starts
            lengths[lengths > stop_bucket] = 0  # stop list: the crowded buckets say little and cost most
            total = int(lengths.sum())
            if total == 0:
                continue
            shift = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
            library_desc = entries[np.arange(total) + shift].astype(np.int64)
            query_desc = np.repeat(np.arange(q.size, dtype=np.int64), lengths)
            pairs.append(query_desc * n_desc + library_desc)
        if not pairs:
            return np.zeros(0, np.int64)
        # Each table's codes come out ascending (query descriptors in order; a bucket lists its descriptors
        # in ascending order, the sort being stable), and a pair occurs at most once per table. A stable sort
        # merges the sorted runs in linear time (Timsort); a code that equals the one MIN_TABLES - 1 places
        # before it occurs in MIN_TABLES tables.
        codes = np.concatenate(pairs)
        codes.sort(kind="stable")
        gap = self.MIN_TABLES - 1
        agreed = codes[gap:][codes[gap:] == codes[: codes.size - gap]]
        return np.asarray(agreed % n_desc, dtype=np.int64)

    def top(self, query_keys: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` photos with the most votes, as (photo id, votes), best first."""
        votes = self.votes(query_keys)
        if votes.size == 0:
            return []
        k = min(limit, votes.size)
        best = np.argpartition(-votes, k - 1)[:k]
        best = best[np.argsort(-votes[best], kind="stable")]
        return [(int(self.ids[i]), float(votes[i])) for i in best if votes[i] > 0]
