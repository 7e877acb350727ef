"""An inverted file over library descriptors: which library photos share local features with a query.

Each library photo contributes the LSH keys of its strongest keypoints (features.index_keys). Per
table the entries are sorted by key with a CSR offset array (65,536 + 1 offsets), so a query looks
up each of its keys with two array reads and counts votes per photo with one ``np.bincount``.
Memory: 4 bytes per entry (photo position), e.g. 100k photos x 300 keys x 3 tables = 360 MB... so
the defaults keep 200 keys x 3 tables (240 MB) at that size; see benchmarks/matching_speed.py.
"""

from __future__ import annotations

import numpy as np

from shopguard.library.features import INDEX_BITS

_BUCKETS = 1 << INDEX_BITS


class DescriptorIndex:
    """Votes of query descriptors for library photos.

    Args:
        photo_ids: (n,) library photo id of each key row.
        keys: (n, tables) uint16 LSH keys.
    """

    def __init__(self, photo_ids: np.ndarray, keys: np.ndarray) -> None:
        self.ids, position = np.unique(photo_ids, return_inverse=True)
        position = position.astype(np.uint32)
        self.keys_per_photo = np.bincount(position, minlength=len(self.ids)).astype(np.float32)
        self._entries: list[np.ndarray] = []
        self._offsets: list[np.ndarray] = []
        for t in range(keys.shape[1]):
            column = keys[:, t].astype(np.int64)
            order = np.argsort(column, kind="stable")
            self._entries.append(position[order])
            self._offsets.append(np.searchsorted(column[order], np.arange(_BUCKETS + 1)).astype(np.int64))

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        return sum(e.nbytes for e in self._entries) + sum(o.nbytes for o in self._offsets) + self.ids.nbytes

    def votes(self, query_keys: np.ndarray) -> np.ndarray:
        """Votes per library photo (aligned with ``self.ids``) for the query's keys (m x tables)."""
        counts = np.zeros(len(self.ids), np.int64)
        if len(self.ids) == 0 or query_keys.shape[0] == 0:
            return counts
        for t, (entries, offsets) in enumerate(zip(self._entries, self._offsets, strict=True)):
            q = np.unique(query_keys[:, t].astype(np.int64))
            starts, ends = offsets[q], offsets[q + 1]
            lengths = ends - starts
            total = int(lengths.sum())
            if total == 0:
                continue
            shift = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
            counts += np.bincount(entries[np.arange(total) + shift], minlength=len(self.ids))
        return counts

    def top(self, query_keys: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` photos with the most votes, as (photo id, score), best first.

        Scores divide votes by the square root of the photo's key count, so photos with many
        common keys (busy textures) do not win on volume alone (tf-idf-style normalisation,
        Sivic & Zisserman, ICCV 2003).
        """
        votes = self.votes(query_keys)
        if votes.size == 0:
            return []
        score = votes / np.sqrt(np.maximum(self.keys_per_photo, 1))
        k = min(limit, score.size)
        best = np.argpartition(-score, k - 1)[:k]
        best = best[np.argsort(-score[best], kind="stable")]
        return [(int(self.ids[i]), float(score[i])) for i in best if votes[i] > 0]
