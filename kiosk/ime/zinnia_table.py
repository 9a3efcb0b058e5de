"""libzinnia's model read by feature, to score several stroke orders of one character in one pass.

libzinnia keeps the model as one sparse weight list per character (6763 in Debian's
simplified-Chinese model) and walks all of it, 26 MB, for every classification. Trying each
swap of two neighbouring strokes that way costs one such walk per swap: most of the handwriting
latency. :class:`FeatureTable` holds the same weights indexed by feature id instead: the ids
that most characters weigh as one dense block (one row per id), the rest as short lists, so the
features of all the orders (:class:`kiosk.ime.zinnia_features.StrokeSet`) are scored with one
matrix product. Scores are libzinnia's (bias + weights · features); tests compare them.

The model file, as libzinnia's ``RecognizerImpl::open`` reads it (little-endian): magic,
version, character count; then per character 16 bytes of UTF-8 (NUL padded), a float bias and
(int32 id, float32 weight) pairs ending with id -1.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from threadpoolctl import ThreadpoolController

from kiosk.ime.errors import HandwritingUnavailable

DENSE_MIN = 500  # ids weighed by at least this many characters go into the dense block
HEADER_INTS = 3
CHARACTER_INTS = 4  # 16 bytes
END = -1

Features = tuple[np.ndarray, np.ndarray]  # (ids, values)

# The product is a few rows times a 29 MB block: OpenBLAS's threads only add their start-up and,
# on a busy machine, wait for a core (measured: 2.5x the CPU and 3x the wall time of one thread).
_threads = ThreadpoolController()


class FeatureTable:
    """The model's weights by feature id; :meth:`best` gives the top character of each feature vector."""

    def __init__(self, model: Path, dense_min: int = DENSE_MIN) -> None:
        data = model.read_bytes()
        ints = np.frombuffer(data, dtype="<i4")
        floats = np.frombuffer(data, dtype="<f4")
        if len(ints) < HEADER_INTS:
            raise HandwritingUnavailable(f"the handwriting model {model} is broken (too short)")
        count = int(ints[2])
        # An id of -1 only ever ends a list: UTF-8 has no 0xFF byte and no weight is a NaN.
        ends = np.flatnonzero(ints == END)
        starts = np.empty(count, dtype=np.int64)
        lengths = np.empty(count, dtype=np.int64)
        self.bias = np.empty(count, dtype=np.float32)
        self.characters: list[str] = []
        at = HEADER_INTS
        for index in range(count):
            self.characters.append(
                data[at * 4 : (at + CHARACTER_INTS) * 4].split(b"\0")[0].decode()
            )
            self.bias[index] = floats[at + CHARACTER_INTS]
            first = at + CHARACTER_INTS + 1
            found = np.searchsorted(ends, first)
            if found == len(ends) or (ends[found] - first) % 2:
                raise HandwritingUnavailable(
                    f"the handwriting model {model} is broken (character {index})"
                )
            starts[index], lengths[index] = first, (ends[found] - first) // 2
            at = int(ends[found]) + 2
        if at * 4 != len(data):
            raise HandwritingUnavailable(f"the handwriting model {model} is broken (size)")

        within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        slot = np.repeat(starts, lengths) + 2 * within
        ids, weights = ints[slot], floats[slot + 1]
        owners = np.repeat(np.arange(count, dtype=np.int32), lengths)

        per_id = np.bincount(ids)
        self.ids = np.flatnonzero(per_id)  # sorted
        id_count = per_id[self.ids]
        index_of_id = np.zeros(len(per_id), dtype=np.int64)
        index_of_id[self.ids] = np.arange(len(self.ids))
        weight_id = index_of_id[ids]

        dense = id_count >= dense_min
        self.dense_row = np.full(len(self.ids), -1, dtype=np.int64)
        self.dense_row[dense] = np.arange(dense.sum())
        self.dense = np.zeros((int(dense.sum()), count), dtype=np.float32)
        row = self.dense_row[weight_id]
        in_dense = row >= 0
        self.dense[row[in_dense], owners[in_dense]] = weights[in_dense]

        rest = np.flatnonzero(~in_dense)
        order = rest[np.argsort(weight_id[rest], kind="stable")]
        self.sparse_owner, self.sparse_weight = owners[order], weights[order]
        self.sparse_count = np.where(dense, 0, id_count)
        self.sparse_start = np.cumsum(self.sparse_count) - self.sparse_count

    def __len__(self) -> int:
        return len(self.characters)

    def scores(self, vectors: Sequence[Features]) -> np.ndarray:
        """Scores (vectors × characters) of each feature vector against every character."""
        rows = np.concatenate([np.full(len(ids), n) for n, (ids, _) in enumerate(vectors)])
        ids = np.concatenate([ids for ids, _ in vectors])
        values = np.concatenate([values for _, values in vectors]).astype(np.float32)
        index = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        known = self.ids[index] == ids  # ids no character weighs add nothing
        rows, index, values = rows[known], index[known], values[known]

        dense_row = self.dense_row[index]
        in_dense = dense_row >= 0
        coefficients = np.zeros((len(vectors), len(self.dense)), dtype=np.float32)
        np.add.at(coefficients, (rows[in_dense], dense_row[in_dense]), values[in_dense])
        with _threads.limit(limits=1, user_api="blas"):
            result = coefficients @ self.dense

        rest = ~in_dense
        counts = self.sparse_count[index[rest]]
        if counts.sum():
            within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            slot = np.repeat(self.sparse_start[index[rest]], counts) + within
            target = np.repeat(rows[rest], counts) * len(self) + self.sparse_owner[slot]
            weighted = self.sparse_weight[slot] * np.repeat(values[rest], counts)
            result += np.bincount(target, weights=weighted, minlength=result.size).reshape(
                result.shape
            )
        return result + self.bias

    def best(self, vectors: Sequence[Features]) -> list[tuple[str, float]]:
        """The top (character, score) of each feature vector."""
        return self.top(self.scores(vectors)) if vectors else []

    def top(self, scores: np.ndarray) -> list[tuple[str, float]]:
        """The top (character, score) of each row of :meth:`scores`."""
        best = np.argmax(scores, axis=1)
        return [(self.characters[k], float(scores[n, k])) for n, k in enumerate(best)]

    def ranked(self, scores: np.ndarray, limit: int) -> list[tuple[str, float]]:
        """The ``limit`` best (character, score) of one row of :meth:`scores`, best first."""
        limit = min(limit, len(scores))
        if limit <= 0:
            return []
        head = np.argpartition(-scores, limit - 1)[:limit]
        head = head[np.argsort(-scores[head], kind="stable")]
        return [(self.characters[k], float(scores[k])) for k in head]
