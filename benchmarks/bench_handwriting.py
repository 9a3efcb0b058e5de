"""Handwriting recognition: accuracy and latency per character, against a 50 ms target.

Two samples of real stroke data in standard order (hanzi-writer-data medians): the 200 common
hanzi the test uses (and that the recogniser's two settings were chosen on), and the next 200 of
the same frequency list, which it was not tuned on. Baseline in the same run: zinnia's plain
classification of the same strokes (no normalisation, no reordering), which is what the
recogniser adds its work to. Latency is per character, i.e. what a citizen waits after the
last stroke (the pad recognises after every stroke; the last call is the one that counts).
Both wall time and CPU time are printed: on a shared, loaded machine the wall time grows with the
load while the CPU time a character costs does not.
Run: .venv/bin/python benchmarks/bench_handwriting.py
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from kiosk.ime.handwriting import DEFAULT_CANDIDATES, HandwritingRecognizer

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {
    "tuned (tests/ime/data)": ROOT / "tests/ime/data/hanzi-medians-200.json",
    "held out (benchmarks/data)": ROOT / "benchmarks/data/hanzi-medians-heldout.json",
}
TARGET_MS = 50.0


def drawn(medians: list[list[list[int]]]) -> list[list[tuple[float, float]]]:
    return [[(x, 900 - y) for x, y in stroke] for stroke in medians]


def measure(classify, sample: dict[str, list]) -> tuple[float, float, list[float], list[float]]:  # type: ignore[no-untyped-def]
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
    return top1 / len(sample), top5 / len(sample), wall, cpu


def main() -> None:
    recognizer = HandwritingRecognizer()

    def plain(strokes):  # type: ignore[no-untyped-def]
        return [text for text, _ in recognizer._classify(strokes, DEFAULT_CANDIDATES)]

    print(f"{'sample':28} {'method':8} {'top-1':>6} {'top-5':>6} {'wall ms median':>15} {'p95':>7}"
          f" {'CPU ms median':>14} {'p95':>7}")
    for name, path in SAMPLES.items():
        sample = json.loads(path.read_text(encoding="utf-8"))
        rows = {}
        for method, classify in (("zinnia", plain), ("kiosk", recognizer.classify)):
            top1, top5, wall, cpu = measure(classify, sample)
            wall.sort()
            cpu.sort()
            rows[method] = statistics.median(wall), statistics.median(cpu)
            print(
                f"{name:28} {method:8} {top1:6.1%} {top5:6.1%} {rows[method][0]:15.2f}"
                f" {wall[int(len(wall) * 0.95)]:7.2f} {rows[method][1]:14.2f} {cpu[int(len(cpu) * 0.95)]:7.2f}"
            )
        (wall_ms, cpu_ms), (plain_wall, _) = rows["kiosk"], rows["zinnia"]
        print(
            f"{'':28} median wall {wall_ms / TARGET_MS:.2f}×, CPU {cpu_ms / TARGET_MS:.2f}× the"
            f" {TARGET_MS:.0f} ms target; {wall_ms / plain_wall:.1f}× plain zinnia ({len(sample)} characters)"
        )


if __name__ == "__main__":
    main()
