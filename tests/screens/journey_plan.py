"""The journey explorer's CI plan, walked by two test files so the walks can run on two workers.

The walks come from :func:`screens.journeys.explorer.plan` (a covering set: branch walks to the
items plus full walks to the centre); ``scripts/explore-all`` walks the full product. Each walk
checks its own screens and that the results list every item its answers lead to; that the plan as a
whole reaches every option, item, count, mode and size is checked once, from the catalog.
"""

from __future__ import annotations

import json
from typing import Any

from kiosk.catalog import load_catalog
from screens.journeys.explorer import Explorer, Journey, plan
from simulation.centre import stored_references

CATALOG = load_catalog()
JOURNEYS = plan(CATALOG)
# Alternate walks between the halves: the long full walks come first in the plan, so both get some.
HALVES = (JOURNEYS[0::2], JOURNEYS[1::2])


def journey_id(journey: Journey) -> str:
    answers = "-".join(v for _q, v in journey.situation)[:40]
    holders = f"-sh{journey.shareholders}" if journey.shareholders else ""
    depth = "full" if journey.full else "branch"
    return f"{journey.scenario}-{answers}{holders}-{journey.display}-{journey.size[0]}x{journey.size[1]}-{depth}"


def walk_and_check(explorer: Explorer, central: Any, journey: Journey) -> None:
    result = explorer.walk(journey)
    problems = "\n".join(str(f) for f in result.findings)
    assert result.finished, f"{journey} did not finish:\n{problems}"
    assert not result.findings, f"{journey}:\n{problems}"
    if journey.full:
        kiosk_id = explorer.app.kiosk.config.kiosk_id
        explorer.driver.wait(lambda: result.reference in stored_references(central, kiosk_id), timeout=30,
                             what=f"{result.reference} to reach the centre")
    if journey.full and (journey.shareholders or 0) > 1:  # every row the editor added reached the centre
        holders = stored_answers(central, result.reference)["enterprise.shareholders"]
        assert len(holders) == journey.shareholders, holders
        assert len({h["id_number"] for h in holders}) == journey.shareholders


def stored_answers(central: Any, reference: str) -> dict[str, Any]:
    """The form as the centre keeps it (sealed; opened with the centre's data key)."""
    from sqlalchemy import select

    from central.models_applications import Application

    with central.state.sessions() as session:
        row = session.scalars(select(Application).where(Application.reference == reference)).one()
        return json.loads(central.app.state.data_keys.open(row.document_enc))["answers"]
