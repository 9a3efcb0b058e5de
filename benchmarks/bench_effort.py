"""What a citizen has to do to finish a scenario, counted from the real UI, against a baseline.

    .venv/bin/python benchmarks/bench_effort.py [--scenario ID[:q=v,...][@N]] [--all] [--baseline-rev REV|none]

The scripted citizen (:class:`screens.script.ScriptedVisit` with ``pinyin=True``) walks each
scenario through the real screens by touch and types every hanzi on the real pinyin keyboard:
the letters of the pinyin, then the candidate that matches (turning candidate pages if needed),
so every key and candidate tap is a real touch. Nothing here knows how the UI asks for things:
it counts whatever the screens make the citizen do.

Per scenario it prints: screens passed, touches (key taps, candidate taps, other taps),
characters typed, captures (material pages), data asked twice (a value typed into more than one
field, numbers under 6 digits excepted; card data typed although the card was read; and a 情形
choice tapped that names a quantity in a unit, "50平方米以下", when a form field asking that
quantity in the same unit, "经营面积（平方米）", is typed later), and an estimated time from these
per-action times for a first-time citizen (assumed, not measured):

    reading a new screen 6 s · a tap on a button, option or field 2 s · a key tap 1.2 s ·
    a candidate choice 2.5 s · a captured page 8 s (place it, hold still)

Baseline: the same counts for the UI at ``--baseline-rev`` (default :data:`BASELINE_REV`, the UI
before any effort reduction), measured in the same run: that commit's tree is exported with
``git archive``, this tree's measuring instrument (the driver, the scripted citizen, the journey
package and this file) is laid over it, and this script runs there in a subprocess.
The default scenarios are the issue's target, 开办企业 as an LLC with 2 shareholders that hires
(``new_enterprise:org_form=llc,shareholders=several,hiring=yes@2``), and 我要开餐馆.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# main when the effort cut began (31507b1) with one fix laid on it: a shareholder row added on
# the form got no keyboard, so no citizen (scripted or not) could finish 2 shareholders there
BASELINE_REV = "06e34fe"
INSTRUMENT = ("screens/driver.py", "screens/script.py", "screens/journeys", "benchmarks/bench_effort.py")
DEFAULT_SCENARIOS = ("new_enterprise:org_form=llc,shareholders=several,hiring=yes@2", "open_restaurant")
SECONDS = {"screen": 6.0, "tap": 2.0, "key": 1.2, "candidate": 2.5, "capture": 8.0}
KEY_WIDGETS = ("KeyButton",)
CANDIDATE_WIDGETS = ("CandidateButton",)


@dataclass
class Effort:
    scenario: str
    screens: int = 0
    touches: int = 0
    key_taps: int = 0
    candidate_taps: int = 0
    other_taps: int = 0
    characters: int = 0
    untyped: int = 0
    captures: int = 0
    asked_twice: list[str] = field(default_factory=list)
    card_data_typed: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return (self.screens * SECONDS["screen"] + self.other_taps * SECONDS["tap"]
                + self.key_taps * SECONDS["key"] + self.candidate_taps * SECONDS["candidate"]
                + self.captures * SECONDS["capture"])


def parse_scenario(spec: str) -> tuple[str, dict[str, str], int | None]:
    """``id[:question=value,...][@shareholders]``."""
    head, _, holders = spec.partition("@")
    scenario, _, answers = head.partition(":")
    choices = dict(pair.split("=", 1) for pair in answers.split(",") if pair)
    return scenario, choices, int(holders) if holders else None


def measure(driver: Any, spec: str) -> Effort:
    """Walk one scenario as the pinyin-typing citizen and count what it took."""
    from screens.script import ScriptedVisit

    scenario, choices, holders = parse_scenario(spec)
    effort = Effort(spec)
    typed: dict[str, list[str]] = {}
    card: dict[str, str] = {}
    visit = ScriptedVisit(driver, scenario, choices=choices, shareholders=holders, pinyin=True)
    plain_type = visit._type

    def counting_type(box: Any, text: str) -> None:
        session = driver.app.kiosk.visit.session
        if session is not None and not card:
            card.update({k: str(session.flow.answers.get(k) or "") for k in ("applicant.name", "applicant.id_number")})
        where = getattr(box, "field_id", "") or getattr(box, "column", "") or "field"
        typed.setdefault(text, []).append(where)
        plain_type(box, text)

    visit._type = counting_type  # type: ignore[method-assign]
    tapped_choices: list[str] = []  # question and option texts of the 情形 answers tapped
    plain_tap_text = driver.tap_text

    def counting_tap_text(text: str) -> None:
        if driver.app.current == "questions":
            question = getattr(driver.app.screen("questions"), "question", None)
            tapped_choices.append(f"{question.text.zh if question is not None else ''} {text}")
        plain_tap_text(text)

    driver.tap_text = counting_tap_text  # type: ignore[method-assign]
    touches, keys = driver.touches, dict(driver.touched)
    chars, untyped = driver.typed, driver.untyped
    try:
        visit.run()
    finally:
        driver.tap_text = plain_tap_text  # type: ignore[method-assign]
    effort.screens = len([s for s in visit.visited if s not in ("attract", "receipt-printed", "receipt-on-screen")])
    effort.touches = driver.touches - touches
    count = {k: driver.touched.get(k, 0) - keys.get(k, 0) for k in driver.touched}
    effort.key_taps = sum(count.get(k, 0) for k in KEY_WIDGETS)
    effort.candidate_taps = sum(count.get(k, 0) for k in CANDIDATE_WIDGETS)
    effort.other_taps = effort.touches - effort.key_taps - effort.candidate_taps
    effort.characters = driver.typed - chars
    effort.untyped = driver.untyped - untyped
    effort.captures = len([s for s in visit.visited if s.startswith("materials-")])
    # a short number typed twice (10 staff, 10 m²) is two data that happen to agree, not one asked twice
    effort.asked_twice = sorted(f"{' & '.join(places)}" for text, places in typed.items()
                                if len(places) > 1 and len(text) >= 2 and not (text.isdigit() and len(text) < 6))
    effort.asked_twice += situation_asked_again(driver.app.kiosk.visit.catalog, tapped_choices, typed)
    effort.card_data_typed = sorted({place for text, places in typed.items() for place in places
                                     if text and text in card.values()})
    return effort


UNIT = re.compile(r"[（(]([^（）()0-9]+)[）)]\s*$")  # "经营面积（平方米）" → 平方米


def situation_asked_again(catalog: Any, tapped: list[str], typed: dict[str, list[str]]) -> list[str]:
    """Form fields typed whose quantity a 情形 answer tapped already gave in the same unit: the
    field's label ends in "（unit）" and a tapped question or option names a number in that unit."""
    labels = {f.id: f.label.zh for item in catalog.items.values() for f in item.fields}
    labels.update({f.id: f.label.zh for f in catalog.fields.values()})
    found = []
    for field_id in sorted({place for places in typed.values() for place in places}):
        unit = UNIT.search(labels.get(field_id, ""))
        if unit is None:
            continue
        named = re.compile(r"\d\s*" + re.escape(unit.group(1)))
        said = next((text for text in tapped if named.search(text)), None)
        if said is not None:
            found.append(f"情形 '{said.strip()}' & {field_id}")
    return found


def measure_here(specs: list[str]) -> list[Effort]:
    from screens.journeys.harness import simulated_kiosk

    try:
        with simulated_kiosk() as (driver, _central):
            return [measure(driver, spec) for spec in specs]
    except Exception:
        # Kivy has taken sys.stderr over for its (quiet) log: say what went wrong where it is seen
        traceback.print_exc(file=sys.__stderr__)
        raise


def measure_baseline(rev: str, specs: list[str]) -> list[Effort]:
    """The same counts on the tree of ``rev`` with this tree's instrument laid over it."""
    tree = Path(tempfile.mkdtemp(prefix="bench-effort-baseline-"))
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True).stdout
        with tempfile.TemporaryFile() as handle:
            handle.write(archive)
            handle.seek(0)
            with tarfile.open(fileobj=handle) as tar:
                tar.extractall(tree, filter="data")
        for part in INSTRUMENT:
            source, target = ROOT / part, tree / part
            if source.is_dir():
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, target)
        env = dict(os.environ, PYTHONPATH=str(tree))
        run = subprocess.run([sys.executable, str(tree / "benchmarks/bench_effort.py"), "--measure-only", *specs],
                             cwd=tree, env=env, capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"baseline run at {rev} failed:\n{run.stdout[-1500:]}\n{run.stderr[-3000:]}")
        rows = json.loads(run.stdout.strip().splitlines()[-1])
        return [_effort(row) for row in rows]
    finally:
        shutil.rmtree(tree, ignore_errors=True)


def _effort(row: dict[str, Any]) -> Effort:
    return Effort(**{k: v for k, v in row.items() if k in Effort.__dataclass_fields__})


def _row(effort: Effort) -> str:
    return (f"{effort.screens:>7} {effort.touches:>7} {effort.key_taps:>5} {effort.candidate_taps:>5} "
            f"{effort.other_taps:>5} {effort.characters:>5} {effort.captures:>4} "
            f"{len(effort.asked_twice):>5} {len(effort.card_data_typed):>4} {effort.seconds / 60:>6.1f}")


def report(current: list[Effort], baseline: list[Effort] | None, rev: str) -> None:
    print("per-action times assumed: " + ", ".join(f"{k} {v:g} s" for k, v in SECONDS.items()))
    header = f"{'':<10} {'screens':>7} {'touches':>7} {'keys':>5} {'cands':>5} {'other':>5} {'chars':>5} " \
             f"{'caps':>4} {'twice':>5} {'card':>4} {'min':>6}"
    for n, effort in enumerate(current):
        print(f"\n{effort.scenario}")
        print(header)
        before = baseline[n] if baseline else None
        if before is not None:
            print(f"{'baseline':<10} {_row(before)}   ({rev})")
        print(f"{'current':<10} {_row(effort)}")
        if before is not None and before.touches:
            print(f"{'ratio':<10} {effort.screens / max(1, before.screens):>7.2f} {effort.touches / before.touches:>7.2f}"
                  f"{'':>36}{effort.seconds / max(1.0, before.seconds):>12.2f}   (current / baseline; target touches ≤ 0.33)")
        if effort.asked_twice:
            print(f"  asked twice: {'; '.join(effort.asked_twice)}")
        if effort.card_data_typed:
            print(f"  card data typed again: {', '.join(effort.card_data_typed)}")
        if effort.untyped:
            print(f"  {effort.untyped} characters had no key or candidate (inserted directly)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("specs", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--scenario", action="append", default=[], metavar="ID[:q=v,...][@N]",
                        help="a scenario, its 情形 answers and shareholder count (repeat)")
    parser.add_argument("--all", action="store_true", help="every scenario of the catalog, first options")
    parser.add_argument("--baseline-rev", default=BASELINE_REV, help="git revision of the baseline UI, or 'none'")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    specs = args.specs or args.scenario or list(DEFAULT_SCENARIOS)
    if args.all:
        from kiosk.catalog import load_catalog

        specs = sorted(load_catalog().scenarios)
    if args.measure_only:
        print(json.dumps([asdict(e) for e in measure_here(specs)], ensure_ascii=False))
        return 0
    baseline = None if args.baseline_rev == "none" else measure_baseline(args.baseline_rev, specs)
    current = measure_here(specs)
    report(current, baseline, args.baseline_rev)
    return 0


if __name__ == "__main__":
    sys.exit(main())
