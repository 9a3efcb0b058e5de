"""A full disk (a 2 MB tmpfs) must not stop delivery, and must stop new applications (issue 13, item 3)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hardening_helpers import fill_up, small_filesystem
from reporting_helpers import BackOffice, Enrolled, server_submissions

from kiosk import readiness
from kiosk.heartbeat import ReportingWorker
from kiosk.outbox import Material, Outbox, OutboxFull

RESERVE = 256 * 1024


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MB filesystem (tmpfs)."""
    with small_filesystem(tmp_path / "disk") as folder:
        yield folder


def _fill(outbox: Outbox) -> list[str]:
    """Queue submissions with a 40 KB material each until the disk refuses one."""
    queued = []
    while True:
        try:
            queued.append(outbox.enqueue_submission(
                f"REF-DISK-{uuid.uuid4().hex[:8]}", "new_enterprise", {"n": len(queued)},
                [Material("photo.jpg", os.urandom(40_000))],
            ))
        except OutboxFull:
            return queued
        assert len(queued) < 200, "the 2 MB disk never filled"


def test_full_disk_still_delivers_and_deletes(small_disk: Path, kiosk: Enrolled, backoffice: BackOffice) -> None:
    outbox = Outbox.in_state_dir(small_disk, kiosk.secret, reserve_bytes=RESERVE)
    try:
        assert outbox.reserve_path.stat().st_size == RESERVE
        queued = _fill(outbox)
        fill_up(small_disk)
        assert len(queued) >= 10
        assert readiness.service_problem(outbox, min_free_bytes=RESERVE) == readiness.DISK_LOW
        client = kiosk.client()
        report = outbox.drain(client)
        client.close()
        assert report.sent == len(queued), report
        assert outbox.depth() == 0
        stored = {row[0] for row in server_submissions(backoffice.central, kiosk.kiosk_id)}
        assert set(queued) <= stored
        # The WAL gave its room back; freeing the filler lets the reserve be taken again.
        assert Path(str(outbox.path) + "-wal").stat().st_size == 0
        (small_disk / "filler").unlink()
        assert outbox.keep_reserve()
    finally:
        outbox.close()


def test_without_the_reserve_a_full_disk_deadlocks(small_disk: Path, kiosk: Enrolled) -> None:
    """The finding itself: why the reserve is there (each drain resends the head, deletes nothing)."""
    outbox = Outbox.in_state_dir(small_disk, kiosk.secret, reserve_bytes=0)
    try:
        queued = _fill(outbox)
        fill_up(small_disk)
        client = kiosk.client()
        with pytest.raises(OutboxFull):
            outbox.drain(client)
        client.close()
        assert outbox.depth() == len(queued)
    finally:
        outbox.close()


def test_low_disk_puts_the_kiosk_out_of_service_and_is_reported(
    small_disk: Path, kiosk: Enrolled, backoffice: BackOffice
) -> None:
    outbox = Outbox.in_state_dir(small_disk, kiosk.secret, reserve_bytes=RESERVE)
    client = kiosk.client()
    switched: list[bool] = []
    worker = ReportingWorker(outbox, client, kiosk_id=kiosk.kiosk_id, log_folder=small_disk / "logs",
                             min_free_bytes=1024 * 1024)
    worker.on_out_of_service(lambda on, _reason: switched.append(on))
    try:
        assert readiness.service_problem(outbox, min_free_bytes=1024 * 1024) is None
        _fill(outbox)
        assert readiness.service_problem(outbox, min_free_bytes=1024 * 1024) == readiness.DISK_LOW
        worker.step(0.0)  # beats (reporting the disk), then delivers everything
        assert switched == [False]  # the app was told to look again; the centre's flag is unchanged
        seen = backoffice.kiosk(kiosk.kiosk_id)
        assert seen["devices"]["disk"] == {"state": "fault", "reason": "disk.low"}
        assert seen["out_of_service"] is True
        assert outbox.depth() == 0
        # Delivered and deleted: room again, so the next beat puts it back in service.
        assert readiness.service_problem(outbox, min_free_bytes=1024 * 1024) is None
        worker.heartbeat()
        assert backoffice.kiosk(kiosk.kiosk_id)["out_of_service"] is False
    finally:
        client.close()
        outbox.close()
