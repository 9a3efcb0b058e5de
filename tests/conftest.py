"""Settings every test needs before any library is imported."""

import os
import tempfile

# Kivy reads these at import time; tests that open a window do so offscreen, with no X server.
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", tempfile.gettempdir())
# sim:// device URLs open the simulators (devices.registry loads this module on first use).
os.environ.setdefault("KIOSK_DEVICE_HANDLERS", "devices.simulators")


# scripts/test runs pytest on every core (pytest-xdist, --dist loadgroup). Tests that share one
# machine-wide resource stay together on one worker: pcscd with the virtual reader listens on
# vpcd's fixed port, and `kiosk run --sim` starts it too; the journey walks share one Kivy window
# and their last test reads what every walk covered.
_GROUPS_BY_FILE = {
    "test_hardening_startup.py": "pcscd",
    "test_journeys.py": "journeys",
}


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    import pytest

    for item in items:
        group = _GROUPS_BY_FILE.get(item.path.name)
        if group is None and item.get_closest_marker("pcscd") is not None:
            group = "pcscd"
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
