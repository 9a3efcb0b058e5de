"""sd_notify over a real AF_UNIX datagram socket, as systemd listens for it."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import watchdog


@pytest.fixture
def notify_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    monkeypatch.setenv("WATCHDOG_USEC", "2000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    monkeypatch.setattr(watchdog, "_last_ping", float("-inf"))
    yield sock
    sock.close()


def test_ready_and_rate_limited_pings(notify_socket: socket.socket) -> None:
    assert watchdog.ready("serving")
    assert notify_socket.recv(100) == b"READY=1\nSTATUS=serving"
    assert watchdog.interval_seconds() == 2.0
    assert watchdog.ping(now=100.0)
    assert not watchdog.ping(now=100.5)  # every frame may call it; half the interval apart
    assert watchdog.ping(now=101.0)
    assert [notify_socket.recv(100), notify_socket.recv(100)] == [b"WATCHDOG=1", b"WATCHDOG=1"]


def test_abstract_namespace_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"kiosk-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert watchdog.stopping()
        assert sock.recv(100) == b"STOPPING=1"


def test_outside_systemd_everything_is_a_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert not watchdog.ready()
    assert not watchdog.ping()


def test_watchdog_for_another_pid_is_ignored(notify_socket: socket.socket, monkeypatch) -> None:
    monkeypatch.setenv("WATCHDOG_PID", "1")
    assert watchdog.interval_seconds() is None
