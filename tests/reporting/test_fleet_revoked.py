"""A revoked or unenrolled kiosk is out of service at once and takes no application."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from reporting_helpers import BackOffice, Enrolled, server_submissions

from kiosk.catalog import load_catalog
from kiosk.central_client import CentralAuthFailed
from kiosk.config import Central, Config
from kiosk.events import ServiceChanged
from kiosk.heartbeat import NOT_ENROLLED, REVOKED, ReportingWorker
from kiosk.outbox import Outbox
from kiosk.runtime import Kiosk


def _worker(tmp_path: Path, outbox: Outbox, kiosk: Enrolled) -> ReportingWorker:
    return ReportingWorker(outbox, kiosk.client(), kiosk_id=kiosk.kiosk_id, log_folder=tmp_path / "logs",
                           device_states=lambda: {"idcard": {"state": "ok", "reason": ""}})


@pytest.fixture
def runtime(tmp_path: Path, outbox: Outbox, kiosk: Enrolled) -> Iterator[Kiosk]:
    config = Config(kiosk_id=kiosk.kiosk_id, central=Central(url=kiosk.url))
    runtime = Kiosk(config, load_catalog())
    runtime.attach_reporting(_worker(tmp_path, outbox, kiosk))
    yield runtime
    runtime.reporting.worker.stop()


def test_an_unenrolled_kiosk_says_so_instead_of_taking_an_application() -> None:
    runtime = Kiosk(Config(), load_catalog())
    assert runtime.maintenance.out_of_service_reason() == NOT_ENROLLED


def test_a_revoked_kiosk_goes_out_of_service_at_its_next_heartbeat(
    runtime: Kiosk, kiosk: Enrolled, backoffice: BackOffice
) -> None:
    seen: list[str | None] = []
    runtime.subscribe(lambda event: seen.append(event.reason) if isinstance(event, ServiceChanged) else None)
    runtime.reporting.worker.heartbeat()
    assert runtime.maintenance.out_of_service_reason() != REVOKED
    backoffice.revoke(kiosk.kiosk_id)
    with pytest.raises(CentralAuthFailed):
        runtime.reporting.worker.heartbeat()
    assert runtime.maintenance.out_of_service_reason() == REVOKED
    assert REVOKED in seen  # the screens were told at once


def test_a_refused_delivery_puts_the_kiosk_out_of_service_without_waiting_for_a_beat(
    runtime: Kiosk, outbox: Outbox, kiosk: Enrolled, backoffice: BackOffice
) -> None:
    backoffice.revoke(kiosk.kiosk_id)
    outbox.enqueue_submission("GJZ-TEST-1", "birth", {"answers": {}})
    runtime.reporting.worker.drain()
    assert runtime.maintenance.out_of_service_reason() == REVOKED
    assert outbox.depth() == 1  # kept for a re-enrolment, never dropped
    assert server_submissions(backoffice.central, kiosk.kiosk_id) == []
