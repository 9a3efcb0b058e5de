"""A simulated kiosk for scripts and benchmarks: embedded centre, every device simulated, the
real app on an offscreen window, put together exactly as ``kiosk run --sim`` and the UI tests do.

    with simulated_kiosk((1920, 1080)) as (driver, central):
        Explorer(driver).walk(journey)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def quiet_offscreen_env() -> None:
    """Kivy settings for a run without a display; call before anything imports Kivy."""
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    if not os.environ.get("KIOSK_KIVY_LOG"):  # KIOSK_KIVY_LOG=1 shows Kivy's own log on stderr
        os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kiosk-kivy-"))


@contextlib.contextmanager
def simulated_kiosk(size: tuple[int, int] = (1920, 1080), heartbeat_seconds: int = 5,
                    largest: tuple[int, int] | None = None) -> Iterator[tuple[Any, Any]]:
    """(driver, central) for a kiosk at the attract screen; everything is torn down afterwards.
    ``largest``: the biggest size the window will be resized to (an offscreen window cannot grow)."""
    quiet_offscreen_env()
    from screens import boot

    # what boot.covering works out, written here because the older trees bench_effort measures lack it
    window = (max(size[0], (largest or size)[0]), max(size[1], (largest or size)[1]))
    try:
        boot.prepare_window(window, paced=False)
    except TypeError:  # a baseline tree from before unpaced frames (bench_effort measures old trees)
        boot.prepare_window(window)
    from central.embedded import EmbeddedCentral
    from kiosk import logs
    from kiosk.catalog import load_catalog
    from kiosk.runtime import open_kiosk
    from screens.app import KioskApp
    from screens.driver import UiDriver
    try:
        from simulation.kiosk_state import prepare_state
    except ImportError:  # a baseline tree from before simulation/ (bench_effort measures old trees)
        from screens.commands.run import prepare_sim_state as prepare_state

    state = Path(tempfile.mkdtemp(prefix="kiosk-sim-state-"))
    central = EmbeddedCentral(heartbeat_seconds=heartbeat_seconds).start()
    app = None
    try:
        (state / "receipts").mkdir()
        config = prepare_state(state, central, state / "receipts")
        config.devices.camera = "sim://camera?preview=960x540&capture=1080p"
        config.devices.sscard = ""  # pcscd is shared by the whole machine; not for scripts
        logs.setup(state / "logs", kiosk_id=config.kiosk_id)
        app = KioskApp(open_kiosk(config, state, catalog=load_catalog()), sim=True)
        driver = UiDriver.launch(app, size)
        driver.wait(lambda: app.current == "attract", what="the attract screen")
        yield driver, central
    except BaseException:
        traceback.print_exc()  # Kivy's excepthook only logs, and scripts keep its log quiet
        raise
    finally:
        if app is not None:
            app.stop()
        central.stop()
        shutil.rmtree(state, ignore_errors=True)
