"""Scripted citizens walk whole flows through the real UI with the simulated devices."""

from __future__ import annotations

import re

import pytest

from screens.commands.run import centre_references
from screens.script import ScriptedVisit

pytestmark = pytest.mark.kivy

REFERENCE = re.compile(r"GJZ-\d{8}-[0-9A-Z]{5}-[0-9A-Z]")


def _jobs(ui: object) -> int:
    return len(ui.app.facade.devices.printer.simulator.jobs)


def _delivered(ui: object, central: object, reference: str) -> None:
    """The application left the outbox for the centre (the reporting worker sends it at once)."""
    kiosk_id = ui.app.facade.config.kiosk_id
    ui.wait(lambda: reference in centre_references(central, kiosk_id), timeout=30,
            what=f"{reference} to reach the centre")


def test_new_enterprise_seven_steps_end_to_end(ui: object, shots: object, central: object) -> None:
    printed = _jobs(ui)
    visit = ScriptedVisit(ui, "new_enterprise", shots=shots / "new_enterprise")
    reference = visit.run()
    assert REFERENCE.fullmatch(reference)
    _delivered(ui, central, reference)
    assert _jobs(ui) == printed + 1
    assert "receipt-printed" in visit.visited
    for step in ("identify", "results", "check", "done"):
        assert step in visit.visited
    assert any(name.startswith("materials-") for name in visit.visited)
    assert ui.app.facade.session is None


@pytest.mark.parametrize("scenario", ["open_restaurant", "close_enterprise"])  # newborn: test_reporting
def test_one_thing_scenarios_end_to_end(ui: object, shots: object, central: object, scenario: str) -> None:
    visit = ScriptedVisit(ui, scenario, shots=shots / scenario, use_keys=False)
    reference = visit.run()
    assert REFERENCE.fullmatch(reference)
    _delivered(ui, central, reference)
    assert "receipt-printed" in visit.visited
