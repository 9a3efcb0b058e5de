"""Scripted citizens walk whole flows through the real UI with the simulated devices."""

from __future__ import annotations

import re

import pytest

from screens.script import ScriptedVisit

pytestmark = pytest.mark.kivy

REFERENCE = re.compile(r"GJZ-\d{8}-[0-9A-Z]{5}-[0-9A-Z]")


def _jobs(ui: object) -> int:
    return len(ui.app.facade.devices.printer.simulator.jobs)


def test_new_enterprise_seven_steps_end_to_end(ui: object, shots: object) -> None:
    hub = ui.app.facade.devices
    queued = hub.outbox.depth()
    printed = _jobs(ui)
    visit = ScriptedVisit(ui, "new_enterprise", shots=shots / "new_enterprise")
    reference = visit.run()
    assert REFERENCE.fullmatch(reference)
    assert hub.outbox.depth() == queued + 1
    assert _jobs(ui) == printed + 1
    assert "receipt-printed" in visit.visited
    for step in ("identify", "results", "check", "done"):
        assert step in visit.visited
    assert any(name.startswith("materials-") for name in visit.visited)
    assert ui.app.facade.session is None


@pytest.mark.parametrize("scenario", ["open_restaurant", "newborn", "close_enterprise"])
def test_one_thing_scenarios_end_to_end(ui: object, shots: object, scenario: str) -> None:
    hub = ui.app.facade.devices
    queued = hub.outbox.depth()
    visit = ScriptedVisit(ui, scenario, shots=shots / scenario, use_keys=False)
    assert REFERENCE.fullmatch(visit.run())
    assert hub.outbox.depth() == queued + 1
    assert "receipt-printed" in visit.visited
