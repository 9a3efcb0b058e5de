"""Scripted citizens walk whole flows through the real UI with the simulated devices."""

from __future__ import annotations

import json
import re

import pytest

from screens.script import ScriptedVisit
from simulation.centre import stored_references

pytestmark = pytest.mark.kivy

REFERENCE = re.compile(r"GJZ-\d{8}-[0-9A-Z]{5}-[0-9A-Z]")


def _jobs(ui: object) -> int:
    return len(ui.app.kiosk.devices.printer.simulator.jobs)


def _delivered(ui: object, central: object, reference: str) -> None:
    """The application left the outbox for the centre (the reporting worker sends it at once)."""
    kiosk_id = ui.app.kiosk.config.kiosk_id
    ui.wait(lambda: reference in stored_references(central, kiosk_id), timeout=30,
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
    assert ui.app.kiosk.visit.session is None


# 我要开餐馆 walks to the centre in test_journeys*.py (at two sizes) and in the floor-area test below;
# 新生儿出生 in test_reporting.py
@pytest.mark.parametrize("scenario", ["close_enterprise"])
def test_one_thing_scenarios_end_to_end(ui: object, shots: object, central: object, scenario: str) -> None:
    visit = ScriptedVisit(ui, scenario, shots=shots / scenario, use_keys=False)
    reference = visit.run()
    assert REFERENCE.fullmatch(reference)
    _delivered(ui, central, reference)
    assert "receipt-printed" in visit.visited


def test_shareholder_rows_add_and_remove(ui: object) -> None:
    """Each row's 删除 button is bound to its own row (this binding crashed the app once)."""
    from screens.components.fields import ShareholdersEditor

    editor = ShareholdersEditor([])
    editor.ids.add_button.dispatch("on_release")
    editor.ids.add_button.dispatch("on_release")
    assert [r.index_text for r in editor.rows] == ["1", "2", "3"]
    second = editor.rows[1]
    second.ids["remove_button"].dispatch("on_release")
    assert second not in editor.rows
    assert [r.index_text for r in editor.rows] == ["1", "2"]
    editor.rows[0].ids["remove_button"].dispatch("on_release")
    editor.rows[0].ids["remove_button"].dispatch("on_release")  # the last row stays
    assert len(editor.rows) == 1


def test_floor_area_asked_once_at_the_situation_question(ui: object, central: object) -> None:
    """我要开餐馆: the 情形 question takes the floor area as a figure (not a band); the form then
    never asks 经营面积 again, and the figure reaches the centre with the application."""
    from sqlalchemy import select

    from central.models_applications import Application

    form_fields: set[str] = set()

    def seen(label: str) -> None:
        if label.startswith("form-"):
            form_fields.update(row.field.id for row in ui.app.screen("form").rows)

    visit = ScriptedVisit(ui, "open_restaurant", choices={"venue_size": "large"}, answers={"premises.area": "120"},
                          use_keys=False, on_screen=seen)
    reference = visit.run()
    _delivered(ui, central, reference)
    assert form_fields and "premises.area" not in form_fields
    with central.state.sessions() as session:
        row = session.scalars(select(Application).where(Application.reference == reference)).one()
        document = json.loads(central.app.state.data_keys.open(row.document_enc))
    assert document["answers"]["premises.area"] == 120 and document["situation"]["venue_size"] == "large"
    assert "fire_safety_check" in {item["id"] for item in document["items"]}
