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

An index is made of segments (``IndexSegment``): the one stored with the library (index_file.py, memory-mapped)
and a small one over the photos added or changed since it was written (stored_index.py). A segment's photo can be
set dead (removed, missing, or changed and present again in a newer segment). Votes, weights and the stop list use
the bucket sizes and descriptor count of the live descriptors over all segments, so a combined index gives exactly
the votes of one built afresh over the same photos.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from shopguard.library.features import INDEX_BITS

_BUCKETS = 1 << INDEX_BITS
STOP_FACTOR = 12
STOP_MIN = 64


class IndexSegment:
    """Descriptors of some photos, grouped by photo in ascending photo id order, with the sorted lookup tables.

    Its arrays may be memory-mapped from the stored index file (index_file.py); nothing here writes to them.

    Attributes:
        ids: (p,) int64 photo ids, ascending.
        starts: (p,) int64 first descriptor of each photo.
        codes: one (n,) uint16 key array per table.
        entries: per looked-up table, (n,) uint32 descriptor numbers sorted by key.
        offsets: per looked-up table, (65,537,) int64 CSR offsets into ``entries``.
        bucket_sizes: per table, (65,536,) int32 descriptors per key value over the whole segment.
    """

    LOOKUP_TABLES = 2
    """Tables with a sorted bucket list; every table's keys are kept for the flip count."""
    SORT_SLICES = 16
    """The key space is sorted in this many slices of about equal size: np.argsort's int64 result for 20M keys is
    160 MB."""

    def __init__(
        self,
        ids: np.ndarray,
        starts: np.ndarray,
        codes: list[np.ndarray],
        entries: list[np.ndarray],
        offsets: list[np.ndarray],
        bucket_sizes: list[np.ndarray],
    ) -> None:
        self.ids = ids
        self.starts = starts
        self.codes = codes
        self.entries = entries
        self.offsets = offsets
        self.bucket_sizes = bucket_sizes
        self.n_desc = int(codes[0].size) if codes else 0
        self.release_pages: Callable[[], None] = _nothing
        """Called after each query: a memory-mapped segment gives its pages back (index_file.py)."""

    @classmethod
    def build(cls, photo_ids: np.ndarray, counts: np.ndarray, columns: list[np.ndarray]) -> IndexSegment:
        """The segment over descriptors grouped by photo (ascending photo ids).

        Args:
            photo_ids: (p,) photo ids in the order their descriptors appear.
            counts: (p,) number of descriptors of each photo.
            columns: one (n,) uint16 key array per table. The segment keeps them (as its codes) without a copy,
                and empties the list.
        """
        photo_ids, counts = np.asarray(photo_ids), np.asarray(counts)
        keep = counts > 0
        photo_ids, counts = photo_ids[keep], counts[keep].astype(np.int64)
        codes = [np.ascontiguousarray(c, dtype=np.uint16) for c in columns]
        columns.clear()
        entries: list[np.ndarray] = []
        offsets: list[np.ndarray] = []
        for column in codes[: cls.LOOKUP_TABLES]:
            table_entries, table_offsets = cls._sorted_table(column)
            entries.append(table_entries)
            offsets.append(table_offsets)
        # Bucket sizes for the weights: a looked-up table's are its offsets' steps, the others' are counted.
        sizes = [np.diff(o).astype(np.int32) for o in offsets] + [
            _key_counts(c).astype(np.int32) for c in codes[cls.LOOKUP_TABLES :]
        ]
        starts = (np.cumsum(counts) - counts).astype(np.int64)
        return cls(photo_ids.astype(np.int64), starts, codes, entries, offsets, sizes)

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

    @property
    def counts(self) -> np.ndarray:
        """(p,) int64 descriptors of each photo."""
        return np.diff(np.append(self.starts, self.n_desc))

    def key_counts_of(self, positions: np.ndarray) -> list[np.ndarray]:
        """Per table, descriptors per key value of the photos at ``positions`` (int32)."""
        counts = self.counts
        if positions.size == 0:
            return [np.zeros(_BUCKETS, np.int32) for _ in self.codes]
        rows = np.concatenate(
            [np.arange(self.starts[p], self.starts[p] + counts[p], dtype=np.int64) for p in positions]
        )
        return [_key_counts(np.asarray(c[rows])).astype(np.int32) for c in self.codes]

    @property
    def nbytes(self) -> int:
        arrays = [*self.entries, *self.offsets, *self.codes, *self.bucket_sizes, self.ids, self.starts]
        return sum(int(a.nbytes) for a in arrays)


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

    LOOKUP_TABLES = IndexSegment.LOOKUP_TABLES
    MAX_FLIPS = 3
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
        self._combine([(IndexSegment.build(photo_ids[starts], counts, columns), None)])

    @classmethod
    def from_groups(cls, photo_ids: np.ndarray, counts: np.ndarray, columns: list[np.ndarray]) -> DescriptorIndex:
        """The index over descriptors already grouped by photo, without a per-descriptor id array.

        Args:
            photo_ids: (p,) photo ids in the order their descriptors appear.
            counts: (p,) number of descriptors of each photo.
            columns: one (n,) uint16 key array per table. The index keeps them (as its codes) without a copy,
                and empties the list.
        """
        return cls.from_segments([(IndexSegment.build(photo_ids, counts, columns), None)])

    @classmethod
    def from_segments(cls, parts: list[tuple[IndexSegment, np.ndarray | None]]) -> DescriptorIndex:
        """The index over several segments, each with the photos of it that are dead (positions in its ``ids``;
        None: none). A photo id may be live in one segment only.

        Raises:
            ValueError: when a photo is live in two segments.
        """
        index = cls.__new__(cls)
        index._combine(parts)
        return index

    def _combine(self, parts: list[tuple[IndexSegment, np.ndarray | None]]) -> None:
        self._parts: list[tuple[IndexSegment, np.ndarray, np.ndarray]] = []
        live_ids: list[np.ndarray] = []
        live_counts: list[np.ndarray] = []
        sizes: list[np.ndarray] | None = None
        n_desc = 0
        for segment, dead in parts:
            alive = np.ones(len(segment.ids), bool)
            part_sizes = segment.bucket_sizes
            if dead is not None and dead.size:
                alive[dead] = False
                part_sizes = [a - b for a, b in zip(part_sizes, segment.key_counts_of(dead), strict=True)]
            counts = segment.counts
            n_desc += int(counts[alive].sum())
            sizes = list(part_sizes) if sizes is None else [a + b for a, b in zip(sizes, part_sizes, strict=True)]
            live_ids.append(segment.ids[alive])
            live_counts.append(counts[alive])
            self._parts.append((segment, alive, np.zeros(0, np.int64)))
        ids = np.concatenate(live_ids) if live_ids else np.zeros(0, np.int64)
        order = np.argsort(ids, kind="stable")
        self.ids: np.ndarray = ids[order].astype(np.int64)
        if self.ids.size > 1 and bool(np.any(self.ids[1:] == self.ids[:-1])):
            raise ValueError("a photo is live in two index segments")
        self.keys_per_photo = (np.concatenate(live_counts)[order] if live_counts else np.zeros(0)).astype(np.float32)
        # where each segment's live photos sit in ``ids``
        self._parts = [(s, alive, np.searchsorted(self.ids, s.ids[alive])) for s, alive, _ in self._parts]
        self._n_desc = n_desc
        self._bucket_sizes: list[np.ndarray] = [s.astype(np.int32) for s in sizes] if sizes is not None else []

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        return sum(segment.nbytes for segment, _, _ in self._parts)

    @property
    def segments(self) -> list[IndexSegment]:
        return [segment for segment, _, _ in self._parts]

    def votes(self, query_keys: np.ndarray) -> np.ndarray:
        """Per library photo (aligned with ``self.ids``): the weighted votes of its library descriptors that are
        near neighbours of some query descriptor (each votes once)."""
        votes = np.zeros(len(self.ids), np.float64)
        if self._n_desc == 0 or query_keys.shape[0] == 0:
            return votes
        try:
            self._vote(query_keys, votes)
        finally:
            for segment, _, _ in self._parts:
                segment.release_pages()
        return votes

    def _vote(self, query_keys: np.ndarray, votes: np.ndarray) -> None:
        for segment, alive, slots in self._parts:
            if slots.size == 0:
                continue
            # A pair (query descriptor, library descriptor) is judged on its own, so the query is worked through
            # in chunks: the temporaries stay a few MB instead of ~200 MB.
            parts = [
                self._near(segment, query_keys[lo : lo + self.QUERY_CHUNK])
                for lo in range(0, query_keys.shape[0], self.QUERY_CHUNK)
            ]
            near = np.unique(np.concatenate(parts))  # each library descriptor votes once
            photo_of = np.searchsorted(segment.starts, near, side="right") - 1
            own = np.bincount(photo_of, weights=self._weights(segment, near), minlength=len(segment.ids))
            votes[slots] = own[alive]  # a dead photo's descriptors vote for it alone: dropped with it

    def _weights(self, segment: IndexSegment, library_desc: np.ndarray) -> np.ndarray:
        """``1 / (1 + mean bucket size of the descriptor's keys / mean bucket size)``."""
        crowd = sum(sizes[codes[library_desc]] for sizes, codes in zip(self._bucket_sizes, segment.codes, strict=True))
        mean = len(segment.codes) * self._n_desc / _BUCKETS
        return np.asarray(1.0 / (1.0 + crowd / mean))

    def _near(self, segment: IndexSegment, query_keys: np.ndarray) -> np.ndarray:
        """Library descriptors of ``segment`` that are near neighbours of one of ``query_keys``' descriptors (with
        repeats)."""
        # Buckets far above the mean size are the "stop words" of visual-word retrieval (Sivic & Zisserman 2003).
        stop_bucket = max(STOP_MIN, STOP_FACTOR * self._n_desc / _BUCKETS)
        found = []
        for t, (entries, offsets) in enumerate(zip(segment.entries, segment.offsets, strict=True)):
            q = query_keys[:, t].astype(np.int64)
            starts, ends = offsets[q], offsets[q + 1]
            lengths = ends - starts
            # stop list: the crowded buckets say little and cost most (their live size over all segments)
            lengths[self._bucket_sizes[t][q] > stop_bucket] = 0
            total = int(lengths.sum())
            if total == 0:
                continue
            shift = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
            library_desc = entries[np.arange(total) + shift]
            query_at = np.repeat(np.arange(q.size), lengths)
            flips = np.zeros(total, np.uint8)
            for u, codes in enumerate(segment.codes):
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


def _nothing() -> None:
    return None


_CHUNK = 1 << 20
"""Keys handled at once where numpy would widen all of them to int64 (160 MB for 20M keys: the index's peak)."""


def _key_counts(column: np.ndarray) -> np.ndarray:
    """Descriptors per key value (np.bincount, chunk by chunk: it widens its input to int64)."""
    counts = np.zeros(_BUCKETS, np.int64)
    for start in range(0, column.size, _CHUNK):
        counts += np.bincount(column[start : start + _CHUNK], minlength=_BUCKETS)
    return counts
