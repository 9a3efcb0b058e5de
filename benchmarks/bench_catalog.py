"""Cold `kiosk catalog check` and walking all 21 flows, against a 1 s target.

Kiosks restart often, so what counts is a cold process. Baseline measured in the same run: a bare
interpreter start (`python -c pass`), the floor any Python command pays.
Run: .venv/bin/python benchmarks/bench_catalog.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

WALK_ALL = """
import random
from identity.idnumber import generate_person
from kiosk.catalog import load_catalog
from kiosk.engine import Flow
from kiosk.sample_answers import answer_questions, fill_form
catalog = load_catalog()
for i, scenario_id in enumerate(catalog.scenarios):
    rng = random.Random(i)
    flow = Flow(catalog, scenario_id)
    person = generate_person(rng)
    flow.prefill({"applicant.name": person.name, "applicant.id_number": person.id_number})
    answer_questions(flow, rng)
    fill_form(flow, rng)
    for need in flow.missing_materials():
        flow.attach(need.material.id, [b"jpeg"])
    flow.submission("K-BENCH", "bench")
"""


def timed(command: list[str], runs: int = 7) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    python = sys.executable
    baseline = timed([python, "-c", "pass"])
    check = timed([python, "-m", "screens.cli", "catalog", "check"])
    walk = timed([python, "-c", WALK_ALL])
    target = 1.0
    print(f"bare interpreter start         {baseline * 1000:7.1f} ms (baseline)")
    print(f"cold `kiosk catalog check`     {check * 1000:7.1f} ms = {check / baseline:4.1f}x baseline, "
          f"{check / target:.2f}x the 1 s target")
    print(f"cold load + walk all 21 flows  {walk * 1000:7.1f} ms = {walk / baseline:4.1f}x baseline, "
          f"{walk / target:.2f}x the 1 s target")


if __name__ == "__main__":
    main()
