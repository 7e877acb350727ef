"""An inverted file over library descriptors: which library photos share local features with a query.

Each library photo contributes the LSH keys of 200 keypoints spread over it (features.library_index_keys). In the
first ``LOOKUP_TABLES`` tables the entries are sorted by key with a CSR offset array (65,536 + 1 offsets), so a
query looks up each of its keys with two array reads; every table's keys are kept as they came (the codes), to
count the flipped bits of each pair found. Descriptors are kept grouped by photo, so a descriptor's photo is found
by a binary search over the photos' first-descriptor offsets (8 bytes per photo) instead of a per-descriptor array.
Memory: 4 bytes per entry and looked-up table plus 2 bytes per key: at 100k photos x 200 keys about 280 MB
(benchmarks/matching_speed.py measures it). The store hands the keys over as one column per table
(``from_groups``), kept without a copy, and the sort works in slices of the key space, so building stays a few
tens of MB above the finished index.
"""

from __future__ import annotations

import numpy as np

from shopguard.library.features import INDEX_BITS

_BUCKETS = 1 << INDEX_BITS
STOP_FACTOR = 12
STOP_MIN = 64


class DescriptorIndex:
    """Votes of query descriptors for library photos.

    A library descriptor is a near neighbour of a query descriptor when their keys agree exactly in one of the
    ``LOOKUP_TABLES`` looked-up tables and differ in at most ``MAX_FLIPS`` of all ``tables x 16`` key bits. A
    true correspondence in a crop, screenshot or re-save differs in ~10% of its bits: its three keys rarely
    agree exactly in two tables (~8% of pairs), while one exact table plus at most 3 flips elsewhere holds for
    ~2x more of them. A chance pair (ORB bits are far from uniform) meets that about as often as two exact
    tables; the weighting below evens that out.

    Each near library descriptor votes once, weighted by how rare its keys are: ``1 / (1 + b / mean)``, where
    ``b`` is the mean size of its buckets over all tables and ``mean`` the mean bucket size. Generic corners
    (flat backdrops, edges of text) share crowded buckets and match every photo a little; a source's own
    distinctive corners count most (idf weighting of visual-word retrieval, Sivic & Zisserman 2003). Measured
    on 480 crops, screenshots and combinations of 60 sources in a 185-photo library, the source photo is not
    the top-voted one in 54 cases, against 116 with two exact tables and plain counts.

    Args:
        photo_ids: (n,) library photo id of each key row (one row per library descriptor).
        keys: (n, tables) uint16 LSH keys.
    """

    LOOKUP_TABLES = 2
    """Tables with a sorted bucket list; every table's keys are kept for the flip count."""
    MAX_FLIPS = 3
    SORT_SLICES = 16
    """The key space is sorted in this many slices of about equal size: np.argsort's int64 result for 20M keys is
    160 MB."""
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
            columns: one (n,) uint16 key array per table. The index keeps them (as its codes) without a copy,
                and empties the list.
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
        self._codes: list[np.ndarray] = [np.ascontiguousarray(c, dtype=np.uint16) for c in columns]
        columns.clear()
        self._entries: list[np.ndarray] = []
        self._offsets: list[np.ndarray] = []
        for column in self._codes[: self.LOOKUP_TABLES]:
            entries, offsets = self._sorted_table(column)
            self._entries.append(entries)
            self._offsets.append(offsets)
        # Bucket sizes for the weights: a looked-up table's are its offsets' steps, the others' are counted.
        self._bucket_sizes = [np.diff(o).astype(np.int32) for o in self._offsets] + [
            _key_counts(c).astype(np.int32) for c in self._codes[self.LOOKUP_TABLES :]
        ]

    @classmethod
    def _sorted_table(cls, column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(descriptor numbers sorted by key, stable; CSR offsets per key) of one table.

        The key space is cut into SORT_SLICES ranges holding about equal numbers of descriptors (ORB keys are
        skewed), and each range is sorted on its own."""
        counts = _key_counts(column)
        offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        entries = np.empty(column.size, np.uint32)
        # slice of each key: the descriptors before it, in SORT_SLICES equal shares (a big bucket stays whole)
        slice_of_key = np.minimum(offsets[:-1] * cls.SORT_SLICES // max(1, column.size), cls.SORT_SLICES - 1)
        slice_of = np.empty(column.size, np.uint8)
        lookup = slice_of_key.astype(np.uint8)
        for start in range(0, column.size, _CHUNK):  # an index array is widened to int64: 8 bytes a key at once
            slice_of[start : start + _CHUNK] = lookup[column[start : start + _CHUNK]]
        for part in range(cls.SORT_SLICES):
            members = np.flatnonzero(slice_of == part).astype(np.uint32)  # ascending descriptor numbers
            if members.size == 0:
                continue
            order = np.argsort(column[members], kind="stable")
            first = offsets[int(np.argmax(slice_of_key == part))]  # the slice's first key: its keys are contiguous
            entries[first : first + members.size] = members[order]
        return entries, offsets

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        return (
            sum(e.nbytes for e in self._entries)
            + sum(o.nbytes for o in self._offsets)
            + sum(c.nbytes for c in self._codes)
            + sum(b.nbytes for b in self._bucket_sizes)
            + self.ids.nbytes
            + self._starts.nbytes
        )

    def votes(self, query_keys: np.ndarray) -> np.ndarray:
        """Per library photo (aligned with ``self.ids``): the weighted votes of its library descriptors that are
        near neighbours of some query descriptor (each votes once)."""
        if self._n_desc == 0 or query_keys.shape[0] == 0:
            return np.zeros(len(self.ids), np.float64)
        # A pair (query descriptor, library descriptor) is judged on its own, so the query is worked through in
        # chunks: the temporaries stay a few MB instead of ~200 MB.
        parts = [
            self._near(query_keys[lo : lo + self.QUERY_CHUNK]) for lo in range(0, query_keys.shape[0], self.QUERY_CHUNK)
        ]
        near = np.unique(np.concatenate(parts))  # each library descriptor votes once
        photo_of = np.searchsorted(self._starts, near, side="right") - 1
        return np.bincount(photo_of, weights=self._weights(near), minlength=len(self.ids))

    def _weights(self, library_desc: np.ndarray) -> np.ndarray:
        """``1 / (1 + mean bucket size of the descriptor's keys / mean bucket size)``."""
        crowd = sum(sizes[codes[library_desc]] for sizes, codes in zip(self._bucket_sizes, self._codes, strict=True))
        mean = len(self._codes) * self._n_desc / _BUCKETS
        return np.asarray(1.0 / (1.0 + crowd / mean))

    def _near(self, query_keys: np.ndarray) -> np.ndarray:
        """Library descriptors that are near neighbours of one of ``query_keys``' descriptors (with repeats)."""
        # Buckets far above the mean size are the "stop words" of visual-word retrieval (Sivic & Zisserman 2003).
        stop_bucket = max(STOP_MIN, STOP_FACTOR * self._n_desc / _BUCKETS)
        found = []
        for t, (entries, offsets) in enumerate(zip(self._entries, self._offsets, strict=True)):
            q = query_keys[:, t].astype(np.int64)
            starts, ends = offsets[q], offsets[q + 1]
            lengths = ends - starts
            lengths[lengths > stop_bucket] = 0  # stop list: the crowded buckets say little and cost most
            total = int(lengths.sum())
            if total == 0:
                continue
            shift = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
            library_desc = entries[np.arange(total) + shift]
            query_at = np.repeat(np.arange(q.size), lengths)
            flips = np.zeros(total, np.uint8)
            for u, codes in enumerate(self._codes):
                if u == t:  # table t agrees exactly: that is how the pair was found
                    continue
                flips += np.bitwise_count(codes[library_desc] ^ query_keys[:, u][query_at])
                kept = flips <= self.MAX_FLIPS  # most chance pairs already fail on the first other table
                library_desc, query_at, flips = library_desc[kept], query_at[kept], flips[kept]
            found.append(library_desc)
        return np.concatenate(found).astype(np.int64) if found else np.zeros(0, np.int64)

    def top(self, query_keys: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` photos with the most (weighted) votes, as (photo id, votes), best first."""
        votes = self.votes(query_keys)
        if votes.size == 0:
            return []
        k = min(limit, votes.size)
        best = np.argpartition(-votes, k - 1)[:k]
        best = best[np.argsort(-votes[best], kind="stable")]
        return [(int(self.ids[i]), float(votes[i])) for i in best if votes[i] > 0]


_CHUNK = 1 << 20
"""Keys handled at once where numpy would widen all of them to int64 (160 MB for 20M keys: the index's peak)."""


def _key_counts(column: np.ndarray) -> np.ndarray:
    """Descriptors per key value (np.bincount, chunk by chunk: it widens its input to int64)."""
    counts = np.zeros(_BUCKETS, np.int64)
    for start in range(0, column.size, _CHUNK):
        counts += np.bincount(column[start : start + _CHUNK], minlength=_BUCKETS)
    return counts
