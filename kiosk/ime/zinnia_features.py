"""zinnia's feature extraction (``feature.cpp`` of libzinnia 0.06) redone in Python.

libzinnia turns a character into a sparse feature vector and scores it against every character
of the model (a linear classifier per character). The handwriting recogniser also scores the
character with pairs of neighbouring strokes swapped; doing that in libzinnia costs one full
pass over the 26 MB model per swap. Here the features are computed once per stroke and then
placed at the position a stroke order gives it, so :mod:`kiosk.ime.zinnia_table` can score
every order in one pass. The arithmetic that decides where a stroke is split (the vertex
search) is done in single precision as in C; tests check the scores agree with libzinnia's.

Feature ids, as zinnia numbers them: 0 is unused (the model keeps a separate bias);
``position * 1000 + 20 * pair + 1..12`` describe the straight segments of the stroke at
``position`` (pair 0 is first-to-last point, then a binary split at the farthest point);
``100000 + position * 1000 + 1..12`` the pen's move from the previous stroke's end;
``2000000`` carries the number of strokes and ``2000000 + count`` a flag for it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

MOVE_BASE = 100_000
COUNT_BASE = 2_000_000
STROKE_SPAN = 1000  # ids per stroke position
PAIR_SPAN = 20  # ids per segment of a stroke
MAX_PAIR = 50  # zinnia's kMaxCharacterSize: segments past this are ignored
SPLIT_ERROR = np.float32(
    0.001
)  # squared distance (in a unit box) that makes zinnia split a segment
BASIC_OFFSETS = np.arange(1, 13)

Point = tuple[float, float]


def unit_points(stroke: Sequence[Point], box: int) -> np.ndarray:
    """A stroke as zinnia stores it: integer coordinates divided by the box, in single precision."""
    return np.array([(round(x) / box, round(y) / box) for x, y in stroke], dtype=np.float32)


def basic_features(first: np.ndarray, last: np.ndarray) -> list[float]:
    """The 12 values zinnia gives a segment from ``first`` to ``last`` (``makeBasicFeature``)."""
    fx, fy, lx, ly = float(first[0]), float(first[1]), float(last[0]), float(last[1])
    return [
        10 * math.hypot(fx - lx, fy - ly),
        math.atan2(ly - fy, lx - fx),
        10 * (fx - 0.5),
        10 * (fy - 0.5),
        10 * (lx - 0.5),
        10 * (ly - 0.5),
        math.atan2(fy - 0.5, fx - 0.5),
        math.atan2(ly - 0.5, lx - 0.5),
        10 * math.hypot(fx - 0.5, fy - 0.5),
        10 * math.hypot(lx - 0.5, ly - 0.5),
        5 * (lx - fx),
        5 * (ly - fy),
    ]


def segments(points: np.ndarray) -> list[tuple[int, int] | None]:
    """zinnia's ``getVertex``: (first, last) point indices by segment number, None where unused."""
    found: list[tuple[int, int] | None] = []

    def split(first: int, last: int, number: int) -> None:
        if len(found) <= number:
            found.extend([None] * (number + 1 - len(found)))
        found[number] = (first, last)
        if first == last:
            return
        (fx, fy), (lx, ly) = points[first], points[last]
        a, b = lx - fx, ly - fy
        c = ly * fx - lx * fy
        between = points[first:last]
        distance = np.abs(a * between[:, 1] - b * between[:, 0] + c)
        farthest = int(np.argmax(distance))
        with np.errstate(divide="ignore", invalid="ignore"):  # first and last on the same spot
            squared = distance[farthest] * distance[farthest] / (a * a + b * b)
        if squared > SPLIT_ERROR:
            split(first, first + farthest, number * 2 + 1)
            split(first + farthest, last, number * 2 + 2)

    split(0, len(points) - 1, 0)
    return found


def stroke_features(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(id offsets within a stroke position, values) of one stroke's segments."""
    offsets: list[int] = []
    values: list[float] = []
    for number, segment in enumerate(segments(points)[: MAX_PAIR + 1]):
        if segment is None:
            continue
        offsets.extend(PAIR_SPAN * number + BASIC_OFFSETS)
        values.extend(basic_features(points[segment[0]], points[segment[1]]))
    return np.array(offsets, dtype=np.int64), np.array(values, dtype=np.float32)


class StrokeSet:
    """The strokes of one character with their features computed once, to place in any order."""

    def __init__(self, strokes: Sequence[Sequence[Point]], box: int) -> None:
        self.points = [unit_points(stroke, box) for stroke in strokes]
        self.own = [stroke_features(points) for points in self.points]
        self._moves: dict[tuple[int, int], list[float]] = {}

    def __len__(self) -> int:
        return len(self.points)

    def features(self, order: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """(ids, values) of the character written in ``order`` (stroke indices), as zinnia has them."""
        ids: list[np.ndarray] = [np.array([COUNT_BASE, COUNT_BASE + len(order)])]
        values: list[np.ndarray] = [np.array([len(order), 10], dtype=np.float32)]
        for position, stroke in enumerate(order):
            offsets, own = self.own[stroke]
            ids.append(position * STROKE_SPAN + offsets)
            values.append(own)
            if position:
                ids.append(MOVE_BASE + position * STROKE_SPAN + BASIC_OFFSETS)
                values.append(np.array(self._move(order[position - 1], stroke), dtype=np.float32))
        return np.concatenate(ids), np.concatenate(values)

    def _move(self, before: int, stroke: int) -> list[float]:
        if (before, stroke) not in self._moves:
            self._moves[before, stroke] = basic_features(
                self.points[before][-1], self.points[stroke][0]
            )
        return self._moves[before, stroke]
