"""Fixtures for the printer tests: a TCP simulator on 127.0.0.1 and a driver connected to it,
or the real printer named by ``KIOSK_TEST_PRINTER_URL`` for the ``hardware_ok`` tests.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hardware import DeviceUnderTest, device_fixture, require_simulator

# pytest's "prepend" import mode puts tests/ on sys.path, where tests/devices/ would be taken for
# the namespace package ``devices``; the project root on sys.path makes the real package win.
_ROOT = str(Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.append(_ROOT)

from devices.printer.driver import ReceiptPrinter  # noqa: E402
from devices.printer.simulator import PrinterSimulator  # noqa: E402


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[PrinterSimulator]:
    require_simulator("printer")
    simulator = PrinterSimulator("58", png_dir=tmp_path).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def printer(sim: PrinterSimulator) -> Iterator[ReceiptPrinter]:
    with ReceiptPrinter(sim.url + "&timeout=1") as p:
        yield p


@contextmanager
def _simulated_printer(request: pytest.FixtureRequest) -> Iterator[DeviceUnderTest]:
    simulator = PrinterSimulator("58").start()
    try:
        yield DeviceUnderTest(simulator.url, simulator)  # socket://127.0.0.1:<port>?width=58
    finally:
        simulator.stop()


printer_device = device_fixture("printer", _simulated_printer, name="printer_device")


@pytest.fixture
def printer_under_test(printer_device: DeviceUnderTest) -> Iterator[ReceiptPrinter]:
    with ReceiptPrinter(printer_device.url) as p:
        yield p
