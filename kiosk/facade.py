"""The one object the screens talk to: catalog, the citizen's session, devices, submission, receipt.

No Kivy here. Events reach the UI through :meth:`Facade.subscribe` callbacks, which may run on a
device worker thread; the UI marshals them onto its own thread (``Clock.schedule_once``).
The facade owns the citizen's session and wipes it on completion, cancel and idle timeout; it
opens and closes the session's log id and registers the citizen's data for log masking.
With a :class:`kiosk.heartbeat.ReportingWorker` attached (:meth:`Facade.attach_reporting`) it
reports device states, wakes the sender after each submission and obeys the centre's commands
(out of service, reload catalog, print a test page).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from identity.record import IdentityRecord
from kiosk import logs
from kiosk.config import Config
from kiosk.crypto import verify_pin
from kiosk.device_hub import DeviceHub, DeviceStatus
from kiosk.errors import FlowError, ValidationError
from kiosk.heartbeat import identity_problem
from kiosk.readiness import service_problem
from kiosk.session import IdleState, IdleTimer, Session
from wire.errors import KioskError

__all__ = ["DeviceHub", "DeviceStatus", "Facade", "open_kiosk", "receipt_data"]  # DeviceHub: kept importable here

log = logging.getLogger(__name__)

Listener = Callable[[str, dict[str, Any]], None]

MAX_PIN_TRIES = 5


class Facade:
    """Everything a screen may ask of the runtime; one per running kiosk."""

    def __init__(
        self,
        config: Config,
        catalog: Any,
        *,
        devices: Any = None,
        clock: Callable[[], float] = time.monotonic,
        speaker: Any = None,
        catalog_loader: Callable[[], Any] | None = None,
        addresses: Callable[[], list[str]] = list,
    ) -> None:
        self.config = config
        self.catalog = catalog
        self.devices = devices  # a kiosk.device_hub.DeviceHub, or None (all absent)
        self.speaker = speaker  # a kiosk.speech.Speaker, or None (silent)
        self.reporting: Any = None  # a kiosk.heartbeat.ReportingWorker once attached
        self._catalog_loader = catalog_loader
        self._addresses = addresses  # this machine's network addresses, for the self-test page
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
        if self.reporting is not None:
            self.reporting.start()

    def stop(self) -> None:
        if self.reporting is not None:
            self.reporting.stop()
            self.reporting.client.close()
        if self.devices is not None:
            self.devices.stop()
        if self.speaker is not None:
            self.speaker.close()
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
        if refused := identity_problem(self.config, self.reporting):  # unenrolled or revoked
            return refused
        if self.centre_out_of_service:
            return "ui.oos.centre"
        if problem := service_problem(self.devices.outbox if self.devices is not None else None):
            return problem
        states = self.device_states()
        idcard = states.get("idcard")
        sscard = states.get("sscard")
        if (idcard is None or not idcard.usable) and (sscard is None or not sscard.usable):
            return "ui.oos.no_reader"
        return None

    def set_centre_out_of_service(self, on: bool) -> None:
        self.centre_out_of_service = on
        self.emit("service", reason=self.out_of_service_reason())

    # ----- reporting to the centre -------------------------------------------------------
    def attach_reporting(self, worker: Any) -> None:
        """Wire a ReportingWorker: our device states, and handlers for the centre's commands."""
        self.reporting = worker
        worker.device_states = self.wire_device_states
        worker.register("reload_catalog", self.reload_catalog)
        worker.register("print_test_page", self.print_test_page)
        worker.on_out_of_service(lambda on, _reason: self.set_centre_out_of_service(on))
        self.centre_out_of_service = bool(worker.out_of_service)  # survives a restart

    def wire_device_states(self) -> dict[str, dict[str, str]]:
        return {name: status.wire() for name, status in self.device_states().items()}

    def reload_catalog(self, _args: dict[str, Any] | None = None) -> str:
        """The centre's ``reload_catalog``: new visits use the new catalog; a broken one is refused."""
        if self._catalog_loader is None:
            return "unsupported"
        self.catalog = self._catalog_loader()  # a CatalogError leaves the old catalog in place
        self.emit("catalog")
        return f"{len(self.catalog.scenarios)} scenarios"

    def print_test_page(self, _args: dict[str, Any] | None = None) -> str:
        """The centre's ``print_test_page``: who and where this kiosk is, on paper."""
        from kiosk.heartbeat import runtime_versions
        from kiosk.receipts import build_self_test_page

        if self.devices is None:
            return "failed: ui.receipt.no_printer"
        page = build_self_test_page(
            self.config.kiosk_id, self.config.location.name, self._addresses(),
            runtime_versions(), dt.datetime.now(),
        )
        problem = self.devices.print_document(page)
        return "printed" if problem is None else f"failed: {problem}"

    # ----- spoken prompts ----------------------------------------------------------------
    def say(self, text: str) -> None:
        """Speak a prompt if spoken prompts are on (config.speech); never blocks."""
        if self.speaker is not None and text:
            self.speaker.say(text)

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
        from identity.outcome import assess

        outcome = assess(record)
        if not outcome.usable:
            record.wipe()
            raise ValidationError(outcome.key)
        self.session.identity = record
        logs.register_sensitive(record.name, record.address)
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

    def sim_sscard_available(self) -> bool:
        return getattr(self.devices, "testbed", None) is not None

    def sim_place_sscard(self, person: Any = None) -> bool:
        """Developer aid: insert a generated social security card into the virtual reader.

        Runs on a worker: pcscd needs a moment to see the card, and the UI must not wait."""
        if not self.sim_sscard_available():
            return False
        threading.Thread(
            target=self.devices.sim_place_sscard, args=(person,), name="sim-sscard", daemon=True
        ).start()
        return True

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
        self.protect_answers()
        record_id = self.devices.submit(document, session.captures)
        if self.reporting is not None:
            self.reporting.wake()  # send it now, not at the next tick
        logs.event(log, "submission.queued", record=record_id, scenario=session.scenario_id)
        session.submitted = True
        session.reference = session.flow.reference
        self.submissions.append(session.flow.submission_id)
        self.emit("submitted", reference=session.reference)
        return session.reference

    def protect_answers(self) -> None:
        """Register the citizen's names, phones and addresses so no log line can show them."""
        if self.session is None or self.session.flow is None:
            return
        for field_id, value in self.session.flow.answers.items():
            if isinstance(value, str) and _personal_field(field_id):
                logs.register_sensitive(value)

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
        return self.devices.print_receipt(receipt_data(self), self.lang)

    # ----- idle and ending ---------------------------------------------------------------
    def wake(self) -> None:
        """A citizen started using the kiosk (left the attract screen)."""
        if not self.visiting:
            logs.new_session()
            logs.event(log, "visit.started")
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
        if self.speaker is not None:
            self.speaker.stop()
        if had:
            logs.event(log, "visit.ended", reason=reason)
            logs.end_session()
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


def _personal_field(field_id: str) -> bool:
    """Answers that identify a person (names, phones, addresses), by canonical field id."""
    leaf = field_id.rsplit(".", 1)[-1]
    if field_id.startswith(("enterprise.", "scope.")) and leaf == "name":
        return False  # a company's name is not personal
    return leaf.endswith(("name", "mobile", "phone", "address"))


def receipt_data(facade: Facade) -> Any:
    """The 受理回执's content for the current session: masked identity, items, materials."""
    from identity.idnumber import mask
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


def open_kiosk(
    config: Config,
    folder: Path,
    *,
    catalog: Any = None,
    addresses: Callable[[], list[str]] = list,
) -> Facade:
    """Everything a running kiosk needs, from its config and state folder (no Kivy, no I/O yet).

    The outbox in ``folder`` is shared by the device hub (submissions) and, once the kiosk is
    enrolled (a kiosk id and a central URL), the reporting worker that sends it; logs are read
    from ``folder/logs`` for the centre's ``upload_logs``. Call :meth:`Facade.start` to begin.
    """
    from kiosk.catalog import load_catalog
    from kiosk.config import load_secret
    from kiosk.errors import ConfigError
    from kiosk.outbox import Outbox

    try:
        secret = load_secret(folder)
    except ConfigError as error:  # not enrolled: the kiosk runs, but cannot take applications
        log.warning("no kiosk key: %s", error)
        secret = None
    outbox = Outbox.in_state_dir(folder, secret) if secret else None
    hub = DeviceHub(config, state_folder=folder, secret=secret, outbox=outbox)
    speaker = None
    if config.speech:
        from kiosk.speech import Speaker

        speaker = Speaker(True)
    facade = Facade(
        config, catalog if catalog is not None else load_catalog(), devices=hub, speaker=speaker,
        catalog_loader=load_catalog, addresses=addresses,
    )
    if outbox is not None and secret and config.kiosk_id and config.central.url:
        from kiosk.central_client import CentralClient
        from kiosk.heartbeat import ReportingWorker, runtime_versions

        worker = ReportingWorker(
            outbox,
            CentralClient.from_config(config, secret),
            kiosk_id=config.kiosk_id,
            log_folder=folder / "logs",
            versions=runtime_versions(),
            heartbeat_seconds=config.central.heartbeat_seconds,
        )
        facade.attach_reporting(worker)
    return facade
