"""The preview worker: frames and detections by callback, steadiness, reconnection, clean stop."""

from __future__ import annotations

import threading

import numpy as np

from devices.camera import DocumentCamera
from devices.camera.preview import PreviewFrame
from devices.status import DeviceState, DeviceStatus

WAIT = 10.0


class Collector:
    """Gathers callbacks and lets a test wait for a condition on them (no sleeps)."""

    def __init__(self) -> None:
        self.frames: list[PreviewFrame] = []
        self.statuses: list[DeviceStatus] = []
        self._changed = threading.Condition()

    def frame(self, result: PreviewFrame) -> None:
        with self._changed:
            self.frames.append(result)
            self._changed.notify_all()

    def status(self, status: DeviceStatus) -> None:
        with self._changed:
            self.statuses.append(status)
            self._changed.notify_all()

    def wait_for(self, predicate, timeout: float = WAIT) -> bool:  # type: ignore[no-untyped-def]
        with self._changed:
            return self._changed.wait_for(predicate, timeout)


def test_worker_delivers_frames_becomes_ready_and_stops_cleanly() -> None:
    got = Collector()
    camera = DocumentCamera("sim://camera?doc=lease&rotate=4", on_status=got.status)
    camera.open()
    worker = camera.start_preview(got.frame, fps=60)
    assert got.wait_for(lambda: any(f.ready_to_capture for f in got.frames))
    ready = next(f for f in got.frames if f.ready_to_capture)
    assert ready.frame.shape == (1080, 1920, 3) and ready.detection is not None
    assert [f.index for f in got.frames] == sorted(f.index for f in got.frames)
    assert camera.stop_preview() and not worker.running
    count = len(got.frames)
    assert not got.wait_for(lambda: len(got.frames) > count, timeout=0.3)  # nothing after the stop
    camera.close()


def test_moving_page_is_not_steady_and_a_failing_callback_does_not_kill_the_worker() -> None:
    got = Collector()
    camera = DocumentCamera("sim://camera?doc=lease")
    camera.open()
    sim = camera.source.sim  # type: ignore[attr-defined]

    def callback(result: PreviewFrame) -> None:
        got.frame(result)
        sim.move(dx=0.01 if result.index % 2 else -0.01)
        raise RuntimeError("a UI bug")

    camera.start_preview(callback, fps=60)
    assert got.wait_for(lambda: len(got.frames) >= 12)
    assert camera.stop_preview()
    assert all(f.steadiness < 1.0 for f in got.frames)
    assert all(not f.ready_to_capture for f in got.frames)


def test_unplugged_camera_goes_absent_and_comes_back() -> None:
    got = Collector()
    camera = DocumentCamera("sim://camera?doc=lease", on_status=got.status)
    camera.open()
    sim = camera.source.sim  # type: ignore[attr-defined]
    camera.start_preview(got.frame, fps=60, reconnect_interval=0.05)
    assert got.wait_for(lambda: len(got.frames) >= 2)
    sim.unplug()
    assert got.wait_for(lambda: got.statuses[-1].state is DeviceState.ABSENT)
    # The first absent status says why; the worker's reconnect attempts may follow at once.
    absent = next(s for s in got.statuses if s.state is DeviceState.ABSENT)
    assert absent.reason == "camera.state.disconnected"
    seen = len(got.frames)
    sim.plug()
    assert got.wait_for(lambda: got.statuses[-1].state is DeviceState.OK and len(got.frames) > seen)
    assert camera.stop_preview()
    camera.close()
    assert camera.status.reason == "camera.state.closed"


def test_an_unexpected_analysis_error_is_a_fault_the_worker_recovers_from() -> None:
    got = Collector()
    camera = DocumentCamera("sim://camera?doc=lease", on_status=got.status)
    camera.open()
    real = camera.preview_once
    failures = [1]

    def flaky() -> PreviewFrame:
        if failures:
            failures.pop()
            raise ValueError("cv2 could not handle this frame")  # stands in for a library bug
        return real()

    camera.preview_once = flaky  # type: ignore[method-assign]
    worker = camera.start_preview(got.frame, fps=60, reconnect_interval=0.05)
    assert got.wait_for(lambda: len(got.frames) >= 2)  # the worker lived on
    assert any(s.state is DeviceState.FAULT for s in got.statuses)
    assert camera.status.usable and worker.running
    camera.close()


def test_display_image_is_rgba_top_row_first_at_the_asked_width() -> None:
    from devices.camera.preview import display_image

    frame = np.zeros((108, 192, 3), np.uint8)
    frame[:54] = (255, 0, 0)  # BGR blue on the top half
    shown = display_image(frame, 96)
    assert shown.shape == (54, 96, 4) and shown.flags["C_CONTIGUOUS"]
    assert tuple(shown[0, 0]) == (0, 0, 255, 255) and tuple(shown[-1, 0]) == (0, 0, 0, 255)
    assert display_image(frame, 4000).shape == (108, 192, 4)  # never scaled up


def test_worker_prepares_display_frames_and_follows_a_new_width() -> None:
    got = Collector()
    camera = DocumentCamera("sim://camera?doc=lease")
    camera.open()
    camera.start_preview(got.frame, fps=60, display_width=480)
    assert got.wait_for(lambda: any(f.display is not None for f in got.frames))
    first = next(f for f in got.frames if f.display is not None)
    assert first.display.shape == (270, 480, 4)
    camera.set_preview_display_width(320)
    assert got.wait_for(lambda: got.frames[-1].display is not None and got.frames[-1].display.shape[1] == 320)
    assert camera.stop_preview()
    camera.close()
