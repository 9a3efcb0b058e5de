"""Done: the visit is over and wiped; take the ID card and the receipt; back to attract by itself."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from screens.base import KioskScreen, load_kv

RETURN_AFTER_S = 20.0


class DoneScreen(KioskScreen):
    card_present = BooleanProperty(False)
    rating_note = StringProperty("")  # "谢谢您的评价！" when a rating was just sent

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._return = None
        self._poll = None

    def on_enter(self, *_: object) -> None:
        self.visit.end("completed")
        self.card_present = self.devices.card_present()
        self.visit.say(self.t("ui.done.thanks") + self.t("ui.done.take_card"))
        self._return = Clock.schedule_once(lambda _dt: self.home(), RETURN_AFTER_S)
        self._poll = Clock.schedule_interval(self._check_card, 0.5)

    def on_leave(self, *_: object) -> None:
        self.rating_note = ""
        for event in (self._return, self._poll):
            if event is not None:
                event.cancel()

    def _check_card(self, *_: object) -> None:
        self.card_present = self.devices.card_present()

    def home(self) -> None:
        self.app.end_visit("completed")


load_kv(__file__)
