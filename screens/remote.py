"""The centre's commands that need the window: ``screenshot`` and ``restart``.

:func:`attach` registers both with the reporting worker (``kiosk/`` may not touch Kivy). The
worker runs a handler on its own thread; the part that reads the screen or stops the app runs on
Kivy's thread, and the handler waits for it. Both are refused while a citizen is using the
kiosk: outside the resting screens (attract, out of service, maintenance) the screen may show
personal data, and a restart would throw away their visit. The picture is read from the frame
just drawn (``on_flip``, before the buffers swap), sent as JPEG, and never written to disk.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window

UI_TIMEOUT_S = 10.0
RESTART_DELAY_S = 1.0  # time for the worker to report "restarting" before the app stops
JPEG_QUALITY = 80
REFUSED = "failed: command.visit_running"
UI_TIMEOUT = "failed: command.ui_timeout"


def window_image() -> Any:
    """The window's pixels as a PIL RGB image. Read as RGBA: GL pads RGB rows to 4 bytes, so
    widths like 1366 came out sheared."""
    from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels
    from PIL import Image

    width, height = (int(v) for v in Window.size)
    pixels = glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE)
    image = Image.frombytes("RGBA", (width, height), bytes(pixels))
    return image.transpose(Image.Transpose.FLIP_TOP_BOTTOM).convert("RGB")


def in_visit(app: Any) -> bool:
    """Whether a citizen is using the kiosk (then its screen is theirs)."""
    from screens.app import RESTING

    visit = app.kiosk.visit
    return bool(visit.visiting or visit.session is not None or app.current not in RESTING)


def _on_ui_thread(start: Callable[[Callable[[Any], None]], None]) -> tuple[bool, Any]:
    """Run ``start(answer)`` on Kivy's thread and wait until it calls ``answer(value)``."""
    done = threading.Event()
    box: list[Any] = []

    def answer(value: Any) -> None:
        box.append(value)
        done.set()

    def run(_dt: float) -> None:
        try:
            start(answer)
        except Exception as error:  # reported as the command's outcome, never lost
            answer(error)

    Clock.schedule_once(run, 0)
    if not done.wait(UI_TIMEOUT_S):
        return False, None
    if isinstance(box[0], Exception):
        raise box[0]
    return True, box[0]


def screenshot(app: Any, worker: Any) -> str:
    """The ``screenshot`` command: the screen as it is now, uploaded to the centre."""

    def capture(answer: Callable[[Any], None]) -> None:
        if in_visit(app):
            answer(None)
            return
        screen = app.current

        def grab(*_args: Any) -> None:
            Window.unbind(on_flip=grab)
            buffer = io.BytesIO()
            window_image().save(buffer, "JPEG", quality=JPEG_QUALITY)
            answer((buffer.getvalue(), screen))

        Window.bind(on_flip=grab)
        Window.canvas.ask_update()

    answered, shot = _on_ui_thread(capture)
    if not answered:
        return UI_TIMEOUT
    if shot is None:
        return REFUSED
    image, screen = shot
    return worker.upload_screenshot(image, screen)


def restart(app: Any, stop: Callable[[], None]) -> str:
    """The ``restart`` command: stop the app (the service manager starts it again)."""

    def check(answer: Callable[[Any], None]) -> None:
        if in_visit(app):
            answer(False)
            return
        Clock.schedule_once(lambda _dt: stop(), RESTART_DELAY_S)
        answer(True)

    answered, going = _on_ui_thread(check)
    if not answered:
        return UI_TIMEOUT
    return "restarting: the service manager starts the kiosk again" if going else REFUSED


def attach(app: Any, stop: Callable[[], None] | None = None) -> None:
    """Register both commands with the app's reporting worker (none: not enrolled, nothing)."""
    worker = app.kiosk.reporting.worker
    if worker is None:
        return
    worker.register("screenshot", lambda _args: screenshot(app, worker))
    worker.register("restart", lambda _args: restart(app, stop or app.stop))
