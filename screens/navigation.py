"""Where navigation lands: the one step→screen map, and the screens outside a visit's steps.

Screens never name a screen to go to. Inside a visit they send the citizen's input to
:mod:`kiosk.navigator` (``KioskScreen.advance`` / ``retreat``) and the app shows the step it
answers on the screen this map names (``KioskApp.show``); outside a visit the app goes to a
:class:`Place`. ``tests/screens/test_navigation_map.py`` keeps screen-name literals out of
``app.go`` calls everywhere under ``screens/``.
"""

from __future__ import annotations

from enum import StrEnum

from kiosk.navigator import StepKind


class Place(StrEnum):
    """The screens that are no step of a visit (where the app itself, not the navigator, sends
    you): before and after visits, 办件查询, and the 办事指南 read beside the results step."""

    ATTRACT = "attract"
    HOME = "home"
    TRACK = "track"
    GUIDE = "guide"  # closing it shows the step on screen again (KioskApp.show(app.step))
    OUT_OF_SERVICE = "out_of_service"
    MAINTENANCE = "maintenance"


# The one step→screen map: which screen shows each step the navigator returns. No screen names
# a screen to go to; they send input and show what kiosk.navigator answers (see KioskApp.show).
STEP_SCREENS: dict[StepKind, str] = {
    StepKind.IDENTIFY: "identify",
    StepKind.QUESTION: "questions",
    StepKind.RESULTS: "results",
    StepKind.FORM_PAGE: "form",
    StepKind.MATERIALS: "materials",
    StepKind.CHECK: "check",
    StepKind.SUBMIT: "submitting",
    StepKind.RECEIPT: "receipt",
    StepKind.RATING: "rating",
    StepKind.DONE: "done",
}
