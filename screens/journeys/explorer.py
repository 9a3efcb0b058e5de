"""The journey explorer: plans walks that cover every branch of the catalog and walks them by touch.

:func:`plan` enumerates each scenario's 情形 answer paths headless (``kiosk.engine.Flow``), then
picks a small set of paths that together give every option of every question and reach every
item (greedy set cover), adds the shareholder counts (1, 2 and 5) and spreads the display modes
and window sizes over the walks. ``full=True`` gives the whole product instead (every path in
every mode at every size).

:class:`Explorer` walks each :class:`Journey` through the real screens with
:class:`screens.script.ScriptedVisit` and runs :mod:`screens.journeys.checks` at every screen.
A screen that raises or a walk that dead-ends is recorded as a finding and the app is brought
back to the attract screen, so one defect does not hide the others.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kiosk.engine import Flow

DISPLAY_MODES = ("zh", "en", "large", "contrast")
LANDSCAPE = (1920, 1080)
SIZES = ((1920, 1080), (1080, 1920), (1366, 768))  # what CI's plan walks
# The full exploration (scripts/explore-all) also walks a 4K panel; too slow a window for CI.
EXPLORE_SIZES = (*SIZES, (3840, 2160))
SCRIPTED_WALKS = ("new_enterprise", "open_restaurant")  # the README's two walks: at every window size in CI
SHAREHOLDERS_QUESTION = "shareholders"
SEVERAL = "several"
PATH_LIMIT = 8192  # per scenario; above what the catalog has (the largest has 3840)
_PATHS: dict[tuple[int, str, int], list[tuple[dict[str, str], set[str]]]] = {}  # per loaded catalog


@dataclass(frozen=True)
class Journey:
    """One walk: a scenario, its 情形 answers, form values, and how the screen is set up."""

    scenario: str
    situation: tuple[tuple[str, str], ...]
    answers: tuple[tuple[str, Any], ...] = ()
    shareholders: int | None = None
    display: str = "zh"
    size: tuple[int, int] = LANDSCAPE
    full: bool = True  # to the centre; False: a branch walk that ends after the items are shown

    @property
    def choices(self) -> dict[str, str]:
        return dict(self.situation)

    def features(self, items: Iterable[str] = ()) -> set[str]:
        covered = path_features(self.scenario, dict(self.situation), items)
        if self.shareholders:
            covered.add(f"shareholders:{self.shareholders}")
        covered.add(f"display:{self.display}")
        covered.add(f"size:{self.size[0]}x{self.size[1]}")
        return covered

    def __str__(self) -> str:
        answers = ",".join(f"{q}={v}" for q, v in self.situation) or "-"
        extra = f" shareholders={self.shareholders}" if self.shareholders else ""
        depth = "" if self.full else " (to the items)"
        return f"{self.scenario} [{answers}]{extra} display={self.display} {self.size[0]}x{self.size[1]}{depth}"


# ----- planning (no Kivy) ---------------------------------------------------------------------------
def answer_paths(catalog: Any, scenario_id: str, limit: int = PATH_LIMIT) -> list[tuple[dict[str, str], set[str]]]:
    """Every complete sequence of 情形 answers for a scenario, with the items each one reaches
    (depth first on one flow, putting its answers back after each branch)."""
    cached = _PATHS.get((id(catalog), scenario_id, limit))
    if cached is not None:
        return cached
    found: list[tuple[dict[str, str], set[str]]] = []
    flow = Flow(catalog, scenario_id)

    def walk() -> None:
        if len(found) >= limit:
            return
        question = flow.next_question()
        if question is None:
            found.append((dict(flow.situation), {item.id for item in flow.items()}))
            return
        saved = dict(flow.situation)
        for option in question.options:
            flow.answer(question.id, option.value)
            walk()
            flow.situation.clear()
            flow.situation.update(saved)

    walk()
    _PATHS[(id(catalog), scenario_id, limit)] = found
    return found


def _option_features(situation: dict[str, str]) -> set[str]:
    # A question with the same id is the same question in every scenario (the shared 开办企业 block)
    return {f"{q}={v}" for q, v in situation.items()}


def path_features(scenario_id: str, situation: dict[str, str], items: Iterable[str]) -> set[str]:
    return _option_features(situation) | {f"item:{i}" for i in items} | {f"scenario:{scenario_id}"}


def cover(paths: Sequence[tuple[str, dict[str, str], set[str]]]) -> list[tuple[str, dict[str, str], set[str]]]:
    """A few (scenario, answers, items) paths that together give every answer option, reach every
    item and visit every scenario (greedy set cover: each pick adds the most still missing)."""
    distinct: dict[frozenset[str], tuple[str, dict[str, str], set[str]]] = {}
    for path in paths:  # paths with the same features are interchangeable: keep the shortest
        key = frozenset(path_features(*path))
        if key not in distinct or len(path[1]) < len(distinct[key][1]):
            distinct[key] = path
    wanted = set().union(*distinct) if distinct else set()
    # Lazy greedy: a path's gain only shrinks as others are picked, so a gain worked out earlier is
    # an upper bound and most paths never need it worked out again. The order (gain, then fewer
    # answers, then first listed) is the one a full scan with max() would follow.
    keys = list(distinct)
    heap = [(-len(key), len(distinct[key][1]), n) for n, key in enumerate(keys)]
    heapq.heapify(heap)
    chosen = []
    while wanted and heap:
        _stale, answers, n = heapq.heappop(heap)
        entry = (-len(keys[n] & wanted), answers, n)
        if entry[0] == 0:
            continue
        if heap and entry > heap[0]:
            heapq.heappush(heap, entry)
            continue
        chosen.append(distinct[keys[n]])
        wanted -= keys[n]
    return chosen


def _with_shareholders(scenario_id: str, situation: dict[str, str]) -> list[int | None]:
    if _several(situation):
        return [2, 5]
    return [1] if SHAREHOLDERS_QUESTION in situation else [None]


def _several(situation: dict[str, str]) -> bool:
    return situation.get(SHAREHOLDERS_QUESTION) == SEVERAL


def plan(catalog: Any, *, modes: Sequence[str] = DISPLAY_MODES, sizes: Sequence[tuple[int, int]] = SIZES,
         full: bool = False, every_path: bool = False, scenarios: Sequence[str] | None = None,
         at_every_size: Sequence[str] = SCRIPTED_WALKS) -> list[Journey]:
    """Walks that cover the catalog.

    CI (default): a branch walk (through the 情形 questions to the items, then 结束办理) for each
    path of a covering set, modes spread round-robin; plus full walks to the centre: the
    shortest scenario with a shareholders question with 2, 5 and 1 shareholders (one per window
    size; zh, large, en), the shortest other scenario in high contrast, and each of
    ``at_every_size`` (the README's scripted walks) at each window size but the first.
    ``full``: every path of the covering set (``every_path``: every answer path there is) ×
    shareholder count × mode × size, each walked to the centre.
    """
    ids = list(scenarios or sorted(catalog.scenarios))
    paths = [(sid, situation, items) for sid in ids for situation, items in answer_paths(catalog, sid)]
    picked = paths if every_path else cover(paths)
    if full or every_path:
        return [Journey(sid, tuple(situation.items()), shareholders=count, display=mode, size=size, full=True)
                for sid, situation, _items in picked for count in _with_shareholders(sid, situation)
                for mode in modes for size in sizes]
    journeys = [Journey(sid, tuple(situation.items()), display=modes[n % len(modes)], size=sizes[0], full=False)
                for n, (sid, situation, _items) in enumerate(picked)]

    def shortest(candidates: list[tuple[str, dict[str, str], set[str]]]) -> tuple[str, dict[str, str], set[str]]:
        return min(candidates, key=lambda p: (len(p[1]), p[0]))

    with_holders = [p for p in paths if SHAREHOLDERS_QUESTION in p[1]]
    full_walks: list[Journey] = []
    if with_holders:
        several = shortest([p for p in with_holders if _several(p[1])])
        one = shortest([p for p in with_holders if not _several(p[1]) and p[0] == several[0]]
                       or [p for p in with_holders if not _several(p[1])])
        # the delivery choice differs between these walks, where the scenario asks it
        several = _prefer(paths, several, "delivery", "mail")
        def size(n: int) -> tuple[int, int]:
            return sizes[n % len(sizes)]

        full_walks += [Journey(several[0], tuple(several[1].items()), shareholders=2, display=modes[0], size=size(1)),
                       Journey(several[0], tuple(several[1].items()), shareholders=5, display=modes[2 % len(modes)],
                               size=size(0)),
                       Journey(one[0], tuple(one[1].items()), shareholders=1, display=modes[1 % len(modes)],
                               size=size(2))]
    others = [p for p in paths if SHAREHOLDERS_QUESTION not in p[1]] or paths
    short = shortest(others)
    full_walks.append(Journey(short[0], tuple(short[1].items()), display=modes[3 % len(modes)]))
    walked = {(j.scenario, j.size) for j in full_walks}
    for scenario_id in at_every_size:
        own = [p for p in paths if p[0] == scenario_id]
        if not own:
            continue
        path = shortest(own)
        for n, window in enumerate(sizes[1:]):
            if (scenario_id, window) not in walked:
                full_walks.append(Journey(path[0], tuple(path[1].items()), display=modes[(n * 3 + 3) % len(modes)],
                                          size=window, shareholders=1 if SHAREHOLDERS_QUESTION in path[1] else None))
    return full_walks + journeys


def _prefer(paths: Sequence[tuple[str, dict[str, str], set[str]]], path: tuple[str, dict[str, str], set[str]],
            question: str, value: str) -> tuple[str, dict[str, str], set[str]]:
    """``path`` with ``question`` answered ``value`` instead, if that is a path of the same scenario."""
    if question not in path[1]:
        return path
    wanted = {**path[1], question: value}
    return next((p for p in paths if p[0] == path[0] and p[1] == wanted), path)


def expected_features(catalog: Any, scenarios: Sequence[str] | None = None,
                      modes: Sequence[str] = DISPLAY_MODES, sizes: Sequence[tuple[int, int]] = SIZES) -> set[str]:
    """What a complete exploration must cover: every scenario, every answer option, every item,
    1/2/5 shareholders where asked, every display mode and window size."""
    wanted: set[str] = set()
    for scenario_id in scenarios or sorted(catalog.scenarios):
        for situation, items in answer_paths(catalog, scenario_id):
            wanted |= path_features(scenario_id, situation, items)
            if SHAREHOLDERS_QUESTION in situation:
                wanted |= {f"shareholders:{n}" for n in (1, 2, 5)}
    wanted |= {f"display:{m}" for m in modes} | {f"size:{w}x{h}" for w, h in sizes}
    return wanted


# ----- walking (Kivy) -----------------------------------------------------------------------------------
@dataclass
class WalkResult:
    journey: Journey
    reference: str = ""
    screens: list[str] = field(default_factory=list)
    findings: list[Any] = field(default_factory=list)
    seconds: float = 0.0
    arrivals: list[float] = field(default_factory=list)  # seconds into the walk, per screen

    @property
    def finished(self) -> bool:
        """Reached its end: the centre's reference (full walk) or the items and 结束办理 (branch walk)."""
        done = bool(self.reference) if self.journey.full else "results" in self.screens
        return done and not any(f.check in ("exception", "dead_end") for f in self.findings)


class Explorer:
    """Walks journeys on a launched :class:`screens.driver.UiDriver`, checking every screen."""

    def __init__(self, driver: Any, *, checks: bool = True, shots: Any = None) -> None:
        self.driver = driver
        self.checks = checks
        self.shots = shots

    @property
    def app(self) -> Any:
        return self.driver.app

    def resize(self, size: tuple[int, int]) -> None:
        from kivy.core.window import Window

        if tuple(Window.size) != tuple(size):
            Window.size = size
            self.driver.wait(lambda: tuple(Window.size) == tuple(size), timeout=5, what=f"window {size}")
            self.driver.pump(3)

    def check_screen(self, label: str) -> list[Any]:
        from kivy.core.window import Window

        from screens.journeys import checks

        self.driver.pump(2)  # layouts settle (texture sizes, minimum heights)
        roots = [self.app.sm.current_screen] + [w for w in Window.children if w is not self.app.root]
        return checks.check_widgets(roots, label, window_size=tuple(Window.size),
                                    px_per_mm=self.app.theme.px_per_mm, clear=Window.clearcolor)

    def walk(self, journey: Journey) -> WalkResult:
        from screens.journeys.checks import FaultRecorder, Finding
        from screens.script import ScriptedVisit

        result = WalkResult(journey)
        started = time.monotonic()
        self.resize(journey.size)
        recorder = FaultRecorder().install()
        seen: set[str] = set()
        items = self.expected_items(journey)

        def on_screen(label: str) -> None:
            result.screens.append(label)
            result.arrivals.append(time.monotonic() - started)
            result.findings.extend(recorder.take(label))
            if self.checks and label not in seen:
                seen.add(label)
                result.findings.extend(self.check_screen(label))
            if label == "results":
                shown = " ".join(self.driver.texts())
                for item in items:
                    if item.title.get(self.app.lang) not in shown:
                        result.findings.append(Finding("missing_item", label, item.id,
                                                       f"{item.title.get(self.app.lang)!r} is not listed"))

        shots = self.shots / _slug(journey) if self.shots is not None else None
        visit = ScriptedVisit(self.driver, journey.scenario, choices=journey.choices, answers=dict(journey.answers),
                              display=journey.display, shareholders=journey.shareholders, use_keys=False,
                              on_screen=on_screen, shots=shots, stop_after_results=not journey.full)
        try:
            result.reference = visit.run()
        except Exception as error:  # a screen raised or the walk dead-ended: record, recover, go on
            where = result.screens[-1] if result.screens else self.app.current
            kind = "dead_end" if isinstance(error, TimeoutError | RuntimeError | LookupError) else "exception"
            result.findings.extend(recorder.take(where))
            result.findings.append(Finding(kind, where, journey.scenario, f"{type(error).__name__}: {error}"))
            self.recover()
        finally:
            result.findings.extend(recorder.take(result.screens[-1] if result.screens else "-"))
            recorder.uninstall()
            result.seconds = time.monotonic() - started
        return result

    def expected_items(self, journey: Journey) -> list[Any]:
        """The items the engine says this journey's answers lead to (the results must list them)."""
        flow = Flow(self.app.kiosk.visit.catalog, journey.scenario)
        for question_id, value in journey.situation:
            flow.answer(question_id, value)
        return [] if flow.stop() is not None else flow.items()  # a refusal lists no items

    def recover(self) -> None:
        """Back to the attract screen with no card in the reader, after a failed walk."""
        app = self.app
        try:
            app.end_visit("explorer")
            app.kiosk.devices.sim_remove_card()
            self.driver.wait_screen("attract", timeout=20)
        except Exception:
            pass


def _slug(journey: Journey) -> str:
    answers = "-".join(v for _q, v in journey.situation)[:60] or "default"
    extra = f"-sh{journey.shareholders}" if journey.shareholders else ""
    return f"{journey.scenario}-{answers}{extra}-{journey.display}-{journey.size[0]}x{journey.size[1]}"


def covered(results: Iterable[WalkResult], catalog: Any) -> set[str]:
    """Features the successful walks covered (items from the headless flow of each journey)."""
    done: set[str] = set()
    for result in results:
        if not result.finished:
            continue
        flow = Flow(catalog, result.journey.scenario)
        for question_id, value in result.journey.situation:
            flow.answer(question_id, value)
        done |= result.journey.features(item.id for item in flow.items())
    return done
