"""Loads every simulator's URL scheme (``sim://…``) into :mod:`devices.registry`.

Production modules never import the simulators; the simulation harness, the tests and the
benchmarks call :func:`register_all` (or set ``KIOSK_DEVICE_HANDLERS=devices.simulators``).
Each simulator module registers itself when imported, so this only imports them.
"""

from __future__ import annotations

import importlib

SIMULATOR_MODULES = (
    "devices.idcard.sam_simulator",  # sim://idcard: a SAM_V reader on a pty
    "devices.pcsc.testbed",  # sim://sscard: pcscd with a virtual 社保卡 reader
    "devices.printer.simulator",  # sim://printer: an ESC/POS printer on a TCP socket
    "devices.camera.simulator",  # sim://camera: generated document frames
)


def register_all() -> None:
    """Make ``sim://`` open the simulator of every device (idempotent)."""
    for name in SIMULATOR_MODULES:
        module = importlib.import_module(name)
        module.register()
