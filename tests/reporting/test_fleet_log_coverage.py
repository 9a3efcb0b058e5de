"""Log coverage at the centre is only what the kiosk had when it answered; the future stays open."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from reporting_helpers import BackOffice, Enrolled

from kiosk import logs
from kiosk.heartbeat import ReportingWorker
from kiosk.outbox import Outbox

FAR_FUTURE = "2999-01-01T00:00:00+00:00"


@pytest.fixture
def log_folder(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "logs"
    hooks = sys.excepthook, threading.excepthook
    handler = logs.setup(folder, kiosk_id="k-coverage")
    yield folder
    logging.getLogger().removeHandler(handler)
    handler.close()
    logs.end_session()
    sys.excepthook, threading.excepthook = hooks


def _pull(worker: ReportingWorker, command_id: str, since: str) -> None:
    assert worker.run_command({"id": command_id, "kind": "upload_logs",
                               "args": {"since": since, "until": FAR_FUTURE}})
    worker.drain()


def test_a_pull_into_the_future_never_marks_it_complete(
    log_folder: Path, outbox: Outbox, kiosk: Enrolled, backoffice: BackOffice
) -> None:
    worker = ReportingWorker(outbox, kiosk.client(), kiosk_id=kiosk.kiosk_id, log_folder=log_folder)
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()
    logging.getLogger("kiosk.test").info("before the first pull", extra={"event": "test.first"})
    _pull(worker, "c" * 32, since)
    assert outbox.depth() == 0
    coverage = backoffice.get(f"/kiosks/{kiosk.kiosk_id}/logs/coverage",
                              params={"since": since, "until": FAR_FUTURE}).json()
    assert coverage["coverage"] == "partial", coverage

    logging.getLogger("kiosk.test").info("after the first pull", extra={"event": "test.second"})
    _pull(worker, "d" * 32, since)
    reply = backoffice.get(f"/kiosks/{kiosk.kiosk_id}/logs", params={"since": since, "until": FAR_FUTURE})
    assert reply.status_code == 200, reply.text
    assert "test.first" in reply.text and "test.second" in reply.text
