"""One real Kivy app (offscreen window) for the whole session, with every device simulated.

The app is put together exactly as ``kiosk run --sim`` does it: an embedded central server, the
kiosk enrolled against it in a temporary state folder, the reporting worker sending to it.
Each test starts at the attract screen with a fresh visit and healthy simulators, and leaves the
app the same way, so the tests share one window (Kivy cannot open a second one in a process).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from screens.boot import prepare_window

TEST_SIZE = (1280, 720)
HEARTBEAT_SECONDS = 1  # the centre's commands arrive within a second or two
# Made big enough for every size the journey tests resize it to (an offscreen window cannot
# grow: past its first size it draws garbage), then set to TEST_SIZE by the driver.
prepare_window((1920, 1920), paced=False)

from kiosk import logs  # noqa: E402  (after the window settings)
from kiosk.catalog import load_catalog  # noqa: E402
from kiosk.runtime import open_kiosk  # noqa: E402
from simulation.kiosk_state import prepare_state  # noqa: E402


@pytest.fixture(scope="session")
def central() -> Iterator[object]:
    from central.embedded import EmbeddedCentral

    with EmbeddedCentral(heartbeat_seconds=HEARTBEAT_SECONDS) as server:
        yield server


@pytest.fixture(scope="session")
def kiosk_app(tmp_path_factory: pytest.TempPathFactory, central: object) -> Iterator[object]:
    from screens.app import KioskApp
    from screens.driver import UiDriver

    state = tmp_path_factory.mktemp("kiosk-state")
    (state / "receipts").mkdir()
    config = prepare_state(state, central, state / "receipts")
    config.devices.camera = "sim://camera?preview=960x540&capture=1080p"
    config.devices.sscard = ""  # the social security card test opens it itself (needs pcscd)
    logs.setup(state / "logs", kiosk_id=config.kiosk_id)
    app = KioskApp(open_kiosk(config, state, catalog=load_catalog()), sim=True)
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
    hub = app.kiosk.devices
    hub.sim_remove_card()
    simulator = hub.reader.simulator
    if not simulator.plugged:
        simulator.replug()
    hub.printer.simulator.set(paper="ok", cover_open=False, offline=False)
    worker = app.kiosk.reporting.worker
    if worker is not None and worker.out_of_service:
        worker.set_out_of_service(False)
    app.kiosk.maintenance.centre_out_of_service = False
    app.kiosk.maintenance.reset_pin_tries()
    app.end_visit("test")
    driver.wait(lambda: not hub.card_present(), timeout=20, what="the reader to see the card gone")
    driver.wait(lambda: app.kiosk.maintenance.out_of_service_reason() is None, timeout=20, what="devices healthy")
    app._apply_service_state(None)
    driver.wait_screen("attract")


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go (``KIOSK_UI_SHOTS`` to keep them somewhere to look at)."""
    folder = os.environ.get("KIOSK_UI_SHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("ui-shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def explorer(ui: Any) -> Iterator[Any]:
    """The journey explorer on the session's kiosk; the window is put back to the tests' size."""
    from screens.journeys.explorer import Explorer

    explorer = Explorer(ui)
    yield explorer
    explorer.resize(TEST_SIZE)
