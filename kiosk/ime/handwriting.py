"""``HandwritingRecognizer``: turns the strokes a citizen draws with a finger into hanzi candidates.

Built on libzinnia (:mod:`kiosk.ime.zinnia_api`) with the simplified-Chinese model from Debian's
``tegaki-zinnia-simplified-chinese``. A stroke is the list of points one touch passed through,
in a drawing box of ``width`` × ``height`` with y pointing down (Kivy's y points up: the widget
flips it). Stroke order and direction matter to the model, as they do in handwriting.

Two things make it forgiving, both measured on stroke data of 200 common hanzi written in the
standard order (tests/ime/data): the character is scaled to fill the box with a fixed margin
(people write big or small, anywhere in the pad), and because the model was trained with some
stroke orders that differ from the standard ones (山 with 𠃊 first), the best guess after each
swap of two neighbouring strokes is offered after the model's own top three. Together they take
the right character into the top five from 83 % to 90 % of that sample.

Latency: libzinnia walks its whole 26 MB model for every classification (5–15 ms), so scoring
each swap with it cost one walk per stroke, 100 ms and more for a character of ten strokes. The
character and its swaps are scored instead with :class:`kiosk.ime.zinnia_table.FeatureTable` (the
same weights by feature, built in a background thread when the recogniser is made, ~0.2–0.5 s
of CPU): one pass for all of them, with libzinnia's scores (tests compare them). Until the
table is ready (the first seconds after start), libzinnia classifies, with the same results.

One recogniser per process is enough; a character is recognised on the UI thread after each
stroke ends.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from kiosk.ime import zinnia_api
from kiosk.ime.errors import HandwritingUnavailable
from kiosk.ime.zinnia_features import StrokeSet
from kiosk.ime.zinnia_table import FeatureTable

log = logging.getLogger(__name__)

MODEL_PATH = Path("/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model")
DEFAULT_CANDIDATES = 10
BOX = 1024  # what strokes are scaled into before classification
MARGIN = 0.16  # of the box, on each side
KEEP_OWN_BEST = 3  # the model's own guesses that stay ahead of the reordered ones

Point = tuple[float, float]
Stroke = Sequence[Point]


class HandwritingRecognizer:
    """Recognise one character at a time; safe to share between threads (calls are serialised)."""

    def __init__(self, model: Path = MODEL_PATH, fast_swaps: bool = True) -> None:
        if not model.is_file():
            raise HandwritingUnavailable(
                f"no handwriting model at {model} (Debian package tegaki-zinnia-simplified-chinese)"
            )
        self._lib = zinnia_api.load_library()
        self._lock = threading.Lock()
        self._recognizer = self._lib.zinnia_recognizer_new()
        if not self._lib.zinnia_recognizer_open(self._recognizer, str(model).encode()):
            reason = (self._lib.zinnia_recognizer_strerror(self._recognizer) or b"").decode(
                errors="replace"
            )
            self._lib.zinnia_recognizer_destroy(self._recognizer)
            self._recognizer = None
            raise HandwritingUnavailable(
                f"the handwriting model {model} cannot be opened: {reason}"
            )
        self._table: FeatureTable | None = None
        self._table_ready = threading.Event()
        if fast_swaps:
            threading.Thread(
                target=self._load_table, args=(model,), name="zinnia-table", daemon=True
            ).start()
        else:
            self._table_ready.set()

    def _load_table(self, model: Path) -> None:
        try:
            self._table = shared_table(model)
        except Exception as error:  # the swaps then stay on libzinnia: slower, same result
            log.warning("handwriting: fast stroke-order table unavailable: %s", error)
        finally:
            self._table_ready.set()

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait for the fast stroke-order table (tests, benchmarks); True once it is usable."""
        self._table_ready.wait(timeout)
        return self._table is not None

    def classify(self, strokes: Sequence[Stroke], limit: int = DEFAULT_CANDIDATES) -> list[str]:
        """The ``limit`` likeliest characters for ``strokes``, best first (none for no strokes).

        Points may be in any box and scale (y pointing down): the character is normalised first.
        """
        strokes = [list(stroke) for stroke in strokes if stroke]
        if not strokes or self._recognizer is None:
            return []
        shape = normalise(strokes)
        with self._lock:
            own, reordered = self._own_and_swaps(shape, limit)
        result = [text for text, _ in own[:KEEP_OWN_BEST]]
        for text, _ in sorted(reordered, key=lambda c: -c[1]):
            if text not in result:
                result.append(text)
        result += [text for text, _ in own[KEEP_OWN_BEST:] if text not in result]
        return result[:limit]

    def _own_and_swaps(
        self, shape: list[list[Point]], limit: int
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """The model's ``limit`` best for ``shape``, and its best with each neighbouring swap.

        With the table: one product scores the drawn order and every swap. Before it is ready:
        libzinnia, one classification for the drawn order and one per swap (same results)."""
        table = self._table
        if table is None:
            own = self._classify(shape, limit)
            return own, [
                best[0]
                for variant in neighbour_swaps(shape)
                if (best := self._classify(variant, 1))
            ]
        strokes = StrokeSet(shape, BOX)
        orders = [list(range(len(strokes))), *neighbour_swap_orders(len(strokes))]
        scores = table.scores([strokes.features(order) for order in orders])
        return table.ranked(scores[0], limit), table.top(scores[1:])

    def _classify(self, strokes: Sequence[Stroke], limit: int) -> list[tuple[str, float]]:
        """zinnia's own (character, score) list for strokes already in the box."""
        lib = self._lib
        character = lib.zinnia_character_new()
        try:
            lib.zinnia_character_set_width(character, BOX)
            lib.zinnia_character_set_height(character, BOX)
            for index, stroke in enumerate(strokes):
                for x, y in stroke:
                    lib.zinnia_character_add(character, index, round(x), round(y))
            result = lib.zinnia_recognizer_classify(self._recognizer, character, limit)
            if not result:
                return []
            try:
                size = lib.zinnia_result_size(result)
                return [
                    (
                        lib.zinnia_result_value(result, i).decode("utf-8"),
                        lib.zinnia_result_score(result, i),
                    )
                    for i in range(size)
                ]
            finally:
                lib.zinnia_result_destroy(result)
        finally:
            lib.zinnia_character_destroy(character)

    def close(self) -> None:
        with self._lock:
            if self._recognizer is not None:
                self._lib.zinnia_recognizer_destroy(self._recognizer)
                self._recognizer = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown: the library may be gone
            self.close()


def normalise(strokes: Sequence[Stroke]) -> list[list[Point]]:
    """``strokes`` scaled (aspect kept) and centred to fill the box inside the margin."""
    xs = [x for stroke in strokes for x, _ in stroke]
    ys = [y for stroke in strokes for _, y in stroke]
    left, top = min(xs), min(ys)
    width, height = max(xs) - left, max(ys) - top
    inner = BOX * (1 - 2 * MARGIN)
    scale = inner / max(width, height, 1e-9)
    if max(width, height) < 1e-9:  # a dot: centre it
        scale = 0.0
    x_off, y_off = (BOX - width * scale) / 2, (BOX - height * scale) / 2
    return [
        [((x - left) * scale + x_off, (y - top) * scale + y_off) for x, y in stroke]
        for stroke in strokes
    ]


def neighbour_swaps(strokes: list[list[Point]]) -> list[list[list[Point]]]:
    """The stroke lists with one pair of neighbouring strokes swapped, for each pair."""
    return [
        [*strokes[:i], strokes[i + 1], strokes[i], *strokes[i + 2 :]]
        for i in range(len(strokes) - 1)
    ]


_tables: dict[Path, FeatureTable] = {}
_tables_lock = threading.Lock()


def shared_table(model: Path) -> FeatureTable:
    """One feature table per model file and process (29 MB; recognisers made later reuse it)."""
    with _tables_lock:
        if model not in _tables:
            _tables[model] = FeatureTable(model)
        return _tables[model]


def neighbour_swap_orders(count: int) -> list[list[int]]:
    """Stroke orders (indices) with one pair of neighbouring strokes swapped, for each pair."""
    return [[*range(i), i + 1, i, *range(i + 2, count)] for i in range(count - 1)]
