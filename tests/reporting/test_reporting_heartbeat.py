"""The reporting worker against a real central server: heartbeat, commands once, log uploads."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from reporting_helpers import BackOffice, Enrolled

from kiosk import logs
from kiosk.central_client import CentralAuthFailed
from kiosk.heartbeat import ReportingWorker, runtime_versions
from kiosk.outbox import Outbox


@pytest.fixture
def worker(tmp_path: Path, outbox: Outbox, kiosk: Enrolled) -> Iterator[ReportingWorker]:
    states = {"printer": {"state": "degraded", "reason": "printer.paper_near_end"},
              "idcard": {"state": "ok", "reason": ""}}
    worker = ReportingWorker(
        outbox,
        kiosk.client(),
        kiosk_id=kiosk.kiosk_id,
        log_folder=tmp_path / "logs",
        device_states=lambda: states,
        versions=runtime_versions(),
    )
    yield worker
    worker.stop()


def test_heartbeat_reports_health_to_the_back_office(
    worker: ReportingWorker, outbox: Outbox, kiosk: Enrolled, backoffice: BackOffice
) -> None:
    outbox.enqueue_events([{"at": "2025-01-01T00:00:00Z", "kind": "boot"}])
    worker.heartbeat()
    seen = backoffice.kiosk(kiosk.kiosk_id)
    assert seen["devices"]["printer"] == {"state": "degraded", "reason": "printer.paper_near_end"}
    assert seen["devices"]["outbox"]["state"] == "ok"
    assert seen["queue_depth"] == 1
    assert seen["versions"]["kiosk"] == runtime_versions()["kiosk"]
    assert seen["out_of_service"] is False
    assert seen["free_disk_bytes"] > 0


def test_a_command_runs_once_even_when_delivered_twice(
    worker: ReportingWorker, outbox: Outbox, kiosk: Enrolled, backoffice: BackOffice
) -> None:
    calls: list[dict[str, object]] = []
    worker.register("print_test_page", lambda args: calls.append(args) or "printed")
    command = backoffice.command(kiosk.kiosk_id, "print_test_page")
    assert worker.heartbeat() == [command]
    # The same command again, as a server that lost our ack (or a reply replayed) would send it.
    assert worker.run_command({"id": command, "kind": "print_test_page", "args": {}}) is False
    worker.heartbeat()  # carries the ack
    worker.heartbeat()
    assert len(calls) == 1
    assert outbox.command_outcome(command) == "printed"
    assert outbox.unacked_commands() == []
    assert backoffice.kiosk(kiosk.kiosk_id)["pending_commands"] == 0
    # A restarted kiosk (new worker, same outbox database) still refuses to run it again.
    again = ReportingWorker(outbox, kiosk.client(), kiosk_id=kiosk.kiosk_id, log_folder=worker.log_folder)
    again.register("print_test_page", lambda args: calls.append(args) or "printed")
    assert again.run_command({"id": command, "kind": "print_test_page", "args": {}}) is False
    assert len(calls) == 1


def test_out_of_service_command_switches_and_is_reported(
    worker: ReportingWorker, outbox: Outbox, kiosk: Enrolled, backoffice: BackOffice
) -> None:
    seen: list[tuple[bool, str]] = []
    worker.on_out_of_service(lambda on, reason: seen.append((on, reason)))
    backoffice.command(kiosk.kiosk_id, "out_of_service", {"on": True, "reason": "maintenance"})
    worker.heartbeat()
    assert worker.out_of_service and seen == [(True, "maintenance")]
    worker.heartbeat()
    assert backoffice.kiosk(kiosk.kiosk_id)["out_of_service"] is True
    backoffice.command(kiosk.kiosk_id, "out_of_service", {"on": False})
    worker.heartbeat()
    assert not worker.out_of_service


def test_unknown_handler_and_bad_args_are_acked_not_fatal(worker: ReportingWorker, outbox: Outbox) -> None:
    assert worker.run_command({"id": "c1", "kind": "reload_catalog", "args": {}})
    assert outbox.command_outcome("c1") == "unsupported"
    assert worker.run_command({"id": "c2", "kind": "upload_logs", "args": {"since": "yesterday"}})
    assert outbox.command_outcome("c2") == "invalid"
    assert outbox.unacked_commands() == ["c1", "c2"]


def test_upload_logs_command_sends_the_range_to_the_back_office(
    tmp_path: Path, worker: ReportingWorker, outbox: Outbox, kiosk: Enrolled, backoffice: BackOffice
) -> None:
    handler = logs.setup(tmp_path / "logs", kiosk_id=kiosk.kiosk_id)
    try:
        log = logging.getLogger("kiosk.test_upload")
        since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        for n in range(20):
            logs.event(log, "test.line", n=n)
        time.sleep(0.01)
        # A range that has fully happened when the kiosk answers: coverage never reaches the future.
        until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=0.2)
        time.sleep(0.3)
        command = backoffice.command(
            kiosk.kiosk_id, "upload_logs", {"since": since.isoformat(), "until": until.isoformat()}
        )
        worker.heartbeat()
        assert outbox.command_outcome(command) == "1 batches"
        assert outbox.depth() == 1
        worker.drain()
        assert outbox.depth() == 0
        reply = backoffice.get(
            f"/kiosks/{kiosk.kiosk_id}/logs",
            params={"since": since.isoformat(), "until": until.isoformat()},
        )
        assert reply.status_code == 200
        lines = [json.loads(line) for line in reply.text.splitlines() if line]
        numbers = [line["n"] for line in lines if line.get("event") == "test.line"]
        assert numbers == list(range(20))
        assert all(line["kiosk"] == kiosk.kiosk_id for line in lines)
        assert reply.headers["X-Log-Coverage"] == "complete"
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()


def test_log_batches_tile_the_range(tmp_path: Path, worker: ReportingWorker, outbox: Outbox, monkeypatch) -> None:
    import kiosk.heartbeat as heartbeat

    monkeypatch.setattr(heartbeat, "LOG_BATCH_LINES", 7)
    folder = tmp_path / "logs"
    handler = logs.setup(folder)
    try:
        for n in range(20):
            logs.event(logging.getLogger("kiosk.tile"), "tile", n=n)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    now = time.time()
    assert worker.enqueue_logs(now - 60, now + 60) == 3
    batches = outbox.records()
    numbers = []
    for record in batches:
        numbers += [json.loads(line)["n"] for line in gzip.decompress(outbox.payload(record.id)).splitlines()]
    assert numbers == list(range(20))


def test_revoked_kiosk_heartbeat_raises_alarm_and_recovery_clears_it(
    worker: ReportingWorker, outbox: Outbox, kiosk: Enrolled, backoffice: BackOffice
) -> None:
    outbox.set_alarm("central.auth_failed", "stale clock")
    worker.heartbeat()  # signed and accepted: credentials work again
    assert outbox.alarm() == ""
    backoffice.revoke(kiosk.kiosk_id)
    with pytest.raises(CentralAuthFailed):
        worker.heartbeat()
    assert outbox.alarm() == "central.auth_failed"
    assert worker._devices()["outbox"] == {"state": "fault", "reason": "central.auth_failed"}


def test_worker_thread_beats_and_drains_on_wake(
    worker: ReportingWorker, outbox: Outbox, kiosk: Enrolled, backoffice: BackOffice
) -> None:
    worker.start()
    outbox.enqueue_events([{"at": "2025-01-01T00:00:00Z", "kind": "boot"}])
    worker.wake()
    deadline = time.monotonic() + 20
    while (outbox.depth() or worker.last_heartbeat_at is None) and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.stop()
    assert outbox.depth() == 0
    assert backoffice.kiosk(kiosk.kiosk_id)["last_heartbeat"] is not None


def test_a_malformed_device_state_is_reported_not_fatal(
    tmp_path: Path, outbox: Outbox, kiosk: Enrolled, backoffice: BackOffice
) -> None:
    states = {"printer": {"state": "on fire", "reason": "x"}, "idcard": {"state": "ok", "reason": ""}}
    worker = ReportingWorker(outbox, kiosk.client(), kiosk_id=kiosk.kiosk_id,
                             log_folder=tmp_path / "logs", device_states=lambda: states)
    worker.heartbeat()
    seen = backoffice.kiosk(kiosk.kiosk_id)["devices"]
    assert seen["printer"] == {"state": "fault", "reason": "heartbeat.bad_device_state"}
    assert seen["idcard"]["state"] == "ok"


def test_a_failing_beat_keeps_its_schedule_and_still_drains(
    tmp_path: Path, outbox: Outbox, kiosk: Enrolled
) -> None:
    clock = [1000.0]

    def broken_payload() -> dict[str, str]:
        raise RuntimeError("bug in a caller")

    worker = ReportingWorker(outbox, kiosk.client(), kiosk_id=kiosk.kiosk_id,
                             log_folder=tmp_path / "logs", heartbeat_seconds=60,
                             monotonic=lambda: clock[0])
    worker.heartbeat_payload = broken_payload  # type: ignore[method-assign]
    outbox.enqueue_events([{"at": "2025-01-01T00:00:00Z", "kind": "boot"}])
    next_beat = worker.step(0.0)
    assert next_beat == 1060.0  # not retried at once (which spun the loop and flooded the log)
    assert "RuntimeError" in worker.last_error
    assert outbox.depth() == 0  # the drain still ran
