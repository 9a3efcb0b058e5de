"""Submitting: the application goes to the outbox (off the UI thread), then on to the receipt."""

from __future__ import annotations

import threading

from kivy.clock import Clock
from kivy.properties import StringProperty

from kiosk.i18n import error_message
from screens.base import KioskScreen, load_kv
from screens.components.visit import with_help_pointer
from wire.errors import KioskError


class SubmittingScreen(KioskScreen):
    message = StringProperty("")

    def on_enter(self, *_: object) -> None:
        self.message = ""
        self.ids.retry.disabled = True
        Clock.schedule_once(lambda _dt: self._start(), 0)

    def _start(self) -> None:
        threading.Thread(target=self._submit, name="submit", daemon=True).start()

    def _submit(self) -> None:
        try:
            reference = self.visit.submit()
        except KioskError as error:
            Clock.schedule_once(lambda _dt, e=error: self._failed(e), 0)
            return
        Clock.schedule_once(lambda _dt: self.advance(reference), 0)

    def _failed(self, error: KioskError) -> None:
        self.message = with_help_pointer(error_message(error, self.app.lang), self.app.lang)
        self.ids.retry.disabled = False

    def retry(self) -> None:
        self.on_enter()

    def wipe(self) -> None:
        self.message = ""


load_kv(__file__)
