"""The base class of every kiosk screen: background, access to the app and the runtime's services, translation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kivy.app import App
from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

from kiosk.events import Event
from kiosk.i18n import t
from kiosk.navigator import Step, UserInput
from screens import kv_bindings
from screens.components import scrolling  # noqa: F401  (base.kv's rule for every ScrollView uses it)

if TYPE_CHECKING:
    from kiosk.services import DeviceService, MaintenanceService, ReportingService, VisitService
    from screens.app import KioskApp


kv_bindings.install()


def load_kv(module_file: str) -> None:
    """Load the .kv file beside a screen module (once)."""
    path = str(Path(module_file).with_suffix(".kv"))
    if path not in Builder.files:
        Builder.load_file(path)


class KioskScreen(Screen):
    """``on_enter`` fills the screen from the services; ``wipe`` clears whatever a citizen entered."""

    @property
    def app(self) -> KioskApp:
        return App.get_running_app()

    # ----- the runtime's services (kiosk.services) ----------------------------------------
    @property
    def visit(self) -> VisitService:
        return self.app.kiosk.visit

    @property
    def devices(self) -> DeviceService:
        return self.app.kiosk.devices

    @property
    def reporting(self) -> ReportingService:
        return self.app.kiosk.reporting

    @property
    def maintenance(self) -> MaintenanceService:
        return self.app.kiosk.maintenance

    def t(self, key: str, **params: object) -> str:
        return t(key, self.app.lang, **params)

    # ----- a visit's steps: the screen sends input, kiosk.navigator says what comes next ----
    def advance(self, user_input: UserInput = None) -> None:
        """Send the citizen's input for the step on screen and show the step that follows."""
        self._move(self.visit.advance, user_input)

    def retreat(self, user_input: UserInput = None) -> None:
        """Go to the step before (form answers sent along are kept)."""
        self._move(self.visit.retreat, user_input)

    def _move(self, move: Callable[[Step, UserInput], Step], user_input: UserInput) -> None:
        step = self.app.step
        if step is None:  # not in a visit's steps (a test put the screen up directly)
            return
        self.app.show(move(step, user_input))

    def show_step(self, step: Step) -> None:
        """Show the next step of the kind this screen shows while it is showing (a question, a form page)."""

    def help_step(self) -> str:
        """Which step a help call comes from (a question or page id) for the back office; "" if none."""
        return ""

    def refresh(self) -> None:
        """Re-fill after a language change; screens with dynamic content override this."""

    def on_kiosk_event(self, event: Event) -> None:
        """An event from the runtime while this screen is showing (on the Kivy thread)."""

    def wipe(self) -> None:
        """Drop everything this screen shows about the citizen (called when a visit ends)."""


load_kv(__file__)
