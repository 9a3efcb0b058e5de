"""The live preview: a worker thread that reads preview frames, finds the page and judges it,
and hands each result to a callback (the UI re-posts it to its own thread). Starting and
stopping never block the caller beyond a bounded join.

Given a display width, the worker also prepares each frame as the screen will show it (scaled,
RGBA): that costs ~0.6 ms here instead of on the UI thread, and RGBA is the layout GL drivers
copy without converting (Mesa's llvmpipe converts BGR/RGB pixel by pixel while the UI waits)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import cv2
import numpy as np

from devices.camera.detect import Detection
from devices.camera.errors import CameraError
from devices.camera.quality import QualityReport

if TYPE_CHECKING:
    from devices.camera.camera import DocumentCamera

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreviewFrame:
    """One preview result; corners are in the preview frame's pixels."""

    index: int
    frame: np.ndarray
    detection: Detection | None
    quality: QualityReport
    steadiness: float
    display: np.ndarray | None = None  # RGBA, top row first, when the worker was given a display width

    @property
    def ready_to_capture(self) -> bool:
        """The page is found, good enough and has held still: the UI may auto-capture."""
        return self.quality.ok and self.steadiness >= 1.0


PreviewCallback = Callable[[PreviewFrame], None]


def display_image(frame: np.ndarray, width: int) -> np.ndarray:
    """``frame`` (BGR or grey) scaled to ``width`` pixels wide as contiguous RGBA rows, top row first."""
    h, w = frame.shape[:2]
    width = max(1, min(int(width), w))
    height = max(1, round(h * width / w))
    small = frame if width == w else cv2.resize(frame, (width, height), interpolation=cv2.INTER_LINEAR)
    code = cv2.COLOR_GRAY2RGBA if small.ndim == 2 else cv2.COLOR_BGR2RGBA
    return cv2.cvtColor(small, code)


class PreviewWorker:
    def __init__(self, camera: DocumentCamera, callback: PreviewCallback, fps: float = 15.0,
                 reconnect_interval: float = 2.0, display_width: int | None = None) -> None:
        self._camera = camera
        self._callback = callback
        self._period = 1.0 / fps if fps > 0 else 0.0
        self._reconnect_interval = reconnect_interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="camera-preview", daemon=True)
        self.frames = 0
        # Read once per frame by the worker; the UI may change it at any time (a plain int swap).
        self.display_width = display_width

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Ask the worker to end and wait up to ``timeout``; True when it has ended."""
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        due = time.monotonic()
        while not self._stop.is_set():
            if not self._camera.status.usable:
                if not self._camera.reconnect():
                    self._stop.wait(self._reconnect_interval)
                continue
            try:
                result = self._camera.preview_once()
            except CameraError as error:
                log.warning("camera preview read failed: %s", error.key)
                continue
            except Exception:  # e.g. cv2.error on a frame it cannot handle: say so, keep going
                log.exception("camera preview analysis failed")
                self._camera.mark_fault("camera.state.fault")
                self._stop.wait(self._reconnect_interval)
                continue
            width = self.display_width
            if width:
                result = replace(result, display=display_image(result.frame, width))
            self.frames += 1
            try:
                self._callback(result)
            except Exception:
                log.exception("camera preview callback failed")
            # Frames are due on a fixed grid, so the rate holds at ``fps`` instead of drifting
            # below it by the work time; after a stall the grid restarts rather than bursting.
            due += self._period
            now = time.monotonic()
            if due < now - self._period:
                due = now
            self._stop.wait(max(0.0, due - now))
