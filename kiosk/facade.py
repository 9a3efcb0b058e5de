"""The old single object the screens talked to, now a thin layer over :class:`kiosk.runtime.Kiosk`.

Every method here only forwards to one of the services (``visit``, ``devices``, ``reporting``,
``maintenance``); callers are moving to the services, and this module goes once they have.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from identity.idnumber import TestPerson
from identity.record import IdentityRecord
from kiosk import runtime
from kiosk.catalog import Catalog, Scenario
from kiosk.device_hub import DeviceHub, DeviceStatus
from kiosk.engine import Flow
from kiosk.hall import Hall, HelpAdvice
from kiosk.navigator import Navigator, Step, UserInput
from kiosk.runtime import Kiosk
from kiosk.services.visit import receipt_data as _receipt_data
from kiosk.session import IdleState, IdleTimer
from kiosk.visit import Visit
from wire.errors import KioskError

if TYPE_CHECKING:
    from devices.camera import DocumentCamera
    from kiosk.receipts import AcceptanceReceipt
    from kiosk.speech import Speaker

__all__ = ["DeviceHub", "DeviceStatus", "Facade", "open_kiosk", "receipt_data"]


class Facade(Kiosk):
    """The composition root with the old flat surface forwarded to the services."""

    # ----- state that now lives in the visit service -----------------------------------------
    @property
    def catalog(self) -> Catalog:
        return self.visit.catalog

    @property
    def session(self) -> Visit | None:
        return self.visit.session

    @property
    def lang(self) -> str:
        return self.visit.lang

    @lang.setter
    def lang(self, value: str) -> None:
        self.visit.lang = value

    @property
    def large_text(self) -> bool:
        return self.visit.large_text

    @large_text.setter
    def large_text(self, value: bool) -> None:
        self.visit.large_text = value

    @property
    def high_contrast(self) -> bool:
        return self.visit.high_contrast

    @high_contrast.setter
    def high_contrast(self, value: bool) -> None:
        self.visit.high_contrast = value

    @property
    def idle(self) -> IdleTimer:
        return self.visit.idle

    @idle.setter
    def idle(self, value: IdleTimer) -> None:
        self.visit.idle = value

    @property
    def speaker(self) -> Speaker | None:
        return self.visit.speaker

    @speaker.setter
    def speaker(self, value: Speaker | None) -> None:
        self.visit.speaker = value

    @property
    def visiting(self) -> bool:
        return self.visit.visiting

    # ----- forwarded calls ---------------------------------------------------------------------
    def device_states(self) -> dict[str, DeviceStatus]:
        return self.devices.states()

    def out_of_service_reason(self) -> str | None:
        return self.maintenance.out_of_service_reason()

    def say(self, text: str) -> None:
        self.visit.say(text)

    def scenarios(self) -> list[Scenario]:
        return self.visit.scenarios()

    def scenario(self, scenario_id: str) -> Scenario:
        return self.visit.scenario(scenario_id)

    def search(self, query: str) -> list[Scenario]:
        return self.visit.search(query)

    def unavailable_reason(self, scenario_id: str) -> str | None:
        return self.visit.unavailable_reason(scenario_id)

    def begin(self, scenario_id: str) -> Visit:
        return self.visit.begin(scenario_id)

    @property
    def flow(self) -> Flow:
        return self.visit.flow

    @property
    def navigator(self) -> Navigator:
        return self.visit.navigator

    def advance(self, step: Step, user_input: UserInput = None) -> Step:
        return self.visit.advance(step, user_input)

    def retreat(self, step: Step, user_input: UserInput = None) -> Step:
        return self.visit.retreat(step, user_input)

    def accept_identity(self, record: IdentityRecord) -> None:
        self.visit.accept_identity(record)

    def card_read(self, record: IdentityRecord | None, error: KioskError | None = None) -> None:
        self.visit.card_read(record, error)

    def card_present(self) -> bool:
        return self.devices.card_present()

    def expect_card(self, on: bool) -> None:
        self.devices.expect_card(on)

    def sim_place_card(self, card: str = "resident", **options: bool) -> bool:
        return self.devices.sim_place_card(card, **options)

    def sim_sscard_available(self) -> bool:
        return self.devices.sim_sscard_available()

    def sim_place_sscard(self, person: TestPerson | None = None) -> bool:
        return self.devices.sim_place_sscard(person)

    def camera_usable(self) -> bool:
        return self.devices.camera_usable()

    @property
    def camera(self) -> DocumentCamera | None:
        return self.devices.camera

    def capture(self, material_id: str, jpeg: bytes) -> int:
        return self.visit.capture(material_id, jpeg)

    def submit(self, now: dt.datetime | None = None) -> str:
        return self.visit.submit(now)

    def protect_answers(self) -> None:
        self.visit.protect_answers()

    def tracking_url(self) -> str:
        return self.visit.tracking_url()

    def print_receipt(self) -> str | None:
        receipt = self.visit.receipt()
        if receipt is None:
            return "ui.error.no_session"
        return self.devices.print_receipt(receipt, self.visit.lang)

    @property
    def hall(self) -> Hall:
        return self.visit.hall

    def help_advice(self, now: dt.datetime | None = None) -> HelpAdvice:
        return self.visit.help_advice(now)

    def call_help(self, screen: str, step: str = "") -> str | None:
        session = self.visit.session
        return self.reporting.call_help(screen, session.scenario_id if session else "", step)

    def rate(self, level: int, reasons: list[str] | tuple[str, ...] = (), comment: str = "") -> str | None:
        session = self.visit.session
        if session is None:
            return None
        return self.reporting.rate(session.reference, session.scenario_id, level, reasons, comment)

    def wake(self) -> None:
        self.visit.wake()

    def touch(self) -> None:
        self.visit.touch()

    def tick(self) -> IdleState:
        return self.visit.tick()

    def abandon(self) -> None:
        self.visit.abandon()

    def end(self, reason: str) -> None:
        self.visit.end(reason)


def open_kiosk(*args: object, **kwargs: object) -> Facade:  # forwarded while callers move
    kiosk = runtime.open_kiosk(*args, **kwargs)  # type: ignore[arg-type]
    kiosk.__class__ = Facade  # Facade adds no state of its own
    return kiosk  # type: ignore[return-value]


def receipt_data(facade: Facade) -> AcceptanceReceipt:
    return _receipt_data(facade.visit)
