"""How close a card read on the SAM simulator comes to the physical limit of the serial line.

Baseline (measured in the same run): the wire time of the frames actually exchanged, i.e.
(request + reply bytes) × 10 bits / baud, the least time any driver could take at that baud.
Figures printed:

* driver read (find → select → read 30 01 → appended address 30 03): wall time / wire time,
  and CPU time of the reading thread per read;
* the same with fingerprints (30 10);
* card placed → ``placed`` event through the polling worker: wall time / wire time of the
  frames exchanged since the card was placed (includes up to one poll interval of waiting).

Target: driver read within 1.3× of wire time. Run: ``.venv/bin/python benchmarks/bench_idcard.py``.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.idcard.factory import open_reader
from devices.idcard.sam_frames import wire_seconds
from devices.idcard.sam_poller import CardEvent, CardEventKind, CardPoller
from devices.simulators import register_all

register_all()  # sim://idcard

RUNS = 20
BAUD = 115200


def bench_driver(fingerprint: bool) -> tuple[float, float, float, int]:
    query = "fingerprint=1&address=1" if fingerprint else "address=1"
    reader = open_reader(f"sim://idcard?seed=1&baud={BAUD}&{query}")
    ratios, walls, cpus = [], [], []
    try:
        reader.read_card(fingerprint=fingerprint)  # warm-up
        for _ in range(RUNS):
            before = reader.bytes_exchanged
            wall0, cpu0 = time.perf_counter(), time.thread_time()
            reader.read_card(fingerprint=fingerprint)
            wall, cpu = time.perf_counter() - wall0, time.thread_time() - cpu0
            exchanged = reader.bytes_exchanged - before
            wire = wire_seconds(exchanged, BAUD)
            ratios.append(wall / wire)
            walls.append(wall)
            cpus.append(cpu)
    finally:
        reader.close()
    return statistics.median(ratios), statistics.median(walls), statistics.median(cpus), exchanged


def bench_placed(interval: float) -> tuple[float, float, float]:
    reader = open_reader(f"sim://idcard?seed=2&baud={BAUD}&card=none")
    simulator = reader.simulator
    placed = threading.Event()
    arrived: list[float] = []

    def on_event(event: CardEvent) -> None:
        if event.kind is CardEventKind.PLACED:
            arrived.append(time.perf_counter())
            placed.set()

    poller = CardPoller(reader, on_event, interval=interval).start()
    ratios, walls, wires = [], [], []
    try:
        time.sleep(0.2)
        for run in range(RUNS):
            # Place at a random phase of the poll cycle.
            time.sleep(interval * ((run * 7) % 10) / 10)
            placed.clear()
            bytes0 = simulator.bytes_sent + simulator.bytes_received
            start = time.perf_counter()
            simulator.place_card("resident")
            if not placed.wait(5):
                raise RuntimeError("card was not read")
            wall = arrived[-1] - start
            wire = wire_seconds(simulator.bytes_sent + simulator.bytes_received - bytes0, BAUD)
            ratios.append(wall / wire)
            walls.append(wall)
            wires.append(wire)
            simulator.remove_card()
            time.sleep(interval * 3)
    finally:
        poller.stop()
        reader.close()
    return statistics.median(ratios), statistics.median(walls), statistics.median(wires)


def main() -> None:
    print(f"SAM ID-card reader on the pty simulator, {BAUD} baud, median of {RUNS}")
    for fingerprint in (False, True):
        ratio, wall, cpu, exchanged = bench_driver(fingerprint)
        label = "read 30 10 (+fingerprint)" if fingerprint else "read 30 01 (text+photo)"
        print(
            f"  driver {label}: {wall * 1000:6.1f} ms for {exchanged} bytes "
            f"(wire {wire_seconds(exchanged, BAUD) * 1000:.1f} ms) = {ratio:.3f}x wire time; "
            f"driver CPU {cpu * 1000:.2f} ms/read ({cpu / wall:.1%} of wall)"
        )
    for interval in (0.05, 0.2):
        ratio, wall, wire = bench_placed(interval)
        print(
            f"  placed -> event, poll every {interval * 1000:.0f} ms: {wall * 1000:6.1f} ms "
            f"(wire {wire * 1000:.1f} ms) = {ratio:.3f}x wire time (includes waiting for the poll)"
        )


if __name__ == "__main__":
    main()
