"""Clock steps and outages against a real central server (issue 13, items 2 and 7).

The kiosk's wall clock is injected (outbox, client, worker); the worker's schedule runs on an
injected monotonic clock, as it does on ``time.monotonic`` in production.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from reporting_helpers import BackOffice, Enrolled, server_submissions

from kiosk.central_client import CentralClient
from kiosk.heartbeat import ReportingWorker
from kiosk.outbox import Outbox

HEARTBEAT = 60.0
DAY = 86_400.0


class Clocks:
    """A wall clock that a test can step, and a monotonic one that only moves forward."""

    def __init__(self) -> None:
        self.step = 0.0
        self.mono = 1_000.0

    def wall(self) -> float:
        return time.time() + self.step

    def monotonic(self) -> float:
        return self.mono


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def rig(tmp_path: Path, kiosk: Enrolled, clocks: Clocks) -> Iterator[tuple[Outbox, ReportingWorker]]:
    outbox = Outbox.in_state_dir(tmp_path, kiosk.secret, clock=clocks.wall)
    client = CentralClient(kiosk.url, kiosk.kiosk_id, kiosk.secret, timeout=5.0, clock=clocks.wall)
    worker = ReportingWorker(outbox, client, kiosk_id=kiosk.kiosk_id, log_folder=tmp_path / "logs",
                             heartbeat_seconds=HEARTBEAT, clock=clocks.wall, monotonic=clocks.monotonic)
    yield outbox, worker
    client.close()
    outbox.close()


def _submit(outbox: Outbox, n: int) -> str:
    return outbox.enqueue_submission(f"REF-CLOCK-{n}-{time.monotonic_ns()}", "new_enterprise", {"n": n})


def _one_heartbeat(worker: ReportingWorker, clocks: Clocks, next_beat: float) -> float:
    """Advance the monotonic clock by at most one interval, stepping the worker as it would."""
    for _ in range(int(HEARTBEAT / 5) + 1):
        next_beat = worker.step(next_beat)
        if worker.outbox.depth() == 0:
            break
        clocks.mono += 5.0
    return next_beat


def test_clock_stepped_back_a_day_keeps_sending_and_is_reported(
    rig: tuple[Outbox, ReportingWorker], clocks: Clocks, kiosk: Enrolled, backoffice: BackOffice
) -> None:
    outbox, worker = rig
    first = _submit(outbox, 1)  # queued before the step: its retry time is "tomorrow" after it
    next_beat = worker.step(clocks.monotonic())
    assert outbox.depth() == 0
    second = _submit(outbox, 2)
    outbox.enqueue_events([{"at": "2026-01-01T00:00:00Z", "kind": "boot"}])
    # Records queued just before the step, and a link backoff that was running.
    clocks.step = -DAY
    third = _submit(outbox, 3)
    next_beat = _one_heartbeat(worker, clocks, next_beat)
    assert outbox.depth() == 0, outbox.records()
    assert not outbox.alarm()
    stored = {row[0] for row in server_submissions(backoffice.central, kiosk.kiosk_id)}
    assert {first, second, third} <= stored
    clocks.mono = next_beat  # the next beat tells the back office about the clock
    worker.step(next_beat)
    assert worker.last_heartbeat_at is not None and worker.last_heartbeat_at < time.time() - DAY + 60
    seen = backoffice.kiosk(kiosk.kiosk_id)
    assert seen["devices"]["clock"]["state"] == "degraded"
    reason = seen["devices"]["clock"]["reason"]
    assert reason.startswith("clock.skew:+") and abs(float(reason[11:-1]) - DAY) < 5
    assert worker.heartbeat_payload()["clock_offset_seconds"] == pytest.approx(DAY, abs=5)


def test_clock_an_hour_ahead_then_fixed_resumes_within_one_heartbeat(
    rig: tuple[Outbox, ReportingWorker], clocks: Clocks, kiosk: Enrolled, backoffice: BackOffice
) -> None:
    outbox, worker = rig
    clocks.step = 3_600.0
    ahead = _submit(outbox, 1)
    next_beat = _one_heartbeat(worker, clocks, clocks.monotonic())
    assert outbox.depth() == 0 and not outbox.alarm()
    # What an older kiosk stored while ahead: a link retry time an hour in the future.
    with outbox._transaction() as db:
        outbox._set_meta(db, "link_failures", "1")
        outbox._set_meta(db, "link_next_at", repr(clocks.wall() + 15))
    clocks.step = 0.0  # someone fixed the clock
    fixed = _submit(outbox, 2)
    clocks.mono = next_beat  # the next heartbeat is due
    _one_heartbeat(worker, clocks, next_beat)
    assert outbox.depth() == 0, outbox.records()
    stored = {row[0] for row in server_submissions(backoffice.central, kiosk.kiosk_id)}
    assert {ahead, fixed} <= stored
    assert "clock" not in backoffice.kiosk(kiosk.kiosk_id)["devices"]


def test_stored_retry_times_never_exceed_the_policy(tmp_path: Path, kiosk: Enrolled) -> None:
    wall = [time.time()]
    outbox = Outbox.in_state_dir(tmp_path, kiosk.secret, clock=lambda: wall[0])
    try:
        record = _submit(outbox, 1)
        with outbox._transaction() as db:  # as if written by a clock a day ahead
            db.execute("UPDATE records SET next_attempt_at = ? WHERE id = ?", (wall[0] + DAY, record))
            outbox._set_meta(db, "link_failures", "2")
            outbox._set_meta(db, "link_next_at", repr(wall[0] + DAY))
        assert outbox.link_retry_at() <= wall[0] + outbox.backoff.longest(2)
        outbox.drain(kiosk.client(), max_records=0)  # only the clamping, nothing sent
        (info,) = outbox.records()
        assert info.next_attempt_at <= wall[0] + outbox.backoff.longest(info.attempts)
    finally:
        outbox.close()


def test_a_successful_heartbeat_ends_the_outage_backoff(
    rig: tuple[Outbox, ReportingWorker], clocks: Clocks, kiosk: Enrolled, dead_url: str
) -> None:
    outbox, worker = rig
    record = _submit(outbox, 1)
    dead = CentralClient(dead_url, kiosk.kiosk_id, kiosk.secret, timeout=1.0, clock=clocks.wall)
    for _ in range(6):  # a long outage: the backoff grows towards its cap
        clocks.step = max(clocks.step, outbox.link_retry_at() - time.time() + 0.1)
        outbox.drain(dead)
    dead.close()
    assert outbox.link_failures() == 6
    assert outbox.link_retry_at() > clocks.wall() + 100
    worker.step(clocks.monotonic())  # the link is back: one beat, then the drain
    assert outbox.link_failures() == 0
    assert outbox.depth() == 0, f"{record} still waits for the old backoff"
