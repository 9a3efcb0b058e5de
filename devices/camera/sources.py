"""Where frames come from, chosen by URL: a V4L2/UVC camera, still images, or the simulator.

``camera://0`` (device index), ``camera:///dev/video0`` (device path), ``http://``/``rtsp://``
(an IP camera stream, opened by OpenCV) and ``file:///x.jpg`` or ``file:///folder/`` (still
images; a folder advances one image per capture, so a multi-page material can be fed from it),
registered in :mod:`devices.registry`. ``sim://camera?...`` is registered by
:mod:`devices.camera.simulator` when the simulators are loaded.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from devices import registry
from devices.camera.errors import CameraAbsent, CameraFault, CameraUrlError
from devices.status import DeviceKind

PREVIEW_WIDTH = 1920
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
_FAILED_READS_BEFORE_ABSENT = 5


class FrameSource(Protocol):
    url: str

    def open(self) -> None: ...
    def close(self) -> None: ...
    def resolution(self) -> tuple[int, int]: ...
    def read_preview(self) -> np.ndarray: ...
    def read_full(self) -> np.ndarray: ...


def _downscale(frame: np.ndarray, width: int) -> np.ndarray:
    h, w = frame.shape[:2]
    if w <= width:
        return frame
    return cv2.resize(frame, (width, round(h * width / w)), interpolation=cv2.INTER_LINEAR)


class VideoSource:
    """A camera through ``cv2.VideoCapture``, asked for its largest resolution."""

    def __init__(self, url: str, target: int | str, preview_width: int = PREVIEW_WIDTH) -> None:
        self.url = url
        self._target = target
        self._preview_width = preview_width
        self._capture: cv2.VideoCapture | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        self.close()
        # OpenCV prints its own warnings for a missing device; our error says it in plain words.
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
        if isinstance(self._target, int):
            capture = cv2.VideoCapture(self._target, cv2.CAP_V4L2)
        else:
            capture = cv2.VideoCapture(self._target)
        if not capture.isOpened():
            raise CameraAbsent(f"cannot open camera {self.url}")
        # Asking for a huge size makes V4L2 pick the largest the camera offers; MJPEG keeps
        # the USB bandwidth for it (raw YUYV at 8 MP would crawl).
        capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, 10000)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, 10000)
        self._capture = capture

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def resolution(self) -> tuple[int, int]:
        if self._capture is None:
            raise CameraAbsent(f"camera {self.url} is not open")
        return int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT))

    def read_full(self) -> np.ndarray:
        with self._lock:
            if self._capture is None:
                raise CameraAbsent(f"camera {self.url} is not open")
            for _ in range(_FAILED_READS_BEFORE_ABSENT):
                ok, frame = self._capture.read()
                if ok and frame is not None and frame.size:
                    return frame
        raise CameraAbsent(f"camera {self.url} stopped delivering frames")

    def read_preview(self) -> np.ndarray:
        return _downscale(self.read_full(), self._preview_width)


class ImageSource:
    """Still images: one file, or the sorted images of a folder taken one per capture."""

    def __init__(self, url: str, path: Path, preview_width: int = PREVIEW_WIDTH) -> None:
        self.url = url
        self._path = path
        self._preview_width = preview_width
        self._files: list[Path] = []
        self._index = 0
        self._current: np.ndarray | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        if self._path.is_dir():
            files = sorted(p for p in self._path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not files:
                raise CameraAbsent(f"no images in {self._path}")
        elif self._path.is_file():
            files = [self._path]
        else:
            raise CameraAbsent(f"{self._path} does not exist")
        self._files, self._index, self._current = files, 0, None
        self._load()

    def _load(self) -> np.ndarray:
        path = self._files[self._index]
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise CameraFault(f"{path} is not a readable image", key="camera.unreadable_image")
        self._current = image
        return image

    def close(self) -> None:
        self._current = None

    def resolution(self) -> tuple[int, int]:
        if self._current is None:
            raise CameraAbsent(f"{self.url} is not open")
        return self._current.shape[1], self._current.shape[0]

    def read_preview(self) -> np.ndarray:
        with self._lock:
            if self._current is None:
                raise CameraAbsent(f"{self.url} is not open")
            return _downscale(self._current, self._preview_width)

    def read_full(self) -> np.ndarray:
        """The current image; the next capture gets the folder's next image."""
        with self._lock:
            if self._current is None:
                raise CameraAbsent(f"{self.url} is not open")
            frame = self._current
            if len(self._files) > 1:
                self._index = (self._index + 1) % len(self._files)
                self._load()
            return frame


def _camera(url: registry.DeviceUrl, *, preview_width: int) -> FrameSource:
    if url.target.isdigit():
        return VideoSource(url.text, int(url.target), preview_width)
    if url.target.startswith("/dev/"):
        return VideoSource(url.text, url.target, preview_width)
    raise CameraUrlError(f"use camera://N or camera:///dev/videoN, not {url.text!r}")


def _file(url: registry.DeviceUrl, *, preview_width: int) -> FrameSource:
    if not url.target:
        raise CameraUrlError(f"file URL without a path: {url.text!r}")
    return ImageSource(url.text, Path(url.target), preview_width)


def _stream(url: registry.DeviceUrl, *, preview_width: int) -> FrameSource:
    return VideoSource(url.text, url.text, preview_width)


registry.register_url_error(DeviceKind.CAMERA, CameraUrlError)
registry.register(DeviceKind.CAMERA, ["camera"], _camera)
registry.register(DeviceKind.CAMERA, ["file"], _file)
registry.register(DeviceKind.CAMERA, ["http", "https", "rtsp"], _stream)


def open_source(url: str, preview_width: int = PREVIEW_WIDTH) -> FrameSource:
    """A source for ``url``, not yet opened (call ``open()``)."""
    source: FrameSource = registry.open_device(DeviceKind.CAMERA, url, preview_width=preview_width)
    return source
