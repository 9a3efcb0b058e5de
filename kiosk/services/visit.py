"""The visit service: the catalog a citizen chooses from, the one visit in progress, idle rules.

It owns the citizen's :class:`kiosk.visit.Visit` (whose flow holds every answer, the card read
and the captured pages) and wipes it on completion, cancel and idle timeout; it opens and closes
the visit's log id and registers the citizen's data for log masking. The display choices
(language, large text, contrast) belong to the visit and are reset with it.
Screens type against :class:`kiosk.services.VisitService`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from identity.record import IdentityRecord
from kiosk import logs
from kiosk.catalog import Catalog, Scenario
from kiosk.config import Config
from kiosk.engine import Flow
from kiosk.errors import FlowError, ValidationError
from kiosk.events import (
    CardError,
    CatalogReloaded,
    Identified,
    IdleCleared,
    IdleWarning,
    Submitted,
    VisitEnded,
    VisitStarted,
)
from kiosk.navigator import Navigator, Step, UserInput
from kiosk.session import IdleState, IdleTimer
from kiosk.visit import Visit
from wire.errors import KioskError

if TYPE_CHECKING:
    from kiosk.hall import Hall, HelpAdvice
    from kiosk.receipts import AcceptanceReceipt
    from kiosk.services.bus import EventBus
    from kiosk.services.protocols import DeviceService, ReportingService
    from kiosk.speech import Speaker

log = logging.getLogger("kiosk.visit")

DEFAULT_LANG = "zh_CN"


class Visits:
    """The catalog, the visit in progress (``session``), its display choices and idle rules."""

    def __init__(
        self,
        config: Config,
        catalog: Catalog,
        events: EventBus,
        devices: DeviceService,
        reporting: ReportingService,
        *,
        speaker: Speaker | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.catalog = catalog
        self._events = events
        self._devices = devices
        self._reporting = reporting
        self.speaker = speaker  # None: silent
        self.session: Visit | None = None  # the citizen being served now
        self.lang = DEFAULT_LANG
        self.large_text = False
        self.high_contrast = False
        self.idle = IdleTimer(config.timeouts.idle_seconds, config.timeouts.warning_seconds, clock=clock)
        self._warned = False
        self._other_card: Callable[[str, str], None] | None = None  # read_other_card's taker
        self._other_refused: Callable[[str], None] | None = None  # and whom it tells of a refusal
        self.visiting = False  # someone left the attract screen; idle rules apply
        self.submissions: list[str] = []  # submission ids sent this run (no personal data)
        logs.declare_personal(catalog.personal_field_ids())

    # ----- the catalog ---------------------------------------------------------------------
    def use_catalog(self, catalog: Catalog) -> None:
        """New visits use ``catalog`` (the centre's ``reload_catalog``); the visit in progress keeps its flow."""
        self.catalog = catalog
        logs.declare_personal(catalog.personal_field_ids())
        self._events.emit(CatalogReloaded(len(catalog.scenarios)))

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
        for name in self.scenario(scenario_id).needs_devices:
            if name == "idcard":  # either card reader identifies a citizen
                if not self._devices.reader_usable():
                    return "ui.unavailable.idcard"
            elif not self._devices.usable(name):
                return f"ui.unavailable.{name}"
        return None

    # ----- the visit's steps ---------------------------------------------------------------
    def begin(self, scenario_id: str) -> Visit:
        reason = self.unavailable_reason(scenario_id)
        if reason:
            raise FlowError(scenario_id, key=reason)
        if self.session is not None:
            self.session.wipe()
        flow = Flow(self.catalog, scenario_id)
        session = Visit(scenario_id, flow)
        session.navigator = Navigator(flow, identified=lambda: flow.card is not None,
                                      camera_usable=self._devices.camera_usable)
        self.session = session
        self.wake()
        self._events.emit(VisitStarted(scenario_id))
        return session

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

    def protect_answers(self) -> None:
        """Register every answer the catalog declares personal so no log line can show it."""
        if self.session is None or self.session.flow is None:
            return
        logs.register_sensitive(*self.session.flow.personal_values())

    # ----- the card ------------------------------------------------------------------------
    def accept_identity(self, record: IdentityRecord) -> None:
        """Take a card read into the visit: prefill the applicant, or refuse an expired card."""
        if self.session is None or self.session.flow is None:
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
        self._events.emit(Identified(repr(record)))

    def card_read(self, record: IdentityRecord | None, error: KioskError | None = None) -> None:
        """A card read (any thread), or the reason it failed: taken into the visit, or refused."""
        if error is not None:
            self._events.emit(CardError(error.key, dict(error.params)))
            return
        if record is None:
            return
        other, self._other_card = self._other_card, None
        refuse, self._other_refused = self._other_refused, None
        if other is not None and self.session is not None:
            self._devices.expect_card(False)
            from identity.outcome import assess

            outcome = assess(record)  # the same rule as the applicant's own card (accept_identity)
            if not outcome.usable:
                record.wipe()
                if refuse is not None:
                    refuse(f"ui.picker.other_card.{outcome.value}")
                return
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
            self._events.emit(CardError(refusal.key, dict(refusal.params)))

    def read_other_card(self, deliver: Callable[[str, str], None],
                        refuse: Callable[[str], None] | None = None) -> bool:
        """A second person's ID card for the form (a co-shareholder): the next card read goes to
        ``deliver(name, id_number)`` (on the reader's thread) instead of the session, and nothing
        else of it is kept. A card the applicant's own would be refused for (expired, not yet
        valid, a bad number: :func:`identity.outcome.assess`) goes to ``refuse(key)`` instead,
        with the i18n key of the message. False when there is no visit."""
        if self.session is None:
            return False
        self._other_card = deliver
        self._other_refused = refuse
        self._devices.expect_card(True)
        return True

    # ----- materials and submission --------------------------------------------------------
    def capture(self, material_id: str, jpeg: bytes) -> int:
        """Add a captured page; returns how many pages that material now has."""
        if self.session is None:
            raise FlowError("no session", key="ui.error.no_session")
        self.touch()
        return self.session.capture(material_id, jpeg)

    def submit(self, now: dt.datetime | None = None) -> str:
        """Build the submission and hand it to the outbox; returns the reference number."""
        session = self.session
        if session is None or session.flow is None:
            raise FlowError("no session", key="ui.error.no_session")
        flow = session.flow
        document = flow.submission(self.config.kiosk_id or "unenrolled", self.config.location.name, now=now)
        self.protect_answers()
        self._reporting.queue_submission(flow.reference, session.scenario_id, document, session.captures)
        session.submitted = True
        self.submissions.append(flow.submission_id)
        self._events.emit(Submitted(session.reference))
        return session.reference

    def tracking_url(self) -> str:
        """What the receipt's QR code holds: where the citizen follows the application."""
        reference = self.session.reference if self.session else ""
        base = (self.config.central.url or "https://zwfw.example.invalid").rstrip("/")
        return f"{base}/track/{reference}"

    def receipt(self) -> AcceptanceReceipt | None:
        """The 受理回执 of the application just submitted (None before submission)."""
        if self.session is None or not self.session.submitted:
            return None
        return receipt_data(self)

    # ----- help ----------------------------------------------------------------------------
    @property
    def hall(self) -> Hall:
        from kiosk.hall import load_hall

        return load_hall()

    def help_advice(self, now: dt.datetime | None = None) -> HelpAdvice:
        """What a citizen can do at this hour (:func:`kiosk.hall.help_advice`), in the visit's language."""
        from kiosk.hall import help_advice

        return help_advice(self.hall, now or dt.datetime.now(), self.lang)

    def say(self, text: str) -> None:
        """Speak a prompt if spoken prompts are on (config.speech); never blocks."""
        if self.speaker is not None and text:
            self.speaker.say(text)

    # ----- idle and ending -----------------------------------------------------------------
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
            self._events.emit(IdleCleared())

    def tick(self) -> IdleState:
        """Called about once a second by the UI; warns, then ends an idle visit."""
        if not self.visiting:
            self.idle.touch()
            return IdleState.ACTIVE
        state = self.idle.state()
        if state is IdleState.WARNING:
            self._warned = True
            self._events.emit(IdleWarning(self.idle.remaining()))
        elif state is IdleState.EXPIRED:
            self.end("idle")
        return state

    def _forget(self) -> None:
        self._other_card = None
        self._devices.expect_card(False)  # no visit, no Identify screen: no card is taken
        self._devices.forget_card()
        if self.session is not None:
            self.session.wipe()
            self.session = None

    def abandon(self) -> None:
        """Back to the home screen: drop the flow (and its data) but keep the visit going."""
        self._forget()

    def end(self, reason: str) -> None:
        """End the visit: wipe everything the citizen entered and reset their display choices."""
        had = self.session is not None or self.visiting
        self.visiting = False
        self._forget()
        self._warned = False
        self.lang = DEFAULT_LANG
        self.large_text = False
        self.high_contrast = False
        if self.speaker is not None:
            self.speaker.stop()
        if had:
            logs.event(log, "visit.ended", reason=reason)
            logs.end_session()
            self._events.emit(VisitEnded(reason))


def receipt_data(visits: Visits) -> AcceptanceReceipt:
    """The 受理回执's content for the current visit: masked identity, items, materials."""
    from identity.idnumber import mask
    from kiosk.catalog.time_limits import deadline_lines
    from kiosk.receipts import AcceptanceReceipt

    session = visits.session
    assert session is not None and session.flow is not None
    flow = session.flow
    lang = visits.lang
    hall = visits.hall
    name = str(flow.answer_for("applicant.name") or "")
    number = str(flow.answer_for("applicant.id_number") or "")
    delivery = flow.situation_for("delivery")
    bank = flow.situation_for("bank")
    return AcceptanceReceipt(
        reference=session.reference,
        applicant_name_masked=(name[:1] + "*" * (len(name) - 1)) if name else "",
        id_number_masked=mask(number) if number else "",
        scenario_title=flow.scenario.title.get(lang),
        items=[
            (item.title.get(lang), item.department.get(lang),
             item.promised_days, _due(hall, item.promised_days))
            for item in flow.items()
        ],
        materials=[need.material.name.get(lang) for need in flow.materials()],
        delivery=_label(flow, "delivery", delivery, lang),
        delivery_address=str(flow.answer_for("delivery.address") or ""),
        created_at=dt.datetime.now(),
        location=visits.config.location.name,
        kiosk_id=visits.config.kiosk_id or "unenrolled",
        track_url=visits.tracking_url(),
        enterprise_name=str(flow.answer_for("enterprise.name") or ""),
        bank=_label(flow, "bank", bank, lang) if bank not in ("", "none") else "",
        appointment=str(flow.answer_for("bank.appointment") or ""),
        delivery_kind=delivery,
        hall=hall,
        applicant_deadlines=[line for item in flow.items()
                             for line in deadline_lines(item, lang, with_basis=False)],
    )


def _label(flow: Flow, role: str, value: str, lang: str) -> str:
    """The label of the option ``value`` of the question declaring ``role``."""
    question = flow.scenario.question_for(role)
    return question.label_of(value, lang) if question is not None else value


def _due(hall: Hall, days: float | None) -> dt.date | None:
    """The calendar date a promise of ``days`` working days ends, from today (holidays from the hall)."""
    from kiosk.workdays import due_date

    if days is None:
        return None
    return due_date(dt.date.today(), days, hall.holidays, hall.workdays)


