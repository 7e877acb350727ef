"""An inverted file over library descriptors: which library photos share local features with a query.

Each library photo contributes the LSH keys of its strongest keypoints (features.index_keys). Per
table the entries are sorted by key with a CSR offset array (65,536 + 1 offsets), so a query looks
up each of its keys with two array reads and counts votes per photo with one ``np.bincount``.
Memory: 4 bytes per entry and table plus 4 bytes per descriptor for its photo: at 100k photos x 200
keys x 3 tables about 320 MB (benchmarks/matching_speed.py measures it).
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
    and a real source shares hundreds of them.

    Args:
        photo_ids: (n,) library photo id of each key row (one row per library descriptor).
        keys: (n, tables) uint16 LSH keys.
    """

    MIN_TABLES = 2

    def __init__(self, photo_ids: np.ndarray, keys: np.ndarray) -> None:
        self.ids, position = np.unique(photo_ids, return_inverse=True)
        self._photo_of = position.astype(np.uint32)
        self.keys_per_photo = np.bincount(position, minlength=len(self.ids)).astype(np.float32)
        self._entries: list[np.ndarray] = []
        self._offsets: list[np.ndarray] = []
        for t in range(keys.shape[1]):
            column = keys[:, t].astype(np.int64)
            order = np.argsort(column, kind="stable").astype(np.uint32)
            self._entries.append(order)
            self._offsets.append(np.searchsorted(column[order], np.arange(_BUCKETS + 1)).astype(np.int64))

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        return (
            sum(e.nbytes for e in self._entries)
            + sum(o.nbytes for o in self._offsets)
            + self.ids.nbytes
            + self._photo_of.nbytes
        )

    def votes(self, query_keys: np.ndarray) -> np.ndarray:
        """Per library photo (aligned with ``self.ids``): library descriptors that agree with some query
        descriptor in at least MIN_TABLES tables."""
        counts = np.zeros(len(self.ids), np.int64)
        n_desc = self._photo_of.size
        if n_desc == 0 or query_keys.shape[0] == 0:
            return counts
        pairs = []
        # Buckets far above the mean size are the "stop words" of visual-word retrieval (Sivic & Zisserman 2003).
        stop_bucket = max(STOP_MIN, STOP_FACTOR * n_desc / _BUCKETS)
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
            return counts
        codes, seen = np.unique(np.concatenate(pairs), return_counts=True)
        agreed = np.unique(codes[seen >= self.MIN_TABLES] % n_desc)  # each library descriptor votes once
        return np.bincount(self._photo_of[agreed], minlength=len(self.ids)).astype(np.int64)

    def top(self, query_keys: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` photos with the most votes, as (photo id, votes), best first."""
        votes = self.votes(query_keys)
        if votes.size == 0:
            return []
        k = min(limit, votes.size)
        best = np.argpartition(-votes, k - 1)[:k]
        best = best[np.argsort(-votes[best], kind="stable")]
        return [(int(self.ids[i]), float(votes[i])) for i in best if votes[i] > 0]
