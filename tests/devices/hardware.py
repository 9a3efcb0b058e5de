"""Run the device tests on real hardware when its URL is given, on the simulator otherwise.

A technician on a kiosk sets one of these and runs ``pytest -m hardware_ok tests/devices``::

    KIOSK_TEST_IDCARD_URL   serial:///dev/ttyUSB0?baud=115200     the SAM ID-card reader
    KIOSK_TEST_PRINTER_URL  socket://192.0.2.10:9100, usb://…, serial://…   the receipt printer
    KIOSK_TEST_SSCARD_URL   pcsc://<reader name>                  the social security card reader

Each area's conftest builds its device fixture with :func:`device_fixture`: the fixture yields a
:class:`DeviceUnderTest` for the URL in the environment, or for a simulator it starts itself.
Tests that need the simulator (scripted faults, known generated data, simulator-rendered text)
carry :func:`needs_simulator`, or use a simulator fixture that calls :func:`require_simulator`,
and are skipped while that device's variable is set. With no variable set nothing changes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]

ENV_VARS: dict[str, str] = {
    "idcard": "KIOSK_TEST_IDCARD_URL",
    "printer": "KIOSK_TEST_PRINTER_URL",
    "sscard": "KIOSK_TEST_SSCARD_URL",
}


def hardware_url(device: str) -> str | None:
    """The real device's URL from the environment, or None when the simulator is to be used."""
    url = os.environ.get(ENV_VARS[device], "").strip()
    return url or None


def simulator_skip_reason(device: str) -> str:
    return (
        f"needs the simulator ({ENV_VARS[device]} is set, so {device} tests run on real hardware;"
        " this one scripts faults or checks simulator data)"
    )


def needs_simulator(device: str) -> pytest.MarkDecorator:
    """Mark a test (or a module, as ``pytestmark``) that only makes sense on the simulator."""
    return pytest.mark.skipif(
        hardware_url(device) is not None, reason=simulator_skip_reason(device)
    )


def require_simulator(device: str) -> None:
    """Skip the calling test from inside a fixture that starts or scripts a simulator."""
    if hardware_url(device) is not None:
        pytest.skip(simulator_skip_reason(device))


@dataclass(frozen=True)
class DeviceUnderTest:
    """The URL the driver is given, and the simulator behind it (None on real hardware).

    Tests assert what holds on any device; where ``simulator`` is set they may also check what
    arrived there, which a real device cannot report.
    """

    url: str
    simulator: Any = None

    @property
    def on_hardware(self) -> bool:
        return self.simulator is None


StartSimulator = Callable[[pytest.FixtureRequest], AbstractContextManager[DeviceUnderTest]]


def device_fixture(
    device: str, start_simulator: StartSimulator, *, name: str, scope: str = "function"
) -> Any:
    """A fixture ``name`` yielding the device under test: the real one or a fresh simulator."""

    @pytest.fixture(name=name, scope=scope)  # type: ignore[call-overload]
    def fixture(request: pytest.FixtureRequest) -> Iterator[DeviceUnderTest]:
        url = hardware_url(device)
        if url is not None:
            yield DeviceUnderTest(url)
            return
        with start_simulator(request) as target:
            yield target

    return fixture


def hardware_header() -> list[str]:
    """Report-header lines naming the devices that tests run against instead of simulators."""
    lines = []
    for device, variable in ENV_VARS.items():
        url = hardware_url(device)
        if url is not None:
            lines.append(f"hardware: {device} tests use {variable}={url}")
    return lines


def run_pytest(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``python -m pytest ARGS`` in the project root with only the given KIOSK_TEST_* set.

    The API-testing plugins no device test uses stay unloaded: a second off each start.
    """
    clean = {k: v for k, v in os.environ.items() if k not in ENV_VARS.values()}
    plugins_off = ["-p", "no:cacheprovider", "-p", "no:schemathesis", "-p", "no:anyio"]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *plugins_off, "-rs", *args],
        cwd=PROJECT_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
