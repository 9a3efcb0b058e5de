"""Watching readers and cards in a worker thread: insert/remove and service events.

Our own polling over ``SCardGetStatusChange`` rather than pyscard's CardMonitor: that one hides
pcscd going away, while the kiosk must show "out of service" and recover when pcscd returns.
Events are handed to a callback on the worker thread; the UI marshals them itself
(``Clock.schedule_once``). The first events describe the current state (readers and cards
already present), so a listener never needs a separate initial query.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import smartcard.scard as scard

from devices.pcsc.errors import PcscError, PcscServiceUnavailable, ReaderNotFound, error_for
from devices.pcsc.reader import PcscContext, ReaderStatus, status_from_event

log = logging.getLogger(__name__)


class EventKind(StrEnum):
    READER_ADDED = "reader_added"
    READER_REMOVED = "reader_removed"
    CARD_INSERTED = "card_inserted"
    CARD_REMOVED = "card_removed"
    SERVICE_LOST = "service_lost"  # pcscd stopped or is not running
    SERVICE_BACK = "service_back"


@dataclass(frozen=True)
class PcscEvent:
    kind: EventKind
    reader: str = ""
    atr: bytes = b""
    reason: str = ""  # an error key for SERVICE_LOST


Listener = Callable[[PcscEvent], None]


class ReaderMonitor:
    """Start with :meth:`start`, stop with :meth:`stop`; ``poll_s`` bounds stop latency."""

    def __init__(self, listener: Listener, *, poll_s: float = 0.25, retry_s: float = 0.5) -> None:
        self._listener = listener
        self._poll_ms = int(poll_s * 1000)
        self._retry_s = retry_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._cards: dict[str, bytes | None] = {}  # reader → ATR when a card is in it
        self._service_up: bool | None = None

    def start(self) -> ReaderMonitor:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="pcsc-monitor", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ReaderMonitor:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- worker ------------------------------------------------------------------------------

    def _emit(self, event: PcscEvent) -> None:
        try:
            self._listener(event)
        except Exception:  # a broken listener must not kill the monitor
            log.exception("pcsc listener failed on %s", event.kind)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with PcscContext() as context:
                    if self._service_up is not True:
                        if self._service_up is False:
                            self._emit(PcscEvent(EventKind.SERVICE_BACK))
                        self._service_up = True
                    self._watch(context)
            except PcscServiceUnavailable as error:
                self._service_lost(error.key)
            except PcscError as error:
                # e.g. F_COMM_ERROR when pcscd dies mid-wait: the next connect tells us
                # whether the service is gone (SERVICE_LOST) or it was a hiccup.
                log.warning("pcsc monitor: %s", error)
            except Exception:  # a pyscard or driver bug must not end card watching for good
                log.exception("pcsc monitor failed unexpectedly; retrying")
            if not self._stop.is_set():
                self._stop.wait(self._retry_s)
        self._forget_all()

    def _service_lost(self, reason: str) -> None:
        self._forget_all()
        if self._service_up is not False:
            self._service_up = False
            self._emit(PcscEvent(EventKind.SERVICE_LOST, reason=reason))

    def _forget_all(self) -> None:
        for reader in list(self._cards):
            self._forget(reader)

    def _forget(self, reader: str) -> None:
        if self._cards.pop(reader, None) is not None:
            self._emit(PcscEvent(EventKind.CARD_REMOVED, reader))
        self._emit(PcscEvent(EventKind.READER_REMOVED, reader))

    def _watch(self, context: PcscContext) -> None:
        known: dict[str, int] = {}  # reader → the event state pcscd last told us
        while not self._stop.is_set():
            names = context.readers()
            for gone in [name for name in self._cards if name not in names]:
                known.pop(gone, None)
                self._forget(gone)
            for name in names:
                if name not in self._cards:
                    self._cards[name] = None
                    known[name] = scard.SCARD_STATE_UNAWARE
                    self._emit(PcscEvent(EventKind.READER_ADDED, name))
            if not names:
                self._stop.wait(self._poll_ms / 1000)
                continue
            code, states = scard.SCardGetStatusChange(
                context.handle, self._poll_ms, [(name, known[name]) for name in names]
            )
            if code == scard.SCARD_E_TIMEOUT:
                continue
            if code in (scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE):
                continue  # a reader left while we waited: relist
            if code != scard.SCARD_S_SUCCESS:
                raise error_for(code, "wait for reader changes")
            for name, event_state, atr in states:
                # pcsc-lite counts insertions and removals in the high 16 bits: a changed
                # count with a card still present means it was swapped between two polls.
                before = known[name]
                swapped = before != scard.SCARD_STATE_UNAWARE and (before >> 16) != (
                    event_state >> 16
                )
                known[name] = event_state & ~scard.SCARD_STATE_CHANGED
                self._card_state(status_from_event(name, event_state, atr), swapped)

    def _card_state(self, status: ReaderStatus, swapped: bool) -> None:
        had = self._cards.get(status.name)
        if had is not None and (not status.card_present or swapped):
            self._cards[status.name] = None
            self._emit(PcscEvent(EventKind.CARD_REMOVED, status.name))
            had = None
        if status.card_present and had is None:
            self._cards[status.name] = status.atr
            self._emit(PcscEvent(EventKind.CARD_INSERTED, status.name, status.atr))


__all__ = ["EventKind", "Listener", "PcscEvent", "ReaderMonitor", "ReaderNotFound"]
