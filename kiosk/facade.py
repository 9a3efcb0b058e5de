"""The one object the screens talk to: catalog, the citizen's session, devices, submission, receipt.

No Kivy here. Events reach the UI through :meth:`Facade.subscribe` callbacks, which may run on a
device worker thread; the UI marshals them onto its own thread (``Clock.schedule_once``).
The facade owns the citizen's session and wipes it on completion, cancel and idle timeout.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devices.idcard.record import IdentityRecord
from kiosk.config import Config
from kiosk.crypto import verify_pin
from kiosk.errors import FlowError, KioskError, ValidationError
from kiosk.session import IdleState, IdleTimer, Session

log = logging.getLogger(__name__)

Listener = Callable[[str, dict[str, Any]], None]

MAX_PIN_TRIES = 5


@dataclass(frozen=True)
class DeviceStatus:
    """``state`` is ok | degraded | fault | absent; ``reason`` an i18n key saying why."""

    name: str
    state: str
    reason: str = ""

    @property
    def usable(self) -> bool:
        return self.state in ("ok", "degraded")


class Facade:
    """Everything a screen may ask of the runtime; one per running kiosk."""

    def __init__(
        self,
        config: Config,
        catalog: Any,
        *,
        devices: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.catalog = catalog
        self.devices = devices  # a kiosk.facade_devices-like hub, or None (all absent)
        self._clock = clock
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()
        self.session: Session | None = None
        self.lang = "zh_CN"
        self.large_text = False
        self.high_contrast = False
        self.idle = IdleTimer(
            config.timeouts.idle_seconds, config.timeouts.warning_seconds, clock=clock
        )
        self._warned = False
        self.visiting = False  # someone left the attract screen; idle rules apply
        self.centre_out_of_service = False
        self._pin_failures = 0
        self.submissions: list[str] = []  # submission ids sent this run (no personal data)

    # ----- events -------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def emit(self, event: str, **data: Any) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event, data)
            except Exception:  # one broken listener must not silence the others
                log.exception("listener failed for %s", event)

    # ----- devices ------------------------------------------------------------------------
    def start(self) -> None:
        if self.devices is not None:
            self.devices.start(self)

    def stop(self) -> None:
        if self.devices is not None:
            self.devices.stop()
        self.end("shutdown")

    def device_states(self) -> dict[str, DeviceStatus]:
        if self.devices is None:
            return {
                name: DeviceStatus(name, "absent", "ui.device.not_configured")
                for name in ("idcard", "printer", "camera")
            }
        return self.devices.states()

    def device_changed(self) -> None:
        """Called by the device hub (any thread) when a device's state changed."""
        self.emit("devices", states=self.device_states())
        reason = self.out_of_service_reason()
        self.emit("service", reason=reason)

    def out_of_service_reason(self) -> str | None:
        """Why no citizen can be served right now (an i18n key), or None."""
        if self.centre_out_of_service:
            return "ui.oos.centre"
        states = self.device_states()
        idcard = states.get("idcard")
        sscard = states.get("sscard")
        if (idcard is None or not idcard.usable) and (sscard is None or not sscard.usable):
            return "ui.oos.no_reader"
        return None

    def set_centre_out_of_service(self, on: bool) -> None:
        self.centre_out_of_service = on
        self.emit("service", reason=self.out_of_service_reason())

    # ----- catalog ------------------------------------------------------------------------
    def scenarios(self) -> list[Any]:
        return list(self.catalog.scenarios.values())

    def scenario(self, scenario_id: str) -> Any:
        try:
            return self.catalog.scenarios[scenario_id]
        except KeyError:
            raise FlowError(f"unknown scenario {scenario_id!r}") from None

    def search(self, query: str) -> list[Any]:
        """Scenarios matching a keyword, part of the title, or the pinyin initials (``wykcg``)."""
        q = query.strip().lower()
        if not q:
            return self.scenarios()
        found = []
        for s in self.scenarios():
            hay = [s.title.zh, s.title.en.lower(), s.summary.zh, *s.keywords]
            if any(q in h.lower() for h in hay if h) or (q.isascii() and q in s.initials.lower()):
                found.append(s)
        return found

    def unavailable_reason(self, scenario_id: str) -> str | None:
        """An i18n key saying why this flow cannot be done now (a device it needs failed)."""
        states = self.device_states()
        for name in self.scenario(scenario_id).needs_devices:
            if name == "idcard":
                if self.out_of_service_reason() == "ui.oos.no_reader":
                    return "ui.unavailable.idcard"
                continue
            status = states.get(name)
            if status is None or not status.usable:
                return f"ui.unavailable.{name}"
        return None

    # ----- the citizen's session ---------------------------------------------------------
    def begin(self, scenario_id: str) -> Session:
        from kiosk.engine import Flow

        reason = self.unavailable_reason(scenario_id)
        if reason:
            raise FlowError(scenario_id, key=reason)
        if self.session is not None:
            self.session.wipe()
        self.session = Session(scenario_id, Flow(self.catalog, scenario_id))
        self.wake()
        self.emit("session_started", scenario=scenario_id)
        return self.session

    @property
    def flow(self) -> Any:
        if self.session is None:
            raise FlowError("no session", key="ui.error.no_session")
        return self.session.flow

    def accept_identity(self, record: IdentityRecord) -> None:
        """Take a card read into the session: prefill the applicant, or refuse an expired card."""
        if self.session is None:
            record.wipe()
            raise FlowError("no session", key="ui.error.no_session")
        from devices.idcard.outcome import assess

        outcome = assess(record)
        if not outcome.usable:
            record.wipe()
            raise ValidationError(outcome.key)
        self.session.identity = record
        self.session.flow.prefill(record)
        self.touch()
        self.emit("identified", masked=repr(record))

    def card_read(self, record: IdentityRecord | None, error: KioskError | None = None) -> None:
        """Called by the device hub (any thread) with a card read or the reason it failed."""
        if error is not None:
            self.emit("card_error", key=error.key, params=dict(error.params))
            return
        if record is None:
            return
        if self.session is None or self.session.identity is not None:
            record.wipe()  # nobody asked for a card now; keep nothing
            return
        try:
            self.accept_identity(record)
        except KioskError as refusal:
            self.emit("card_error", key=refusal.key, params=dict(refusal.params))

    def card_removed(self) -> None:
        self.emit("card_removed")

    def card_present(self) -> bool:
        return bool(self.devices is not None and self.devices.card_present())

    def expect_card(self, on: bool) -> None:
        """The Identify screen is showing (True) or not: only then is a card taken into the session."""
        if self.devices is not None:
            self.devices.expect_card(on)

    def sim_place_card(self, **options: Any) -> bool:
        """Developer aid in simulation: put a generated card on the simulated reader."""
        return bool(self.devices is not None and self.devices.sim_place_card(**options))

    def camera_usable(self) -> bool:
        status = self.device_states().get("camera")
        return bool(status and status.usable)

    @property
    def camera(self) -> Any:
        return getattr(self.devices, "camera", None)

    def capture(self, material_id: str, jpeg: bytes) -> int:
        if self.session is None:
            raise FlowError("no session", key="ui.error.no_session")
        self.touch()
        return self.session.capture(material_id, jpeg)

    def submit(self, now: dt.datetime | None = None) -> str:
        """Build the submission and hand it to the outbox; returns the reference number."""
        session = self.session
        if session is None:
            raise FlowError("no session", key="ui.error.no_session")
        document = session.flow.submission(
            self.config.kiosk_id or "unenrolled", self.config.location.name, now=now
        )
        if self.devices is None:
            raise FlowError("no devices", key="ui.error.no_outbox")
        self.devices.submit(document, session.captures)
        session.submitted = True
        session.reference = session.flow.reference
        self.submissions.append(session.flow.submission_id)
        self.emit("submitted", reference=session.reference)
        return session.reference

    def tracking_url(self) -> str:
        """What the receipt's QR code holds: where the citizen follows the application."""
        reference = self.session.reference if self.session else ""
        base = (self.config.central.url or "https://zwfw.example.invalid").rstrip("/")
        return f"{base}/track/{reference}"

    def print_receipt(self) -> str | None:
        """Print the 受理回执; returns None when printed, else an i18n key saying why not."""
        if self.session is None or not self.session.submitted:
            return "ui.error.no_session"
        if self.devices is None:
            return "ui.receipt.no_printer"
        return self.devices.print_receipt(self)

    # ----- idle and ending ---------------------------------------------------------------
    def wake(self) -> None:
        """A citizen started using the kiosk (left the attract screen)."""
        self.visiting = True
        self.touch()

    def touch(self) -> None:
        self.idle.touch()
        if self._warned:
            self._warned = False
            self.emit("idle_cleared")

    def tick(self) -> IdleState:
        """Called about once a second by the UI; warns, then ends an idle session."""
        if not self.visiting:
            self.idle.touch()
            return IdleState.ACTIVE
        state = self.idle.state()
        if state is IdleState.WARNING:
            self._warned = True
            self.emit("idle_warning", remaining=self.idle.remaining())
        elif state is IdleState.EXPIRED:
            self.end("idle")
        return state

    def abandon(self) -> None:
        """Back to the home screen: drop the flow (and its data) but keep the visit going."""
        if self.session is not None:
            self.session.wipe()
            self.session = None
        if self.devices is not None:
            self.devices.forget_card()

    def end(self, reason: str) -> None:
        """End the visit: wipe everything the citizen entered and reset their display choices."""
        had = self.session is not None or self.visiting
        self.visiting = False
        if self.devices is not None:
            self.devices.forget_card()
        if self.session is not None:
            self.session.wipe()
            self.session = None
        self._warned = False
        self.lang = "zh_CN"
        self.large_text = False
        self.high_contrast = False
        if had:
            self.emit("session_ended", reason=reason)

    # ----- maintenance -------------------------------------------------------------------
    @property
    def pin_locked(self) -> bool:
        return self._pin_failures >= MAX_PIN_TRIES

    def pin_tries_left(self) -> int:
        return max(0, MAX_PIN_TRIES - self._pin_failures)

    def check_pin(self, pin: str) -> bool:
        """True for the technician PIN; locks after five wrong tries (until restart)."""
        if self.pin_locked:
            return False
        if self.config.maintenance_pin_hash and verify_pin(pin, self.config.maintenance_pin_hash):
            self._pin_failures = 0
            return True
        self._pin_failures += 1
        return False


class DeviceHub:
    """Starts the devices named in the config and turns their callbacks into facade calls.

    Every driver is optional: an empty URL means "not fitted", a driver that fails to open is
    reported ``absent`` with its reason, never faked. Blocking I/O runs on the drivers' own
    workers (card poller, camera preview) or on the caller's thread (print, submit), which the
    screens keep off the UI thread.
    """

    STATUS_EVERY_S = 5.0

    def __init__(self, config: Config, *, state_folder: Any = None, secret: bytes | None = None) -> None:
        self.config = config
        self._state_folder = state_folder
        self._secret = secret
        self._facade: Facade | None = None
        self._states: dict[str, DeviceStatus] = {}
        self._lock = threading.RLock()
        self.reader: Any = None
        self.poller: Any = None
        self.printer: Any = None
        self.camera: Any = None
        self.outbox: Any = None
        self._card_on = False
        self._pending: IdentityRecord | None = None
        self._expecting = False
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None
        self.last_receipt: Any = None  # the last rendered receipt document (no full ID data)

    # ----- life cycle ---------------------------------------------------------------------
    def start(self, facade: Facade) -> None:
        self._facade = facade
        urls = self.config.devices
        self._start_idcard(urls.idcard)
        self._start_printer(urls.printer)
        self._start_camera(urls.camera)
        self._start_outbox()
        self._stop.clear()
        self._monitor = threading.Thread(target=self._watch, name="device-monitor", daemon=True)
        self._monitor.start()
        facade.device_changed()

    def stop(self) -> None:
        self._stop.set()
        if self._monitor is not None:
            self._monitor.join(5)
        self.forget_card()
        for closer in (
            lambda: self.poller and self.poller.stop(),
            lambda: self.reader and self.reader.close(),
            lambda: self.camera and self.camera.close(),
            lambda: self.printer and self.printer.close(),
            lambda: self.outbox and self.outbox.close(),
        ):
            try:
                closer()
            except Exception:
                log.exception("closing a device failed")

    def _set(self, name: str, state: str, reason: str) -> None:
        status = DeviceStatus(name, state, reason)
        with self._lock:
            changed = self._states.get(name) != status
            self._states[name] = status
        if changed and self._facade is not None and self._monitor is not None:
            self._facade.device_changed()

    def states(self) -> dict[str, DeviceStatus]:
        with self._lock:
            return dict(self._states)

    # ----- ID-card reader -----------------------------------------------------------------
    def _start_idcard(self, url: str) -> None:
        if not url:
            self._set("idcard", "absent", "ui.device.not_configured")
            return
        from devices.idcard.factory import make_reader
        from devices.idcard.sam_poller import CardPoller

        try:
            self.reader = make_reader(url)
        except KioskError as error:
            self._set("idcard", "absent", error.key)
            return
        self._set("idcard", "absent", "idcard.absent")
        self.poller = CardPoller(self.reader, self._card_event, self._reader_state)
        self.poller.start()

    def _reader_state(self, status: Any) -> None:
        self._set("idcard", str(status.state.value), status.reason)
        if not status.ready:
            self._card_on = False

    def _card_event(self, event: Any) -> None:
        kind = str(event.kind.value)
        if kind == "detected":
            self._card_on = True
        elif kind == "removed":
            self._card_on = False
            self.forget_card()
            if self._facade is not None:
                self._facade.card_removed()
        elif kind == "read_failed" and self._facade is not None:
            self._facade.card_read(None, event.error)
        elif kind == "placed":
            with self._lock:
                if self._pending is not None:
                    self._pending.wipe()
                self._pending = event.record
            if self._expecting:
                self._deliver()

    def _deliver(self) -> None:
        with self._lock:
            record, self._pending = self._pending, None
        if record is not None and self._facade is not None:
            self._facade.card_read(record)

    def expect_card(self, on: bool) -> None:
        self._expecting = on
        if on:
            self._deliver()

    def forget_card(self) -> None:
        with self._lock:
            if self._pending is not None:
                self._pending.wipe()
            self._pending = None

    def card_present(self) -> bool:
        return self._card_on

    def sim_place_card(self, **options: Any) -> bool:
        simulator = getattr(self.reader, "simulator", None)
        if simulator is None:
            return False
        kind = options.pop("card", "resident")
        simulator.place_card(kind, **options)
        return True

    def sim_remove_card(self) -> None:
        simulator = getattr(self.reader, "simulator", None)
        if simulator is not None:
            simulator.remove_card()

    # ----- printer ------------------------------------------------------------------------
    def _start_printer(self, url: str) -> None:
        if not url:
            self._set("printer", "absent", "ui.device.not_configured")
            return
        from devices.printer.driver import ReceiptPrinter

        try:
            self.printer = ReceiptPrinter(url, timeout=3.0)
        except KioskError as error:
            self._set("printer", "absent", error.key)
            return
        self._printer_status()

    def _printer_status(self) -> None:
        if self.printer is not None:
            status = self.printer.status()
            self._set("printer", status.state, status.reason)

    def print_receipt(self, facade: Facade) -> str | None:
        if self.printer is None:
            return self._states.get("printer", DeviceStatus("printer", "absent")).reason or "ui.receipt.no_printer"
        from kiosk.receipts import build_acceptance_receipt

        document = build_acceptance_receipt(
            receipt_data(facade), self.printer.profile.columns, facade.lang
        )
        self.last_receipt = document
        try:
            self.printer.print(document)
        except KioskError as error:
            self._printer_status()
            return getattr(error, "reason", "") or error.key
        self._printer_status()
        return None

    # ----- camera -------------------------------------------------------------------------
    def _start_camera(self, url: str) -> None:
        if not url:
            self._set("camera", "absent", "ui.device.not_configured")
            return
        from devices.camera.camera import DocumentCamera

        def on_status(status: Any) -> None:
            self._set("camera", str(status.state.value), status.reason)

        try:
            self.camera = DocumentCamera(url, on_status=on_status)
            self.camera.open()
        except KioskError as error:
            self._set("camera", "absent", error.key)
            return
        self._set("camera", str(self.camera.status.state.value), self.camera.status.reason)

    # ----- outbox -------------------------------------------------------------------------
    def _start_outbox(self) -> None:
        from kiosk.config import load_secret
        from kiosk.outbox import Outbox
        from kiosk.paths import state_dir

        folder = self._state_folder or state_dir()
        try:
            secret = self._secret or load_secret(folder)
            self.outbox = Outbox.in_state_dir(folder, secret)
        except KioskError as error:
            log.warning("no outbox: %s", error.key)
            self.outbox = None

    def submit(self, document: dict[str, Any], captures: dict[str, list[bytes]]) -> None:
        if self.outbox is None:
            from kiosk.errors import CentralError

            raise CentralError("no outbox", key="ui.error.no_outbox")
        from kiosk.outbox import Material

        materials = [
            Material(name=f"{material_id}-{n}.jpg", data=jpeg)
            for material_id, pages in captures.items()
            for n, jpeg in enumerate(pages, start=1)
        ]
        self.outbox.enqueue_submission(document["reference"], document["scenario"]["id"], document, materials)

    # ----- monitor ------------------------------------------------------------------------
    def _watch(self) -> None:
        while not self._stop.wait(self.STATUS_EVERY_S):
            try:
                self._printer_status()
            except Exception:
                log.exception("printer status check failed")


def receipt_data(facade: Facade) -> Any:
    """The 受理回执's content for the current session: masked identity, items, materials."""
    from devices.idcard.idnumber import mask
    from kiosk.receipts import AcceptanceReceipt

    session = facade.session
    assert session is not None
    flow = session.flow
    lang = facade.lang
    name = str(flow.answers.get("applicant.name") or "")
    number = str(flow.answers.get("applicant.id_number") or "")
    delivery = flow.situation.get("delivery", "")
    delivery_label = next(
        (o.label.get(lang) for q in flow.scenario.questions if q.id == "delivery"
         for o in q.options if o.value == delivery),
        delivery,
    )
    return AcceptanceReceipt(
        reference=session.reference,
        applicant_name_masked=(name[:1] + "*" * (len(name) - 1)) if name else "",
        id_number_masked=mask(number) if number else "",
        scenario_title=flow.scenario.title.get(lang),
        items=[
            (item.title.get(lang), item.department.get(lang),
             None if item.promised_days is None else int(item.promised_days))
            for item in flow.items()
        ],
        materials=[need.material.name.get(lang) for need in flow.materials()],
        delivery=delivery_label,
        delivery_address=str(flow.answers.get("delivery.address") or ""),
        created_at=dt.datetime.now(),
        location=facade.config.location.name,
        kiosk_id=facade.config.kiosk_id or "unenrolled",
        track_url=facade.tracking_url(),
    )
