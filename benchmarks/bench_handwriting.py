"""Handwriting recognition: accuracy and latency per character, against a 50 ms target.

Two samples of real stroke data in standard order (hanzi-writer-data medians): the 200 common
hanzi the test uses (and that the recogniser's two settings were chosen on), and the next 200 of
the same frequency list, which it was not tuned on. Three methods in the same run:

- ``zinnia``: libzinnia's plain classification of the same strokes (the baseline);
- ``kiosk-old``: the recogniser with every neighbouring-stroke swap classified by libzinnia
  (what it did before the feature table; still what it does in its first second);
- ``kiosk``: the recogniser as the kiosk runs it (swaps scored by the feature table).

Latency is per character, i.e. what a citizen waits after the last stroke (the pad recognises
after every stroke; the last call is the one that counts). Strokes are fed as a finger gives
them: the medians' points plus points every 8 units between them (as touch moves arrive), which
changes no feature zinnia computes but makes the per-point cost real. Wall and CPU time are
printed: on a shared, loaded machine the wall time grows with the load, the CPU time less so.
Also printed: the time the table takes to build (in the background at start) and the first call.
Run: .venv/bin/python benchmarks/bench_handwriting.py
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.ime.handwriting import DEFAULT_CANDIDATES, MODEL_PATH, HandwritingRecognizer
from kiosk.ime.zinnia_table import FeatureTable

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {
    "tuned (tests/ime/data)": ROOT / "tests/ime/data/hanzi-medians-200.json",
    "held out (benchmarks/data)": ROOT / "benchmarks/data/hanzi-medians-heldout.json",
}
TARGET_MS = 50.0
STEP = 8.0  # units of the 1024 box between touch points

Strokes = list[list[tuple[float, float]]]


def drawn(medians: list[list[list[int]]]) -> Strokes:
    """The medians as a finger draws them: y down, a point every STEP units along each line."""
    strokes = []
    for stroke in medians:
        points = [(float(x), 900.0 - y) for x, y in stroke]
        dense = [points[0]]
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            steps = max(1, int(math.hypot(x1 - x0, y1 - y0) // STEP))
            dense += [
                (x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps)
                for k in range(1, steps + 1)
            ]
        strokes.append(dense)
    return strokes


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def measure(classify: Callable[[Strokes], list[str]], sample: dict[str, list]) -> dict[str, float]:
    top1 = top5 = 0
    wall, cpu = [], []
    for char, medians in sample.items():
        strokes = drawn(medians)
        start, start_cpu = time.perf_counter(), time.process_time()
        candidates = classify(strokes)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        top1 += candidates[:1] == [char]
        top5 += char in candidates[:5]
    return {
        "top1": top1 / len(sample),
        "top5": top5 / len(sample),
        **{f"wall{p}": percentile(wall, p / 100) for p in (50, 95, 99)},
        **{f"cpu{p}": percentile(cpu, p / 100) for p in (50, 95, 99)},
    }


def main() -> None:
    start = time.perf_counter()
    recognizer = HandwritingRecognizer()
    made_ms = (time.perf_counter() - start) * 1000
    first_start = time.perf_counter()
    recognizer.classify(drawn([[[100, 500], [900, 500]], [[500, 850], [500, 50]]]))
    first_ms = (time.perf_counter() - first_start) * 1000
    if not recognizer.wait_ready(60):
        raise SystemExit("the stroke-order table did not load")
    ready_ms = (time.perf_counter() - start) * 1000
    build_start, build_cpu = time.perf_counter(), time.process_time()
    FeatureTable(MODEL_PATH)
    build_ms, build_cpu_ms = (
        (time.perf_counter() - build_start) * 1000,
        (time.process_time() - build_cpu) * 1000,
    )
    old = HandwritingRecognizer(fast_swaps=False)
    print(
        f"recogniser made in {made_ms:.0f} ms; first character {first_ms:.0f} ms (table loading meanwhile);"
        f" table ready {ready_ms:.0f} ms after start; a table build alone {build_ms:.0f} ms"
        f" wall, {build_cpu_ms:.0f} ms CPU"
    )

    def plain(strokes: Strokes) -> list[str]:
        return [text for text, _ in recognizer._classify(strokes, DEFAULT_CANDIDATES)]

    methods = {"zinnia": plain, "kiosk-old": old.classify, "kiosk": recognizer.classify}
    print(
        f"{'sample':27} {'method':9} {'top-1':>6} {'top-5':>6} | {'wall ms p50':>11} {'p95':>6} {'p99':>6}"
        f" | {'CPU ms p50':>10} {'p95':>6} {'p99':>6}"
    )
    for name, path in SAMPLES.items():
        sample = json.loads(path.read_text(encoding="utf-8"))
        rows = {method: measure(classify, sample) for method, classify in methods.items()}
        for method, r in rows.items():
            print(
                f"{name:27} {method:9} {r['top1']:6.1%} {r['top5']:6.1%} | {r['wall50']:11.2f}"
                f" {r['wall95']:6.2f} {r['wall99']:6.2f} | {r['cpu50']:10.2f} {r['cpu95']:6.2f} {r['cpu99']:6.2f}"
            )
        kiosk, base, before = rows["kiosk"], rows["zinnia"], rows["kiosk-old"]
        for stat in ("50", "95", "99"):
            print(
                f"{'':27} p{stat}: wall {kiosk['wall' + stat] / TARGET_MS:.2f}×, CPU"
                f" {kiosk['cpu' + stat] / TARGET_MS:.2f}× the {TARGET_MS:.0f} ms target;"
                f" {kiosk['wall' + stat] / base['wall' + stat]:.1f}× plain zinnia,"
                f" {kiosk['wall' + stat] / before['wall' + stat]:.2f}× kiosk-old (wall)"
            )


if __name__ == "__main__":
    main()
