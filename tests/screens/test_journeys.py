"""The journey explorer over the whole catalog: every 情形 option, every item, 1/2/5 shareholders,
both deliveries, all four display modes and the three window sizes, on the real offscreen UI with
the screen checks on at every screen.

The walks come from :func:`screens.journeys.explorer.plan` (a covering set: branch walks to the
items plus full walks to the centre); ``scripts/explore-all`` walks the full product.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.catalog import load_catalog
from screens.journeys.explorer import SIZES, Explorer, Journey, covered, expected_features, plan
from simulation.centre import stored_references

pytestmark = pytest.mark.kivy

CATALOG = load_catalog()
JOURNEYS = plan(CATALOG)
RESULTS: dict[Journey, object] = {}


def _id(journey: Journey) -> str:
    answers = "-".join(v for _q, v in journey.situation)[:40]
    holders = f"-sh{journey.shareholders}" if journey.shareholders else ""
    depth = "full" if journey.full else "branch"
    return f"{journey.scenario}-{answers}{holders}-{journey.display}-{journey.size[0]}x{journey.size[1]}-{depth}"


def test_plan_covers_every_branch_of_the_catalog() -> None:
    """The plan, enumerated from the catalog, reaches every option, item, count, mode and size."""
    planned: set[str] = set()
    for journey in JOURNEYS:
        planned |= journey.features(item.id for item in _items(journey))
    missing = expected_features(CATALOG) - planned
    assert not missing, sorted(missing)
    assert {f"scenario:{s}" for s in CATALOG.scenarios} <= planned
    assert any(j.full and j.shareholders == 5 for j in JOURNEYS)
    assert {j.size for j in JOURNEYS if j.full} == set(SIZES)
    assert {j.display for j in JOURNEYS if j.full} == {"zh", "en", "large", "contrast"}


def _items(journey: Journey) -> list[object]:
    from kiosk.engine import Flow

    flow = Flow(CATALOG, journey.scenario)
    for question, value in journey.situation:
        flow.answer(question, value)
    return flow.items()


@pytest.fixture
def explorer(ui: object) -> Iterator[Explorer]:
    from tests.screens.conftest import TEST_SIZE

    explorer = Explorer(ui)
    yield explorer
    explorer.resize(TEST_SIZE)


@pytest.mark.parametrize("journey", JOURNEYS, ids=_id)
def test_journey_passes_every_screen_check(explorer: Explorer, central: object, journey: Journey) -> None:
    result = explorer.walk(journey)
    RESULTS[journey] = result
    problems = "\n".join(str(f) for f in result.findings)
    assert result.finished, f"{journey} did not finish:\n{problems}"
    assert not result.findings, f"{journey}:\n{problems}"
    if journey.full:
        kiosk_id = explorer.app.kiosk.config.kiosk_id
        explorer.driver.wait(lambda: result.reference in stored_references(central, kiosk_id), timeout=30,
                             what=f"{result.reference} to reach the centre")


def test_walks_covered_every_branch() -> None:
    """What the walks that passed covered (run after the walks above, in the same session)."""
    if len(RESULTS) < len(JOURNEYS):
        pytest.skip("needs every walk of this file in the same session")
    missing = expected_features(CATALOG) - covered(RESULTS.values(), CATALOG)  # type: ignore[arg-type]
    assert not missing, sorted(missing)
