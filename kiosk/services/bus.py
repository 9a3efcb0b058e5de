"""The runtime's event bus: services emit typed events (:mod:`kiosk.events`), the UI listens.

Listeners run on the emitting thread (a device worker, the reporting worker, the UI's clock);
a UI re-posts each event onto its own thread before touching widgets.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kiosk.events import Event, Listener

log = logging.getLogger(__name__)


class EventBus:
    """Subscribe listeners; emit one event to all of them, a failing listener never silences the rest."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add ``listener``; returns the call that removes it again."""
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
