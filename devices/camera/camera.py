"""The document camera driver: open a source by URL, keep its health, preview and capture."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from devices.camera.capture import CapturedPage, PageKind
from devices.camera.detect import Detection, detect_in_work, work_image
from devices.camera.enhance import deskew, encode_jpeg, enhance_color, enhance_text, warp_page
from devices.camera.errors import CameraAbsent, CameraError, CameraFault, NoDocumentError
from devices.camera.preview import PreviewCallback, PreviewFrame, PreviewWorker
from devices.camera.quality import QualityReport, QualityThresholds, assess
from devices.camera.sources import PREVIEW_WIDTH, FrameSource, open_source
from devices.camera.steadiness import SteadinessTracker
from devices.status import DeviceKind, DeviceState, DeviceStatus

log = logging.getLogger(__name__)

# Below this a page's small print gets hard to read: the camera still works, but degraded.
MIN_CAPTURE_PIXELS = 5_000_000

StatusCallback = Callable[[DeviceStatus], None]


def camera_status(state: DeviceState, reason: str) -> DeviceStatus:
    return DeviceStatus(DeviceKind.CAMERA, state, reason)


STATUS_CLOSED = camera_status(DeviceState.ABSENT, "camera.state.closed")
STATUS_OK = camera_status(DeviceState.OK, "camera.state.ok")


class DocumentCamera:
    def __init__(self, url: str, *, thresholds: QualityThresholds | None = None,
                 on_status: StatusCallback | None = None, preview_width: int = PREVIEW_WIDTH) -> None:
        self.url = url
        self.source: FrameSource = open_source(url, preview_width)
        self.thresholds = thresholds or QualityThresholds()
        self._on_status = on_status
        self._status = STATUS_CLOSED
        self._status_lock = threading.Lock()
        self._steadiness = SteadinessTracker()
        self._preview_index = 0
        self._worker: PreviewWorker | None = None

    # health ----------------------------------------------------------------------------------
    @property
    def status(self) -> DeviceStatus:
        return self._status

    def _set_status(self, status: DeviceStatus) -> None:
        with self._status_lock:
            changed = status != self._status
            self._status = status
        if changed:
            log.info("camera %s: %s (%s)", self.url.split("?")[0], status.state.value, status.reason)
            if self._on_status is not None:
                try:
                    self._on_status(status)
                except Exception:
                    log.exception("camera status callback failed")

    def mark_fault(self, reason: str) -> None:
        """Report the camera unusable (the preview worker then tries to reconnect it)."""
        self._set_status(camera_status(DeviceState.FAULT, reason))

    def open(self) -> DeviceStatus:
        """Open the source; raises :class:`CameraAbsent`/:class:`CameraFault` (status set too)."""
        try:
            self.source.open()
            width, height = self.source.resolution()
        except CameraAbsent:
            self._set_status(camera_status(DeviceState.ABSENT, "camera.state.absent"))
            raise
        except CameraFault:
            self._set_status(camera_status(DeviceState.FAULT, "camera.state.fault"))
            raise
        if width * height < MIN_CAPTURE_PIXELS:
            self._set_status(camera_status(DeviceState.DEGRADED, "camera.state.low_resolution"))
        else:
            self._set_status(STATUS_OK)
        return self._status

    def reconnect(self) -> bool:
        """One attempt to bring back a camera that went away; True when it is usable again."""
        try:
            self.source.close()
            return self.open().usable
        except CameraError:
            return False

    def close(self) -> None:
        self.stop_preview()
        self.source.close()
        self._set_status(STATUS_CLOSED)

    def resolution(self) -> tuple[int, int]:
        return self.source.resolution()

    def _read(self, reader: Callable[[], object]) -> object:
        try:
            return reader()
        except CameraAbsent:
            self._set_status(camera_status(DeviceState.ABSENT, "camera.state.disconnected"))
            raise
        except CameraFault:
            self._set_status(camera_status(DeviceState.FAULT, "camera.state.fault"))
            raise

    # preview ---------------------------------------------------------------------------------
    def preview_once(self) -> PreviewFrame:
        """Read one preview frame, find the page, judge it and update the steadiness."""
        frame = self._read(self.source.read_preview)
        work = work_image(frame)  # type: ignore[arg-type]
        detection = detect_in_work(work)
        quality = assess(work, detection, self.thresholds)
        steadiness = self._steadiness.update(None if detection is None else detection.corners)
        self._preview_index += 1
        return PreviewFrame(self._preview_index, frame, detection, quality, steadiness)  # type: ignore[arg-type]

    def start_preview(self, callback: PreviewCallback, fps: float = 15.0,
                      reconnect_interval: float = 2.0, display_width: int | None = None) -> PreviewWorker:
        """Start the preview worker (stopping any earlier one); returns at once.

        With ``display_width`` each frame also carries ``display``: the frame scaled to that
        width as RGBA, ready to upload to a texture (see :func:`preview.display_image`)."""
        self.stop_preview()
        self._steadiness.reset()
        self._worker = PreviewWorker(self, callback, fps, reconnect_interval, display_width)
        self._worker.start()
        return self._worker

    def set_preview_display_width(self, width: int | None) -> None:
        """Change the width of the ``display`` images of a running preview (e.g. after a resize)."""
        worker = self._worker
        if worker is not None:
            worker.display_width = width

    def stop_preview(self, timeout: float = 2.0) -> bool:
        worker, self._worker = self._worker, None
        return worker.stop(timeout) if worker is not None else True

    # capture ---------------------------------------------------------------------------------
    def analyse_full(self) -> tuple[object, Detection | None, QualityReport]:
        frame = self._read(self.source.read_full)
        work = work_image(frame)  # type: ignore[arg-type]
        detection = detect_in_work(work)
        return frame, detection, assess(work, detection, self.thresholds)

    def capture_page(self, kind: PageKind | str = PageKind.TEXT) -> CapturedPage:
        """A full-resolution page: flattened, deskewed, enhanced for ``kind``, as JPEG bytes.

        Raises :class:`NoDocumentError` when no page is in view; any other quality problem
        is reported in the page's ``quality`` so the screen can offer a retake.
        """
        page_kind = PageKind.parse(kind)
        frame, detection, quality = self.analyse_full()
        if detection is None:
            raise NoDocumentError("no page found in the captured frame")
        flat = warp_page(frame, detection.corners)  # type: ignore[arg-type]
        flat, skew = deskew(flat)
        image = enhance_color(flat) if page_kind.keeps_colour else enhance_text(flat)
        return CapturedPage(encode_jpeg(image), image.shape[1], image.shape[0], page_kind, quality,
                            detection.method, skew)
