"""Bytes on the wire and time to print one 受理回执 through the TCP simulator, against python-escpos.

Ours: ``ReceiptPrinter.print`` (Kanji mode + GB18030 text, native ``GS ( k`` QR, DLE EOT status
before and after). Baseline, measured in the same run: python-escpos's default path for the same
receipt text (``escpos.printer.Network`` + ``p.text`` with automatic encoding + ``p.qr(native=False)``
raster QR at the same module size + ``p.cut()``). Time runs until the simulator has the whole job.

Run: ``.venv/bin/python benchmarks/bench_receipt.py [--rounds 20]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", tempfile.gettempdir())

from escpos.printer import Network

from devices.printer.document import QrCode
from devices.printer.driver import ReceiptPrinter
from devices.printer.simulator import PrinterSimulator
from kiosk.receipts import AcceptanceReceipt, build_acceptance_receipt, example_receipt

TARGET_RATIO = 0.2


def sample() -> AcceptanceReceipt:
    return example_receipt(11)


def run_ours(sim: PrinterSimulator, receipt, rounds: int) -> tuple[int, float]:
    times = []
    with ReceiptPrinter(sim.url) as printer:
        for _ in range(rounds):
            before_bytes, before_jobs = len(sim.received), len(sim.jobs)
            start = time.perf_counter()
            printer.print(receipt)
            sim.wait_for_jobs(before_jobs + 1)
            times.append(time.perf_counter() - start)
            wire = len(sim.received) - before_bytes
    return wire, statistics.median(times)


def run_baseline(sim: PrinterSimulator, text: str, qr: QrCode, rounds: int) -> tuple[int, float]:
    times = []
    for _ in range(rounds):
        before_bytes, before_jobs = len(sim.received), len(sim.jobs)
        start = time.perf_counter()
        p = Network(sim.host, sim.port, timeout=5)
        p.text(text)
        p.qr(qr.data, size=qr.size, native=False)
        p.cut()
        p.close()
        sim.wait_for_jobs(before_jobs + 1)
        times.append(time.perf_counter() - start)
        wire = len(sim.received) - before_bytes
    return wire, statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    ok = True
    print(
        f"{'paper':6} {'ours B':>8} {'escpos B':>9} {'bytes ratio':>12} {'ours ms':>8} {'escpos ms':>10} {'time ratio':>11}"
    )
    for width, columns in (("58", 32), ("80", 48)):
        receipt = build_acceptance_receipt(sample(), columns)
        qr = next(e for e in receipt.elements if isinstance(e, QrCode))
        sim = PrinterSimulator(width, chinese_default=True).start()
        try:
            ours_bytes, ours_time = run_ours(sim, receipt, args.rounds)
            text = sim.jobs[-1].text.replace(f"[QR {qr.data}]", "").rstrip() + "\n"
            base_bytes, base_time = run_baseline(sim, text, qr, args.rounds)
        finally:
            sim.stop()
        ratio = ours_bytes / base_bytes
        ok &= ratio <= TARGET_RATIO
        print(
            f"{width + ' mm':6} {ours_bytes:8d} {base_bytes:9d} {ratio:12.3f} "
            f"{ours_time * 1000:8.2f} {base_time * 1000:10.2f} {ours_time / base_time:11.2f}"
        )
    print(f"target: bytes ratio <= {TARGET_RATIO} -> {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
