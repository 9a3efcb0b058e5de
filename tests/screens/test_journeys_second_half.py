"""The journey explorer's second half of the walks (see journey_plan.py): a file of its own so
that it runs on another worker than the first half."""

from __future__ import annotations

import pytest

from screens.journeys.explorer import Explorer, Journey
from tests.screens.journey_plan import HALVES, journey_id, walk_and_check

pytestmark = pytest.mark.kivy


@pytest.mark.parametrize("journey", HALVES[1], ids=journey_id)
def test_journey_passes_every_screen_check(explorer: Explorer, central: object, journey: Journey) -> None:
    walk_and_check(explorer, central, journey)
