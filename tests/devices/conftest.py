"""Shared by every device test area: the ``hardware_ok`` marker and the hardware report header.

The marker is registered here because pyproject.toml is not ours to edit; pytest runs a
conftest's ``pytest_configure`` as soon as it loads it, before any test module is collected.
"""

from __future__ import annotations

import pytest
from hardware import ENV_VARS, hardware_header


def pytest_configure(config: pytest.Config) -> None:
    variables = ", ".join(ENV_VARS.values())
    config.addinivalue_line(
        "markers",
        "hardware_ok: runs against a real device when its URL is set "
        f"({variables}), else against the simulator; `pytest -m hardware_ok` on a kiosk",
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    return hardware_header()
