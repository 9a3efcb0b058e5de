"""Pinyin input speed: per-keystroke latency and engine cold start, against a 16 ms frame.

Each figure is measured in a fresh child process, once with our data (district dictionary,
schema patch) and once with Debian's stock luna_pinyin_simp tables (the baseline, measured in
the same run), so the cost of our dictionary shows as a ratio. A keystroke is
``process_key`` + reading the first page of candidates, which is what the keyboard does per tap.

    .venv/bin/python benchmarks/bench_ime.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FRAME_MS = 1000 / 60
WORDS = [
    "dalianxinyuanshangmaoyouxiangongsi",
    "ganjingziquhuabeilu",
    "qichezulin",
    "canyinguanli",
    "gerengongshanghu",
    "jingyingfanwei",
    "zhucezibenyiwanyuan",
    "sm",
    "hb",
    "shi",
]


def child(user_dir: str, rounds: int) -> None:
    """Runs in a fresh process: cold start, then timed keystrokes; prints JSON."""
    from kiosk.ime import PinyinEngine, RimeData

    start = time.perf_counter()
    engine = PinyinEngine(RimeData(user_dir=Path(user_dir)))
    engine.type_letters("a")
    engine.candidates(0)
    engine.clear()
    cold_ms = (time.perf_counter() - start) * 1000
    samples: list[float] = []
    for _ in range(rounds):
        for word in WORDS:
            for char in word:
                t0 = time.perf_counter()
                engine.process_key(ord(char))
                engine.candidates(0)
                samples.append((time.perf_counter() - t0) * 1000)
            engine.clear()
    print(json.dumps({"cold_ms": cold_ms, "samples": samples}))


def stock_data(work: Path) -> Path:
    """Debian's stock schema deployed the same way, without our patch or dictionary."""
    user = work / "stock"
    user.mkdir()
    (user / "default.custom.yaml").write_text("patch:\n  schema_list:\n    - schema: luna_pinyin_simp\n")
    subprocess.run(
        ["rime_deployer", "--build", str(user), "/usr/share/rime-data", str(user / "build")],
        cwd=user,
        env=dict(os.environ, GLOG_logtostderr="1"),
        capture_output=True,
        check=True,
    )
    return user


def run_child(user_dir: Path, rounds: int) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(user_dir), "--rounds", str(rounds)],
        capture_output=True,
        check=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rounds)
        return 0

    from kiosk.ime import ensure_built
    from kiosk.ime.rime_api import library_version

    work = Path(tempfile.mkdtemp(prefix="bench-ime-"))
    try:
        t0 = time.perf_counter()
        ours = ensure_built(work / "cache", librime_version=library_version())
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        stock = stock_data(work)
        stock_build_s = time.perf_counter() - t0
        results = {}
        for name, folder in (("stock", stock), ("ours", ours.user_dir)):
            colds, samples = [], []
            for _ in range(3):
                run = run_child(folder, args.rounds)
                colds.append(float(run["cold_ms"]))  # type: ignore[arg-type]
                samples.extend(run["samples"])  # type: ignore[arg-type]
            results[name] = {
                "cold": statistics.median(colds),
                "median": statistics.median(samples),
                "p95": p95(samples),
                "max": max(samples),
                "n": len(samples),
            }
    finally:
        shutil.rmtree(work, ignore_errors=True)

    base, our = results["stock"], results["ours"]
    print(f"librime {library_version()}, frame budget {FRAME_MS:.1f} ms (60 Hz)")
    print(f"first-use build: ours {build_s:.2f} s, stock {stock_build_s:.2f} s "
          f"(ratio {build_s / stock_build_s:.1f}x; once per dictionary change)")
    print(f"{'':<8}{'keys':>6}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}{'cold ms':>9}"
          f"{'median/frame':>14}{'p95/frame':>11}{'cold/frame':>12}")
    for name, r in results.items():
        print(f"{name:<8}{r['n']:>6}{r['median']:>11.3f}{r['p95']:>9.3f}{r['max']:>9.2f}"
              f"{r['cold']:>9.1f}{r['median'] / FRAME_MS:>14.4f}{r['p95'] / FRAME_MS:>11.4f}"
              f"{r['cold'] / FRAME_MS:>12.2f}")
    print(f"ours vs stock: keystroke median {our['median'] / base['median']:.2f}x, "
          f"p95 {our['p95'] / base['p95']:.2f}x, cold start {our['cold'] / base['cold']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
