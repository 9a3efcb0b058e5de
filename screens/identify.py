"""Identify screen: place the ID card (or the social security card); the record prefills the applicant.

An expired or unreadable card, or an unplugged reader, gets a clear message; after a while with
nothing happening, the screen says what to try. In simulation a button places a generated card.
"""

from __future__ import annotations

from kivy.animation import Animation
from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from kiosk.events import CardError, DevicesChanged, Event, Identified
from kiosk.i18n import t
from screens.base import KioskScreen, load_kv
from screens.components.visit import with_help_pointer

HINT_AFTER_S = 10.0


class IdentifyScreen(KioskScreen):
    message = StringProperty("")
    reader_message = StringProperty("")
    hint = StringProperty("")
    reader_ok = BooleanProperty(True)
    sscard_ok = BooleanProperty(False)
    sscard_sim = BooleanProperty(False)  # the developer may insert a virtual social security card

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._hint_event = None
        self._anim: Animation | None = None

    def on_enter(self, *_: object) -> None:
        self.message = ""
        self.hint = ""
        self._update_devices()
        self._hint_event = Clock.schedule_once(self._show_hint, HINT_AFTER_S)
        Clock.schedule_once(lambda _dt: self._animate(), 0)
        self.devices.expect_card(True)
        self.visit.say(self.t("ui.identify.instruction"))
        if self.visit.session is not None and self.visit.session.identity is not None:
            Clock.schedule_once(lambda _dt: self.identified(), 0)

    def on_leave(self, *_: object) -> None:
        self.devices.expect_card(False)
        if self._hint_event is not None:
            self._hint_event.cancel()
        if self._anim is not None:
            self._anim.cancel(self.ids.card)
            self._anim = None

    def _update_devices(self) -> None:
        states = self.devices.states()
        idcard = states.get("idcard")
        sscard = states.get("sscard")
        self.reader_ok = bool(idcard and idcard.usable)
        self.sscard_ok = bool(sscard and sscard.usable)
        self.sscard_sim = bool(self.app.sim and self.sscard_ok and self.devices.sim_sscard_available())
        self.reader_message = ""
        if not self.reader_ok:
            reason = idcard.reason if idcard and idcard.reason else "ui.identify.reader_absent"
            self.reader_message = with_help_pointer(
                self.t("ui.identify.reader_problem", reason=t(reason, self.app.lang)), self.app.lang)

    def _animate(self) -> None:
        card = self.ids.card
        pad = self.ids.pad
        top = pad.top + card.height * 0.6
        rest = pad.center_y - card.height / 2
        card.y = top
        anim = Animation(y=rest, duration=1.2, t="out_quad") + Animation(duration=0.8) + Animation(y=top, duration=0.01)
        anim.repeat = True
        self._anim = anim
        anim.start(card)

    def _show_hint(self, *_: object) -> None:
        self.hint = self.t("ui.identify.hint_nothing")

    def on_kiosk_event(self, event: Event) -> None:
        match event:
            case Identified():
                self.identified()
            case CardError(key=key, params=params):
                self.message = with_help_pointer(t(key, self.app.lang, **params), self.app.lang)
            case DevicesChanged():
                self._update_devices()

    def identified(self) -> None:
        if self.app.current != self.name:
            return
        self.advance()

    def sim_place(self) -> None:
        self.devices.sim_place_card()

    def sim_place_sscard(self) -> None:
        self.devices.sim_place_sscard()

    def wipe(self) -> None:
        self.message = ""
        self.reader_message = ""
        self.hint = ""


load_kv(__file__)
