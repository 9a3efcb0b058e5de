"""Watching a SAM reader for cards on a worker thread: placed / removed events and device health.

:class:`CardPoller` owns one daemon thread. It connects (with exponential backoff while the
reader is absent), checks the SAM's status, then polls for a card every ``interval``
seconds. A card that appears is read once (retried up to ``read_attempts`` times, e.g. when
it was moved mid-read) and reported while it stays; when it has been missing for
``missed_polls`` polls it is reported removed. Unplugging the reader reports a lying card
as removed and the state as absent; plugging it back in resumes by itself.

Callbacks run on the worker thread: a Kivy caller hands them on with
``Clock.schedule_once``. Neither :meth:`CardPoller.start` nor :meth:`CardPoller.stop` blocks
for longer than the worker's current exchange.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from devices.errors import DeviceError
from devices.idcard.errors import (
    FrameError,
    ReaderAbsent,
    ReaderTimeout,
    SamFault,
)
from devices.idcard.sam_reader import SamReader
from devices.status import DeviceKind, DeviceState, DeviceStatus
from identity.outcome import CardOutcome, assess
from identity.record import IdentityRecord

log = logging.getLogger(__name__)

READY = DeviceStatus(DeviceKind.IDCARD, DeviceState.OK, "idcard.ready")


class CardEventKind(StrEnum):
    DETECTED = "detected"  # a card is on the reader; reading it
    PLACED = "placed"  # read: ``record`` and ``outcome`` are set
    READ_FAILED = "read_failed"  # gave up reading this card: ``error`` is set
    REMOVED = "removed"  # the card (read or not) has gone


@dataclass(frozen=True)
class CardEvent:
    kind: CardEventKind
    record: IdentityRecord | None = None
    outcome: CardOutcome | None = None
    error: DeviceError | None = None


class CardPoller:
    def __init__(
        self,
        reader: SamReader,
        on_event: Callable[[CardEvent], None],
        on_state: Callable[[DeviceStatus], None] | None = None,
        *,
        interval: float = 0.2,
        fingerprint: bool = False,
        appended_address: bool = True,
        read_attempts: int = 3,
        missed_polls: int = 2,
        backoff: tuple[float, float] = (0.2, 5.0),
        fault_after: int = 5,
    ) -> None:
        self.reader = reader
        self._on_event = on_event
        self._on_state = on_state
        self.interval = interval
        self.fingerprint = fingerprint
        self.appended_address = appended_address
        self.read_attempts = read_attempts
        self.missed_polls = missed_polls
        self.backoff = backoff
        self.fault_after = fault_after
        self._status: DeviceStatus | None = None  # None until the first report
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._card_on = False
        self._read_done = False
        self._attempts = 0
        self._misses = 0
        self._errors = 0
        self._connected = False

    @property
    def status(self) -> DeviceStatus:
        return self._status or DeviceStatus(DeviceKind.IDCARD, DeviceState.ABSENT, "idcard.absent", "not started")

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> CardPoller:
        if self.running:
            return self
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="idcard-poller", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # -- the worker ---------------------------------------------------------------------------

    def _run(self) -> None:
        delay = self.backoff[0]
        self._connected = False
        while not self._stop.is_set():
            if not (self._connected and self.reader.is_open):
                self._connected = self._connect()
                if not self._connected:
                    self._stop.wait(delay)
                    delay = min(delay * 2, self.backoff[1])
                    continue
                delay = self.backoff[0]
            try:
                self._poll_once()
            except ReaderAbsent as error:
                self._lost(DeviceState.ABSENT, error)
                continue
            except SamFault as error:
                self._lost(DeviceState.FAULT, error)
                continue
            except DeviceError as error:  # bad frames, timeouts, requests the SAM rejected
                self._errors += 1
                if self._errors >= self.fault_after:
                    self._lost(DeviceState.FAULT, error)
                    continue
                self._set(DeviceStatus(DeviceKind.IDCARD, DeviceState.DEGRADED, error.key, error.detail))
            except Exception as error:  # a driver bug must not end card reading for good
                log.exception("ID-card poll failed unexpectedly")
                self._lost(DeviceState.FAULT, DeviceError(repr(error), key="idcard.internal"))
                self._stop.wait(self.backoff[1])
                continue
            else:
                self._errors = 0
                if self.status.state is DeviceState.DEGRADED:
                    self._set(READY)
            self._stop.wait(self.interval)
        # Stopping is not removing: the next start() reports a lying card afresh.
        self._card_on = self._read_done = False

    def _connect(self) -> bool:
        try:
            self.reader.open()
            self.reader.sam_status()
        except ReaderAbsent as error:
            self._set(DeviceStatus(DeviceKind.IDCARD, DeviceState.ABSENT, error.key, error.detail))
            return False
        except DeviceError as error:  # SAM broken, silent or answering nonsense
            self.reader.disconnect()
            self._set(DeviceStatus(DeviceKind.IDCARD, DeviceState.FAULT, error.key, error.detail))
            return False
        self._errors = 0
        self._set(READY)
        return True

    def _lost(self, state: DeviceState, error: DeviceError) -> None:
        self._connected = False
        self.reader.disconnect()
        self._forget_card()
        self._set(DeviceStatus(DeviceKind.IDCARD, state, error.key, error.detail))

    def _poll_once(self) -> None:
        if not self.reader.card_present():
            if self._card_on:
                self._misses += 1
                if self._misses >= self.missed_polls:
                    self._forget_card()
            return
        self._misses = 0
        if not self._card_on:
            self._card_on, self._read_done, self._attempts = True, False, 0
            self._emit(CardEvent(CardEventKind.DETECTED))
        if self._read_done:
            return
        self._attempts += 1
        try:
            record = self.reader.read_selected(
                fingerprint=self.fingerprint, appended_address=self.appended_address
            )
        except (ReaderAbsent, SamFault):
            raise
        except DeviceError as error:
            log.info("card read attempt %d failed: %s", self._attempts, error.key)
            if self._attempts >= self.read_attempts:
                self._read_done = True
                self._emit(CardEvent(CardEventKind.READ_FAILED, error=error))
            if isinstance(error, FrameError | ReaderTimeout):
                raise  # the line is unwell, too: let the state say so
            return
        self._read_done = True
        self._emit(CardEvent(CardEventKind.PLACED, record=record, outcome=assess(record)))

    def _forget_card(self) -> None:
        if self._card_on:
            self._card_on = False
            self._emit(CardEvent(CardEventKind.REMOVED))
        self._read_done, self._attempts, self._misses = False, 0, 0

    def _set(self, status: DeviceStatus) -> None:
        current = self._status
        if current is not None and (current.state, current.reason) == (status.state, status.reason):
            return
        self._status = status
        log.info("ID-card reader %s (%s)", status.state.value, status.reason)
        if self._on_state is not None:
            self._call(self._on_state, status)

    def _emit(self, event: CardEvent) -> None:
        log.info("card %s", event.kind.value)
        self._call(self._on_event, event)

    @staticmethod
    def _call(callback: Callable[..., None], argument: object) -> None:
        try:
            callback(argument)
        except Exception:  # the caller's bug must not kill the reader thread
            log.exception("ID-card callback failed")
