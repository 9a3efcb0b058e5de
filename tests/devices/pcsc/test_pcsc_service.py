"""pcscd going away and coming back: states and monitor events, never a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest

from devices.pcsc.errors import PcscServiceUnavailable
from devices.pcsc.monitor import EventKind, ReaderMonitor
from devices.pcsc.reader import list_readers
from devices.pcsc.sscard import open_sscard_reader
from devices.pcsc.testbed import Testbed
from devices.pcsc.virtual_card import VirtualSscard

pytestmark = pytest.mark.pcscd


def test_pcscd_stopped_means_absent_and_recovers(
    testbed: Testbed, make_card: Callable[..., VirtualSscard], events
) -> None:
    if not testbed.owned:
        pytest.skip("pcscd was already running and is not ours to stop")
    reader = open_sscard_reader(testbed.url)
    with ReaderMonitor(events, poll_s=0.1, retry_s=0.1):
        events.expect(EventKind.READER_ADDED, testbed.reader)
        testbed.insert(make_card())
        events.expect(EventKind.CARD_INSERTED, testbed.reader)

        testbed.stop_pcscd()
        lost = events.expect(EventKind.SERVICE_LOST)
        assert lost.reason == "pcsc.no_service"
        kinds = [e.kind for e in events.seen]
        assert kinds.index(EventKind.CARD_REMOVED) < kinds.index(EventKind.SERVICE_LOST)
        health = reader.health()
        assert (health.state, health.reason) == ("absent", "pcsc.no_service")
        with pytest.raises(PcscServiceUnavailable):
            reader.read()
        with pytest.raises(PcscServiceUnavailable):
            list_readers()

        testbed.start()
        events.expect(EventKind.SERVICE_BACK)
        events.expect(EventKind.READER_ADDED, testbed.reader)
    assert reader.health().reason == "pcsc.no_card"


def test_cli_without_pcscd_fails_cleanly(tmp_path) -> None:
    # libpcsclite honours PCSCLITE_CSOCK_NAME: point it at a socket nobody serves.
    env = {**os.environ, "PCSCLITE_CSOCK_NAME": str(tmp_path / "no-pcscd.comm")}
    done = subprocess.run(
        [sys.executable, "-m", "provisioning.cli", "sscard", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))),
    )
    assert done.returncode == 10, done.stderr
    assert "pcscd" in done.stderr and "not running" in done.stderr
    assert "Traceback" not in done.stderr


def test_monitor_survives_an_unexpected_error(monkeypatch: pytest.MonkeyPatch, events) -> None:
    """A bug below the monitor (here: the first context raises RuntimeError) is logged and retried."""
    import devices.pcsc.monitor as monitor

    calls = [0]

    class FlakyContext:
        def __init__(self) -> None:
            calls[0] += 1
            if calls[0] == 1:
                raise RuntimeError("pyscard bug")
            raise PcscServiceUnavailable("no pcscd here")  # what the second try finds

    monkeypatch.setattr(monitor, "PcscContext", FlakyContext)
    with ReaderMonitor(events, poll_s=0.05, retry_s=0.05) as watcher:
        events.expect(EventKind.SERVICE_LOST)
        assert watcher._thread is not None and watcher._thread.is_alive()
    assert calls[0] >= 2
