"""The journey explorer over the whole catalog (first half of the walks; see journey_plan.py):
every 情形 option, every item, 1/2/5 shareholders, both deliveries, all four display modes and the
three window sizes, on the real offscreen UI with the screen checks on at every screen."""

from __future__ import annotations

import pytest

from screens.journeys.explorer import SIZES, Explorer, Journey, expected_features
from tests.screens.journey_plan import CATALOG, HALVES, JOURNEYS, journey_id, walk_and_check

pytestmark = pytest.mark.kivy


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


def test_the_two_halves_walk_the_whole_plan_once() -> None:
    walked = [journey for half in HALVES for journey in half]
    assert sorted(map(journey_id, walked)) == sorted(map(journey_id, JOURNEYS))
    assert all(half for half in HALVES)


def _items(journey: Journey) -> list[object]:
    from kiosk.engine import Flow

    flow = Flow(CATALOG, journey.scenario)
    for question, value in journey.situation:
        flow.answer(question, value)
    return flow.items()


@pytest.mark.parametrize("journey", HALVES[0], ids=journey_id)
def test_journey_passes_every_screen_check(explorer: Explorer, central: object, journey: Journey) -> None:
    walk_and_check(explorer, central, journey)
