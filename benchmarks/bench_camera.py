"""Document camera speed: preview detection fps on one core, and full-resolution capture time.

Run: ``.venv/bin/python benchmarks/bench_camera.py [--frames N]``. Figures are printed against
a baseline measured in the same run:

1. detection + quality on 1080p preview frames with ``cv2.setNumThreads(1)``, against a naive
   pipeline running Canny on the full 1080p frame (target ≥ 30 fps);
2. capture at 8 MP and 13 MP: detect, warp, deskew, enhance and JPEG-encode (target 300 ms at
   8 MP), against the naive full-resolution detect + warp.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import cv2
import numpy as np

from devices.camera.detect import detect_in_work, work_image
from devices.camera.enhance import deskew, encode_jpeg, enhance_color, enhance_text, warp_page
from devices.camera.geometry import order_corners
from devices.camera.quality import assess
from devices.camera.simulator import RESOLUTIONS, SimCamera, SimScene


def naive_detect(frame: np.ndarray) -> np.ndarray | None:
    """The textbook pipeline on the full frame (platform notes §6, first row)."""
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    edges = cv2.dilate(cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 75, 200), np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        approx = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
        if len(approx) == 4:
            return order_corners(approx.reshape(4, 2))
    return None


def ours_preview(frame: np.ndarray) -> object:
    work = work_image(frame)
    detection = detect_in_work(work)
    return assess(work, detection)


def ours_capture(frame: np.ndarray, colour: bool) -> bytes:
    work = work_image(frame)
    detection = detect_in_work(work)
    assess(work, detection)
    assert detection is not None
    page, _ = deskew(warp_page(frame, detection.corners))
    return encode_jpeg(enhance_color(page) if colour else enhance_text(page))


def naive_capture(frame: np.ndarray) -> np.ndarray:
    corners = naive_detect(frame)
    assert corners is not None
    return warp_page(frame, corners)


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def paired_ms(a: Callable[[], object], b: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Medians of two pipelines measured alternately, so load from other processes hits both."""
    a(), b()
    times_a, times_b = [], []
    for _ in range(repeat):
        for fn, times in ((a, times_a), (b, times_b)):
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times_a), statistics.median(times_b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--captures", type=int, default=7)
    args = parser.parse_args()

    cv2.setNumThreads(1)
    scenes = [SimScene(doc=d, seed=i, rotate=r, tilt=0.12, noise=4, scale=0.45 if d == "certificate" else 0.6)
              for i, (d, r) in enumerate([("lease", 8), ("id_copy", -11), ("certificate", 5), ("lease", -3)])]
    frames = [SimCamera(s).preview_frame() for s in scenes]
    sim = SimCamera(scenes[0])
    sim_fps = 1000 / median_ms(sim.preview_frame, args.frames)
    pairs = [paired_ms(lambda f=f: ours_preview(f), lambda f=f: naive_detect(f), args.frames) for f in frames]
    ours = statistics.mean(p[0] for p in pairs)
    naive = statistics.mean(p[1] for p in pairs)
    print("preview 1920x1080, cv2.setNumThreads(1)")
    print(f"  ours (800 px detect + quality): {ours:6.2f} ms = {1000 / ours:6.1f} fps  (target >= 30 fps)")
    print(f"  naive full-res Canny detect:    {naive:6.2f} ms = {1000 / naive:6.1f} fps")
    print(f"  speed-up: {naive / ours:.1f}x;  simulator renders {sim_fps:.0f} preview fps (needs >= 15)")

    cv2.setNumThreads(2)
    print(f"capture, cv2 threads = {cv2.getNumThreads()}")
    for name in ("8mp", "13mp"):
        size = RESOLUTIONS[name]
        text = SimCamera(scenes[0], capture=size).capture_frame()
        colour = SimCamera(scenes[1], capture=size).capture_frame()
        t_text, t_naive = paired_ms(lambda f=text: ours_capture(f, False), lambda f=text: naive_capture(f), args.captures)
        t_colour = median_ms(lambda f=colour: ours_capture(f, True), args.captures)
        print(f"  {name} {size[0]}x{size[1]}: text {t_text:6.1f} ms, colour {t_colour:6.1f} ms "
              f"(full pipeline incl. JPEG);  naive full-res detect + warp only {t_naive:6.1f} ms "
              f"-> ratio {t_text / t_naive:.2f}" + ("  (target 300 ms)" if name == "8mp" else ""))


if __name__ == "__main__":
    main()
