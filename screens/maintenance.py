"""Maintenance: opened by a hidden gesture; a technician PIN (locks after 5 wrong tries), then
device states and the out-of-service switch. The PIN is checked against config.maintenance_pin_hash.
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import t
from screens.base import KioskScreen, load_kv
from screens.components.controls import KioskButton, KioskLabel
from screens.navigation import Place

MAX_PIN_LENGTH = 12


class MaintenanceScreen(KioskScreen):
    pin = StringProperty("")
    message = StringProperty("")
    unlocked = BooleanProperty(False)
    previous = StringProperty("attract")

    def open_from_gesture(self) -> None:
        if self.app.current != self.name:
            self.previous = self.app.current
        self.app.go(self.name)

    def on_enter(self, *_: object) -> None:
        self.pin = ""
        self.unlocked = False
        self.message = self.t("ui.maintenance.locked") if self.maintenance.pin_locked else ""
        self._build_pad()

    def on_leave(self, *_: object) -> None:
        self.pin = ""
        self.unlocked = False
        self.message = ""

    def _build_pad(self) -> None:
        pad = self.ids.pad
        pad.clear_widgets()
        for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok"):
            label = key if key.isdigit() else self.t(f"ui.maintenance.{key}")
            button = KioskButton(text=label, role="secondary" if key.isdigit() else "primary",
                                 font_size=self.app.theme.font_l)
            button.key = key
            button.bind(on_release=lambda b: self.press(b.key))
            pad.add_widget(button)

    def press(self, key: str) -> None:
        if key == "clear":
            self.pin = ""
        elif key == "ok":
            self.submit_pin()
        elif len(self.pin) < MAX_PIN_LENGTH:
            self.pin += key

    def submit_pin(self) -> None:
        if self.maintenance.pin_locked:
            self.message = self.t("ui.maintenance.locked")
        elif self.maintenance.check_pin(self.pin):
            self.unlocked = True
            self.message = ""
            self.show_devices()
        elif self.maintenance.pin_locked:
            self.message = self.t("ui.maintenance.locked")
        else:
            self.message = self.t("ui.maintenance.wrong", left=self.maintenance.pin_tries_left())
        self.pin = ""

    def show_devices(self) -> None:
        box = self.ids.devices
        box.clear_widgets()
        lang = self.app.lang
        for name, status in self.devices.states().items():
            reason = t(status.reason, lang) if status.reason else ""
            box.add_widget(KioskLabel(
                text=self.t("ui.maintenance.device", device=self.t(f"ui.device.{name}"),
                            state=self.t(f"ui.device.state.{status.state}"), reason=reason),
                tone="text" if status.usable else "error",
            ))
        self.ids.oos.text = self.t(
            "ui.maintenance.oos_off" if self.maintenance.centre_out_of_service else "ui.maintenance.oos_on"
        )

    def toggle_service(self) -> None:
        self.maintenance.set_centre_out_of_service(not self.maintenance.centre_out_of_service)
        self.show_devices()

    def leave(self) -> None:
        reason = self.maintenance.out_of_service_reason()
        if reason:
            self.app.screen("out_of_service").reason = reason
        self.app.go(Place.OUT_OF_SERVICE if reason else Place.ATTRACT)


load_kv(__file__)
