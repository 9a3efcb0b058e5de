"""Reporting: everything the kiosk owes the centre, through the one durable outbox.

Submissions, help calls, 好差评 ratings and 补正 supplements are queued here and the reporting
worker (heartbeat, sender, the centre's commands; :mod:`kiosk.heartbeat`) is woken so each
leaves at once. Without an outbox (not enrolled, or it failed to open) nothing can be kept, and
the kiosk takes no application (:meth:`Reporting.service_problem`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import logs, readiness
from kiosk.heartbeat import identity_problem
from wire.errors import KioskError

if TYPE_CHECKING:
    from kiosk.central_client import CentralClient
    from kiosk.config import Config
    from kiosk.heartbeat import ReportingWorker
    from kiosk.outbox import Outbox
    from kiosk.tracking import StatusReply

log = logging.getLogger("kiosk.reporting")


class Reporting:
    """The outbox and, once the kiosk is enrolled, the reporting worker that sends it."""

    def __init__(self, outbox: Outbox | None = None, worker: ReportingWorker | None = None) -> None:
        self.outbox = outbox if outbox is not None else (worker.outbox if worker is not None else None)
        self.worker = worker

    @classmethod
    def open(cls, folder: Path, secret: bytes | None) -> Reporting:
        """The outbox in the state ``folder`` (none without the kiosk's key, or when it fails to open)."""
        from kiosk.outbox import Outbox

        if not secret:
            return cls()
        try:
            return cls(Outbox.in_state_dir(folder, secret))
        except KioskError as error:
            log.warning("no outbox: %s", error.key)
            return cls()

    def attach(self, worker: ReportingWorker) -> None:
        self.worker = worker
        if self.outbox is None:
            self.outbox = worker.outbox

    @property
    def client(self) -> CentralClient | None:
        """The signed client for the centre (None until the kiosk is enrolled)."""
        return self.worker.client if self.worker is not None else None

    # ----- life cycle ---------------------------------------------------------------------
    def start(self) -> None:
        if self.worker is not None:
            self.worker.start()

    def stop(self) -> None:
        """Stop the worker (it finishes what it is sending); the outbox stays open until :meth:`close`."""
        if self.worker is not None:
            self.worker.stop()
            self.worker.client.close()

    def close(self) -> None:
        """Close the outbox (after the devices stopped: their last state changes still read it)."""
        if self.outbox is not None:
            self.outbox.close()

    def wake(self) -> None:
        """Send now what was just queued, not at the next tick."""
        if self.worker is not None:
            self.worker.wake()

    # ----- may the kiosk take applications ------------------------------------------------
    def identity_problem(self, config: Config) -> str | None:
        """Unenrolled or refused by the centre (an i18n key), or None."""
        return identity_problem(config, self.worker)

    def service_problem(self) -> str | None:
        """No outbox, or too little disk to keep an application (an i18n key), or None."""
        return readiness.service_problem(self.outbox)

    # ----- records ------------------------------------------------------------------------
    def queue_submission(
        self, reference: str, scenario_id: str, document: dict[str, object], captures: Mapping[str, Sequence[bytes]]
    ) -> str:
        """Queue an application durably with its captured pages; returns the outbox record id."""
        if self.outbox is None:
            from kiosk.errors import CentralError

            raise CentralError("no outbox", key="ui.error.no_outbox")
        from kiosk.outbox import Material

        materials = [
            Material(name=f"{material_id}-{n}.jpg", data=jpeg)
            for material_id, pages in captures.items()
            for n, jpeg in enumerate(pages, start=1)
        ]
        record_id = self.outbox.enqueue_submission(reference, scenario_id, document, materials)
        self.wake()
        logs.event(log, "submission.queued", record=record_id, scenario=scenario_id)
        return record_id

    def call_help(self, screen: str, scenario: str = "", step: str = "") -> str | None:
        """呼叫工作人员: queue a help call (kiosk, screen, scenario, step; nothing about the citizen).

        Returns the outbox record id, or None when there is no outbox to hold it."""
        if self.outbox is None:
            return None
        record_id = self.outbox.enqueue_help_call(screen, scenario, step)
        self.wake()
        logs.event(log, "help.called", record=record_id, screen=screen, step=step)
        return record_id

    def rate(
        self, reference: str, scenario: str, level: int, reasons: Sequence[str] = (), comment: str = ""
    ) -> str | None:
        """好差评 for the application ``reference``; returns the outbox record id (None: not kept)."""
        if self.outbox is None or not reference:
            return None
        record_id = self.outbox.enqueue_rating(reference, scenario, level, list(reasons), comment.strip()[:200])
        self.wake()
        logs.event(log, "rating.queued", record=record_id, level=level)
        return record_id

    def send_supplement(self, reply: StatusReply, pages: Mapping[str, Sequence[bytes]]) -> str:
        """Queue the recaptured pages for the centre's 补正 request; returns the record id."""
        from kiosk.errors import CentralError
        from kiosk.tracking import send_supplement

        if self.outbox is None:
            raise CentralError("no outbox", key="ui.error.no_outbox")
        record_id = send_supplement(self.outbox, reply, pages)
        self.wake()
        return record_id
