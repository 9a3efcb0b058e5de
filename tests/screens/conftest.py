"""One real Kivy app (offscreen window) for the whole session, with every device simulated.

Each test starts at the attract screen with a fresh visit and healthy simulators, and leaves the
app the same way, so the tests share one window (Kivy cannot open a second one in a process).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from screens.boot import prepare_window

TEST_SIZE = (1280, 720)
prepare_window(TEST_SIZE)

from kiosk.catalog import load_catalog  # noqa: E402  (after the window settings)
from kiosk.config import Config  # noqa: E402
from kiosk.facade import DeviceHub, Facade  # noqa: E402


@pytest.fixture(scope="session")
def kiosk_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from screens.app import KioskApp
    from screens.driver import UiDriver

    state = tmp_path_factory.mktemp("kiosk-state")
    config = Config(kiosk_id="test-kiosk")
    config.devices.idcard = "sim://idcard?card=none"
    config.devices.camera = "sim://camera?preview=960x540&capture=1080p"
    config.devices.printer = f"sim://printer?png_dir={state / 'receipts'}"
    (state / "receipts").mkdir()
    hub = DeviceHub(config, state_folder=state, secret=os.urandom(32))
    facade = Facade(config, load_catalog(), devices=hub)
    app = KioskApp(facade, sim=True)
    driver = UiDriver.launch(app, TEST_SIZE)
    driver.wait(lambda: app.current == "attract", what="the attract screen")
    yield driver
    app.stop()


@pytest.fixture
def ui(kiosk_app: object) -> Iterator[object]:
    """The driver, at the attract screen with healthy devices; restored afterwards."""
    driver = kiosk_app
    reset(driver)
    yield driver
    reset(driver)


def reset(driver: object) -> None:
    app = driver.app
    hub = app.facade.devices
    hub.sim_remove_card()
    simulator = hub.reader.simulator
    if not simulator.plugged:
        simulator.replug()
    hub.printer.simulator.set(paper="ok", cover_open=False, offline=False)
    app.facade.centre_out_of_service = False
    app.facade._pin_failures = 0
    app.end_visit("test")
    driver.wait(lambda: not hub.card_present(), timeout=20, what="the reader to see the card gone")
    driver.wait(lambda: app.facade.out_of_service_reason() is None, timeout=20, what="devices healthy")
    app._apply_service_state(None)
    driver.wait_screen("attract")


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go (``KIOSK_UI_SHOTS`` to keep them somewhere to look at)."""
    folder = os.environ.get("KIOSK_UI_SHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("ui-shots")
    path.mkdir(parents=True, exist_ok=True)
    return path
