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
from typing import TYPE_CHECKING, Any

from identity.idnumber import TestPerson
from identity.record import IdentityRecord
from kiosk import logs
from kiosk.catalog import Catalog, Scenario
from kiosk.config import Config
from kiosk.device_hub import DeviceHub, DeviceStatus
from kiosk.engine import Flow
from kiosk.errors import FlowError, ValidationError
from kiosk.events import (
    CardError,
    CardRemoved,
    CatalogReloaded,
    DevicesChanged,
    Event,
    Identified,
    IdleCleared,
    IdleWarning,
    Listener,
    ServiceChanged,
    Submitted,
    VisitEnded,
    VisitStarted,
)
from kiosk.heartbeat import identity_problem
from kiosk.maintenance import Maintenance
from kiosk.navigator import Navigator, Step, UserInput
from kiosk.readiness import service_problem
from kiosk.session import IdleState, IdleTimer
from kiosk.visit import Visit
from wire.errors import KioskError

if TYPE_CHECKING:
    from devices.camera import DocumentCamera
    from kiosk.heartbeat import ReportingWorker
    from kiosk.receipts import AcceptanceReceipt
    from kiosk.speech import Speaker

__all__ = ["DeviceHub", "DeviceStatus", "Facade", "open_kiosk", "receipt_data"]  # DeviceHub: kept importable here

log = logging.getLogger(__name__)


class Facade:
    """Everything a screen may ask of the runtime; one per running kiosk."""

    def __init__(
        self,
        config: Config,
        catalog: Catalog,
        *,
        devices: DeviceHub | None = None,
        clock: Callable[[], float] = time.monotonic,
        speaker: Speaker | None = None,
        catalog_loader: Callable[[], Catalog] | None = None,
        addresses: Callable[[], list[str]] = list,
    ) -> None:
        self.config = config
        self.catalog = catalog
        self.devices = devices  # a kiosk.device_hub.DeviceHub, or None (all absent)
        self.speaker = speaker  # a kiosk.speech.Speaker, or None (silent)
        self.reporting: ReportingWorker | None = None  # once attached
        self._catalog_loader = catalog_loader
        self._addresses = addresses  # this machine's network addresses, for the self-test page
        self._clock = clock
        self._listeners: list[Listener] = []
        self._other_card: Callable[[str, str], None] | None = None  # read_other_card's taker
        self._lock = threading.RLock()
        self.session: Visit | None = None  # the citizen being served now
        self.lang = "zh_CN"
        self.large_text = False
        self.high_contrast = False
        self.idle = IdleTimer(
            config.timeouts.idle_seconds, config.timeouts.warning_seconds, clock=clock
        )
        self._warned = False
        self.visiting = False  # someone left the attract screen; idle rules apply
        self.maintenance = Maintenance(
            config,
            on_service_change=lambda: self.emit(ServiceChanged(self.out_of_service_reason())),
        )
        self.submissions: list[str] = []  # submission ids sent this run (no personal data)
        logs.declare_personal(catalog.personal_field_ids())

    # ----- events -------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def emit(self, event: Event) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # one broken listener must not silence the others
                log.exception("listener failed for %s", type(event).__name__)

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
        self.emit(DevicesChanged(self.device_states()))
        self.emit(ServiceChanged(self.out_of_service_reason()))

    def out_of_service_reason(self) -> str | None:
        """Why no citizen can be served right now (an i18n key), or None."""
        if refused := identity_problem(self.config, self.reporting):  # unenrolled or revoked
            return refused
        if self.maintenance.centre_out_of_service:
            return "ui.oos.centre"
        if problem := service_problem(self.devices.outbox if self.devices is not None else None):
            return problem
        states = self.device_states()
        idcard = states.get("idcard")
        sscard = states.get("sscard")
        if (idcard is None or not idcard.usable) and (sscard is None or not sscard.usable):
            return "ui.oos.no_reader"
        return None

    # ----- reporting to the centre -------------------------------------------------------
    def attach_reporting(self, worker: ReportingWorker) -> None:
        """Wire a ReportingWorker: our device states, and handlers for the centre's commands."""
        self.reporting = worker
        worker.device_states = self.wire_device_states
        worker.register("reload_catalog", self.reload_catalog)
        worker.register("print_test_page", self.print_test_page)
        worker.on_out_of_service(lambda on, _reason: self.maintenance.set_centre_out_of_service(on))
        self.maintenance.centre_out_of_service = bool(worker.out_of_service)  # survives a restart

    def wire_device_states(self) -> dict[str, dict[str, str]]:
        return {name: status.wire() for name, status in self.device_states().items()}

    def reload_catalog(self, _args: dict[str, Any] | None = None) -> str:
        """The centre's ``reload_catalog``: new visits use the new catalog; a broken one is refused."""
        if self._catalog_loader is None:
            return "unsupported"
        self.catalog = self._catalog_loader()  # a CatalogError leaves the old catalog in place
        logs.declare_personal(self.catalog.personal_field_ids())
        self.emit(CatalogReloaded(len(self.catalog.scenarios)))
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
    def scenarios(self) -> list[Scenario]:
        return list(self.catalog.scenarios.values())

    def scenario(self, scenario_id: str) -> Scenario:
        try:
            return self.catalog.scenarios[scenario_id]
        except KeyError:
            raise FlowError(f"unknown scenario {scenario_id!r}") from None

    def search(self, query: str) -> list[Scenario]:
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
    def begin(self, scenario_id: str) -> Visit:
        reason = self.unavailable_reason(scenario_id)
        if reason:
            raise FlowError(scenario_id, key=reason)
        if self.session is not None:
            self.session.wipe()
        flow = Flow(self.catalog, scenario_id)
        session = Visit(scenario_id, flow)
        session.navigator = Navigator(flow, identified=lambda: flow.card is not None,
                                      camera_usable=self.camera_usable)
        self.session = session
        self.wake()
        self.emit(VisitStarted(scenario_id))
        return self.session

    @property
    def flow(self) -> Flow:
        if self.session is None or self.session.flow is None:
            raise FlowError("no session", key="ui.error.no_session")
        return self.session.flow

    @property
    def navigator(self) -> Navigator:
        """The order of the current visit's steps (see :mod:`kiosk.navigator`)."""
        if self.session is None or self.session.navigator is None:
            raise FlowError("no session", key="ui.error.no_session")
        return self.session.navigator

    def advance(self, step: Step, user_input: UserInput = None) -> Step:
        """The citizen's input for ``step``; returns the step to show next (see kiosk.navigator).

        Answers the catalog declares personal are registered for log masking as they arrive."""
        following = self.navigator.next(step, user_input)
        self.protect_answers()
        return following

    def retreat(self, step: Step, user_input: UserInput = None) -> Step:
        """The step before ``step`` (form answers sent along are kept, unchecked)."""
        following = self.navigator.back(step, user_input)
        self.protect_answers()
        return following

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
        logs.register_sensitive(record.name, record.address)
        self.session.flow.prefill(record)
        self.touch()
        self.emit(Identified(repr(record)))

    def card_read(self, record: IdentityRecord | None, error: KioskError | None = None) -> None:
        """Called by the device hub (any thread) with a card read or the reason it failed."""
        if error is not None:
            self.emit(CardError(error.key, dict(error.params)))
            return
        if record is None:
            return
        other, self._other_card = self._other_card, None
        if other is not None and self.session is not None:
            self.expect_card(False)
            name, number = record.name, record.id_number
            logs.register_sensitive(name)
            record.wipe()
            other(name, number)
            return
        if self.session is None or self.session.identity is not None:
            record.wipe()  # nobody asked for a card now; keep nothing
            return
        try:
            self.accept_identity(record)
        except KioskError as refusal:
            self.emit(CardError(refusal.key, dict(refusal.params)))

    def read_other_card(self, deliver: Callable[[str, str], None]) -> bool:
        """A second person's ID card for the form (a co-shareholder): the next card read goes to
        ``deliver(name, id_number)`` (on the reader's thread) instead of the session, and nothing
        else of it is kept. False when there is no visit or no card reader."""
        if self.devices is None or self.session is None:
            return False
        self._other_card = deliver
        self.devices.expect_card(True)
        return True

    def card_removed(self) -> None:
        self.emit(CardRemoved())

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

    def sim_place_sscard(self, person: TestPerson | None = None) -> bool:
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
    def camera(self) -> DocumentCamera | None:
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
        self.submissions.append(session.flow.submission_id)
        self.emit(Submitted(session.reference))
        return session.reference

    def protect_answers(self) -> None:
        """Register every answer the catalog declares personal so no log line can show it."""
        if self.session is None or self.session.flow is None:
            return
        logs.register_sensitive(*self.session.flow.personal_values())

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

    # ----- help and 好差评 ----------------------------------------------------------------
    @property
    def hall(self) -> Any:
        from kiosk.hall import load_hall

        return load_hall()

    def help_advice(self, now: dt.datetime | None = None) -> Any:
        """What a citizen can do at this hour (:func:`kiosk.hall.help_advice`), in the visit's language."""
        from kiosk.hall import help_advice

        return help_advice(self.hall, now or dt.datetime.now(), self.lang)

    def call_help(self, screen: str, step: str = "") -> str | None:
        """呼叫工作人员: queue a help call (kiosk, screen, scenario, step; nothing about the citizen).

        Returns the outbox record id, or None when there is no outbox to hold it."""
        outbox = getattr(self.devices, "outbox", None)
        if outbox is None:
            return None
        scenario = self.session.scenario_id if self.session is not None else ""
        record_id = outbox.enqueue_help_call(screen, scenario, step)
        if self.reporting is not None:
            self.reporting.wake()
        logs.event(log, "help.called", record=record_id, screen=screen, step=step)
        return record_id

    def rate(self, level: int, reasons: list[str] | tuple[str, ...] = (), comment: str = "") -> str | None:
        """好差评 for the application just submitted; returns the outbox record id (None: not kept)."""
        session = self.session
        outbox = getattr(self.devices, "outbox", None)
        if session is None or not session.submitted or outbox is None:
            return None
        record_id = outbox.enqueue_rating(session.reference, session.scenario_id, level, list(reasons),
                                          comment.strip()[:200])
        if self.reporting is not None:
            self.reporting.wake()
        logs.event(log, "rating.queued", record=record_id, level=level)
        return record_id

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
            self.emit(IdleCleared())

    def tick(self) -> IdleState:
        """Called about once a second by the UI; warns, then ends an idle session."""
        if not self.visiting:
            self.idle.touch()
            return IdleState.ACTIVE
        state = self.idle.state()
        if state is IdleState.WARNING:
            self._warned = True
            self.emit(IdleWarning(self.idle.remaining()))
        elif state is IdleState.EXPIRED:
            self.end("idle")
        return state

    def abandon(self) -> None:
        """Back to the home screen: drop the flow (and its data) but keep the visit going."""
        self._other_card = None
        if self.session is not None:
            self.session.wipe()
            self.session = None
        if self.devices is not None:
            self.devices.expect_card(False)  # no visit, no Identify screen: no card is taken
            self.devices.forget_card()

    def end(self, reason: str) -> None:
        """End the visit: wipe everything the citizen entered and reset their display choices."""
        had = self.session is not None or self.visiting
        self.visiting = False
        if self.devices is not None:
            self.devices.expect_card(False)  # no visit, no Identify screen: no card is taken
            self.devices.forget_card()
        if self.session is not None:
            self.session.wipe()
            self.session = None
        self._warned = False
        self._other_card = None
        self.lang = "zh_CN"
        self.large_text = False
        self.high_contrast = False
        if self.speaker is not None:
            self.speaker.stop()
        if had:
            logs.event(log, "visit.ended", reason=reason)
            logs.end_session()
            self.emit(VisitEnded(reason))


def receipt_data(facade: Facade) -> AcceptanceReceipt:
    """The 受理回执's content for the current session: masked identity, items, materials."""
    from identity.idnumber import mask
    from kiosk.catalog.time_limits import deadline_lines
    from kiosk.receipts import AcceptanceReceipt

    session = facade.session
    assert session is not None
    flow = session.flow
    lang = facade.lang
    name = str(flow.answer_for("applicant.name") or "")
    number = str(flow.answer_for("applicant.id_number") or "")
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
             item.promised_days, _due(facade, item.promised_days))
            for item in flow.items()
        ],
        materials=[need.material.name.get(lang) for need in flow.materials()],
        delivery=delivery_label,
        delivery_address=str(flow.answer_for("delivery.address") or ""),
        created_at=dt.datetime.now(),
        location=facade.config.location.name,
        kiosk_id=facade.config.kiosk_id or "unenrolled",
        track_url=facade.tracking_url(),
        enterprise_name=str(flow.answers.get("enterprise.name") or ""),
        bank=_option_label(flow, "bank", lang) if flow.situation.get("bank", "none") != "none" else "",
        appointment=str(flow.answers.get("bank.appointment_date") or ""),
        delivery_kind=delivery,
        hall=facade.hall,
        applicant_deadlines=[line for item in flow.items()
                             for line in deadline_lines(item, lang, with_basis=False)],
    )


def _option_label(flow: Any, question_id: str, lang: str) -> str:
    value = flow.situation.get(question_id, "")
    return next((o.label.get(lang) for q in flow.scenario.questions if q.id == question_id
                 for o in q.options if o.value == value), value)


def _due(facade: Facade, days: float | None) -> dt.date | None:
    """The calendar date a promise of ``days`` working days ends, from today (holidays from the hall)."""
    from kiosk.workdays import due_date

    if days is None:
        return None
    hall = facade.hall
    return due_date(dt.date.today(), days, hall.holidays, hall.workdays)


def open_kiosk(
    config: Config,
    folder: Path,
    *,
    catalog: Catalog | None = None,
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
