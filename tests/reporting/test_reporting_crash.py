"""A kiosk process killed with SIGKILL while sending loses nothing and duplicates nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from reporting_helpers import Enrolled, server_submissions

from central.embedded import EmbeddedCentral
from kiosk import config as kiosk_config
from kiosk.outbox import OUTBOX_NAME

CHILD = Path(__file__).with_name("outbox_child.py")
PROJECT = Path(__file__).resolve().parents[2]
COUNT = 30


def _child(folder: Path, *mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(folder), str(COUNT), *mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=PROJECT,
    )


def test_sigkill_mid_drain_then_restart_delivers_every_record_exactly_once(
    tmp_path: Path, kiosk: Enrolled, central: EmbeddedCentral
) -> None:
    config = kiosk_config.Config(kiosk_id=kiosk.kiosk_id)
    config.central.url = kiosk.url
    kiosk_config.save(config, tmp_path)
    kiosk_config.save_secret(kiosk.secret, tmp_path)

    first = _child(tmp_path)
    assert first.stdout is not None
    enqueued: list[str] = []
    sent = 0
    for line in first.stdout:
        word, *rest = line.split()
        if word == "enqueued":
            enqueued.append(rest[0])
        elif word == "sent":
            sent += 1
            if sent == COUNT // 3:
                os.kill(first.pid, signal.SIGKILL)
                break
    first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL
    assert len(enqueued) == COUNT
    partial = server_submissions(central, kiosk.kiosk_id)
    assert COUNT // 3 <= len(partial) < COUNT

    second = _child(tmp_path)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, out + err
    assert "enqueued" not in out  # the restart only drains
    stored = server_submissions(central, kiosk.kiosk_id)
    assert sorted(i for i, _ in stored) == sorted(enqueued)
    assert len(stored) == len(set(i for i, _ in stored)) == COUNT
    references = sorted(r for _, r in stored)
    assert references == [f"CRASH-{n:04d}" for n in range(COUNT)]


def test_sigkill_mid_batch_then_restart_delivers_every_record_exactly_once(
    tmp_path: Path, kiosk: Enrolled, central: EmbeddedCentral
) -> None:
    """Killed after the centre stored a batch and before the kiosk deleted it: the restart
    sends those records again under the same keys and the centre stores each once."""
    config = kiosk_config.Config(kiosk_id=kiosk.kiosk_id)
    config.central.url = kiosk.url
    kiosk_config.save(config, tmp_path)
    kiosk_config.save_secret(kiosk.secret, tmp_path)

    first = _child(tmp_path, "batch")
    assert first.stdout is not None
    enqueued: list[str] = []
    batches = 0
    for line in first.stdout:
        word, *rest = line.split()
        if word == "enqueued":
            enqueued.append(rest[0])
        elif word == "stored":
            assert int(rest[0]) == 8
            batches += 1
            if batches == 2:  # the second batch is stored at the centre, not deleted here
                os.kill(first.pid, signal.SIGKILL)
                break
    first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL
    assert len(enqueued) == COUNT
    assert len(server_submissions(central, kiosk.kiosk_id)) == 16
    still_queued = _queued(tmp_path)
    assert len(still_queued) == COUNT - 8  # the first batch deleted, the second not

    second = _child(tmp_path, "batch")
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, out + err
    assert "enqueued" not in out
    stored = server_submissions(central, kiosk.kiosk_id)
    assert sorted(i for i, _ in stored) == sorted(enqueued)
    assert len(stored) == len({i for i, _ in stored}) == COUNT
    assert _queued(tmp_path) == []


def _queued(folder: Path) -> list[str]:
    with sqlite3.connect(folder / OUTBOX_NAME) as db:
        return [row[0] for row in db.execute("SELECT id FROM records")]
