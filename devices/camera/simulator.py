"""A simulated document camera: generated pages on a textured desk, selectable as ``sim://camera``.

The scene lives in sensor coordinates (the capture resolution). Preview frames are rendered at
the preview size (a centre crop when its aspect differs, like a real 16:9 mode on a 4:3 sensor);
the clean frame is cached per scene version and only noise is added per frame, which keeps
1080p preview well above 15 fps. Ground-truth page corners are available for any output size.

URL parameters (all optional): ``doc`` (lease, certificate, id_copy, none), ``seed``,
``rotate`` (degrees), ``tilt`` (keystone, 0–0.4), ``scale`` (page height / sensor height),
``x``/``y`` (page centre, 0–1 of the sensor), ``noise`` (grey levels), ``blur`` (sigma in
preview pixels), ``glare`` (0–1), ``light`` (exposure factor), ``clutter`` (0/1: objects
over the page edge), ``preview`` (WxH, default 1920x1080), ``capture`` (WxH or 8mp/13mp).

Importing this module registers ``sim://camera`` in :mod:`devices.registry` (production code
never imports it; :func:`devices.simulators.register_all` does).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

import cv2
import numpy as np

from devices import registry
from devices.camera.documents import DOCUMENT_KINDS, render_document
from devices.camera.errors import CameraAbsent, CameraUrlError
from devices.status import DeviceKind

RESOLUTIONS = {"1080p": (1920, 1080), "8mp": (3264, 2448), "13mp": (4208, 3120)}
_NOISE_BANK = 2
_UNIT_SIGMA = 10.0


@dataclass(frozen=True)
class SimScene:
    """Everything that decides what the simulated camera sees."""

    doc: str | None = "lease"
    seed: int = 0
    rotate: float = 0.0
    tilt: float = 0.0
    scale: float = 0.6
    x: float = 0.5
    y: float = 0.5
    noise: float = 3.0
    blur: float = 0.0
    glare: float = 0.0
    light: float = 1.0
    clutter: bool = False
    qr: str = ""  # what a "receipt" document's QR code says


@dataclass
class _Cache:
    version: int = -1
    size: tuple[int, int] = (0, 0)
    clean: np.ndarray | None = None
    noise: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)


def parse_size(text: str) -> tuple[int, int]:
    if text.lower() in RESOLUTIONS:
        return RESOLUTIONS[text.lower()]
    try:
        w, h = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise CameraUrlError(f"bad resolution {text!r}; use WxH, 1080p, 8mp or 13mp") from None
    if not (64 <= w <= 10000 and 64 <= h <= 10000):
        raise CameraUrlError(f"resolution {text!r} is out of range")
    return w, h


_FLOAT_FIELDS = ("rotate", "tilt", "scale", "x", "y", "noise", "blur", "glare", "light")


def scene_from_query(query: dict[str, list[str]]) -> SimScene:
    values: dict[str, Any] = {}
    try:
        for name in _FLOAT_FIELDS:
            if name in query:
                values[name] = float(query[name][-1])
        if "seed" in query:
            values["seed"] = int(query["seed"][-1])
        if "clutter" in query:
            values["clutter"] = query["clutter"][-1] not in ("0", "false", "no", "")
    except ValueError as error:
        raise CameraUrlError(f"bad simulator parameter: {error}") from None
    if "doc" in query:
        doc = query["doc"][-1]
        if doc in ("none", ""):
            values["doc"] = None
        elif doc in DOCUMENT_KINDS:
            values["doc"] = doc
        else:
            raise CameraUrlError(f"unknown doc {doc!r}; expected one of {', '.join(DOCUMENT_KINDS)}, none")
    return SimScene(**values)


def _desk(size: tuple[int, int], seed: int) -> np.ndarray:
    """A wood-grain desk texture, generated small and scaled up (cheap at any resolution)."""
    rng = np.random.default_rng(seed + 7919)
    small_w, small_h = 480, 360
    yy, xx = np.mgrid[0:small_h, 0:small_w].astype(np.float32)
    warp = cv2.resize(rng.normal(0, 1, (9, 12)).astype(np.float32), (small_w, small_h), interpolation=cv2.INTER_CUBIC)
    grain = np.sin(yy * 0.22 + warp * 6.0 + xx * 0.02) * 0.5 + 0.5
    fine = cv2.GaussianBlur(rng.normal(0, 1, (small_h, small_w)).astype(np.float32), (0, 0), 1.2)
    tone = 0.75 + 0.18 * grain + 0.05 * fine
    base = np.array([40, 75, 120], np.float32)  # BGR brown
    desk = np.clip(tone[..., None] * base[None, None, :] * 1.2, 0, 255).astype(np.uint8)
    return cv2.resize(desk, size, interpolation=cv2.INTER_LINEAR)


@lru_cache(maxsize=2)
def _unit_noise(shape: tuple[int, ...]) -> list[tuple[np.ndarray, np.ndarray]]:
    """A few fixed noise frames at ``_UNIT_SIGMA``, made once per process (cv2.randn costs
    ~50 ms per 1080p buffer) and scaled per scene. Each pair holds the positive and negative
    halves of a normal draw, so ``frame + pos - neg`` stays in uint8 arithmetic."""
    cv2.setRNGSeed(20240611)
    bank = []
    for _ in range(_NOISE_BANK):
        pos, neg = np.empty(shape, np.uint8), np.empty(shape, np.uint8)
        cv2.randn(pos, 0, _UNIT_SIGMA)  # negative draws saturate to 0: a half-normal
        cv2.randn(neg, 0, _UNIT_SIGMA)
        bank.append((pos, neg))
    return bank


def _scaled_noise(pair: tuple[np.ndarray, np.ndarray], sigma: float, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The pair scaled to ``sigma`` and tiled (or cropped) to ``shape``."""
    out = []
    for half in pair:
        scaled = cv2.convertScaleAbs(half, alpha=sigma / _UNIT_SIGMA)
        reps_y, reps_x = -(-shape[0] // half.shape[0]), -(-shape[1] // half.shape[1])
        if reps_y > 1 or reps_x > 1:
            scaled = cv2.repeat(scaled, reps_y, reps_x)
        out.append(scaled[: shape[0], : shape[1]])
    return out[0], out[1]


class SimCamera:
    """The simulated device. Thread-safe: the scene can be changed while frames are read."""

    def __init__(self, scene: SimScene | None = None, *, preview: tuple[int, int] = RESOLUTIONS["1080p"],
                 capture: tuple[int, int] = RESOLUTIONS["8mp"]) -> None:
        self.preview_size = preview
        self.capture_size = capture
        self._scene = scene or SimScene()
        self._version = 0
        self._lock = threading.Lock()
        self._preview_cache = _Cache()
        self._frame_counter = 0
        self.plugged = True

    @classmethod
    def from_url(cls, url: str) -> SimCamera:
        parts = urlsplit(url)
        if parts.scheme != "sim" or parts.netloc != "camera":
            raise CameraUrlError(f"not a simulated camera URL: {url!r}")
        query = parse_qs(parts.query, keep_blank_values=True)
        preview = parse_size(query.get("preview", ["1080p"])[-1])
        capture = parse_size(query.get("capture", ["8mp"])[-1])
        return cls(scene_from_query(query), preview=preview, capture=capture)

    # runtime control -------------------------------------------------------------------------
    @property
    def scene(self) -> SimScene:
        return self._scene

    def update(self, **changes: Any) -> SimScene:
        """Change the scene (``move``, ``set blur`` …): any :class:`SimScene` field."""
        with self._lock:
            self._scene = replace(self._scene, **changes)
            self._version += 1
            return self._scene

    def place_document(self, doc: str = "lease", **changes: Any) -> SimScene:
        return self.update(doc=doc, **changes)

    def remove_document(self) -> SimScene:
        return self.update(doc=None)

    def move(self, dx: float = 0.0, dy: float = 0.0, rotate: float = 0.0) -> SimScene:
        scene = self._scene
        return self.update(x=scene.x + dx, y=scene.y + dy, rotate=scene.rotate + rotate)

    def set_blur(self, sigma: float) -> SimScene:
        return self.update(blur=sigma)

    def unplug(self) -> None:
        self.plugged = False

    def plug(self) -> None:
        self.plugged = True

    # geometry --------------------------------------------------------------------------------
    def _page_corners_sensor(self, scene: SimScene) -> np.ndarray:
        """TL, TR, BR, BL of the page (in the page's own orientation) in sensor pixels."""
        sw, sh = self.capture_size
        doc = render_document(scene.doc or "lease", scene.seed, scene.qr)
        ph = scene.scale * sh
        pw = ph * doc.shape[1] / doc.shape[0]
        if pw > 0.95 * sw:  # a landscape page: fit by width instead
            pw = scene.scale * sw
            ph = pw * doc.shape[0] / doc.shape[1]
        k = scene.tilt / 2
        rect = np.array([[-pw / 2 * (1 - k), -ph / 2], [pw / 2 * (1 - k), -ph / 2],
                         [pw / 2 * (1 + k), ph / 2], [-pw / 2 * (1 + k), ph / 2]], np.float64)
        a = math.radians(scene.rotate)
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        return rect @ rot.T + np.array([scene.x * sw, scene.y * sh])

    def _sensor_to_output(self, size: tuple[int, int]) -> tuple[float, float, float]:
        """Scale and offsets mapping sensor pixels onto an output of ``size`` (centre crop)."""
        sw, sh = self.capture_size
        w, h = size
        s = max(w / sw, h / sh)
        return s, (w - sw * s) / 2, (h - sh * s) / 2

    def corners(self, size: tuple[int, int] | None = None) -> np.ndarray | None:
        """Ground-truth page corners (TL, TR, BR, BL) in pixels of an output of ``size``."""
        scene = self._scene
        if scene.doc is None:
            return None
        s, ox, oy = self._sensor_to_output(size or self.preview_size)
        return (self._page_corners_sensor(scene) * s + [ox, oy]).astype(np.float32)

    # rendering -------------------------------------------------------------------------------
    def _render_clean(self, scene: SimScene, size: tuple[int, int]) -> np.ndarray:
        w, h = size
        frame = _desk(size, scene.seed)
        s, ox, oy = self._sensor_to_output(size)
        to_out = lambda pts: (np.asarray(pts, np.float64) * s + [ox, oy]).astype(np.float32)  # noqa: E731
        if scene.doc is not None:
            doc = render_document(scene.doc, scene.seed, scene.qr)
            dh, dw = doc.shape[:2]
            src = np.float32([[0, 0], [dw, 0], [dw, dh], [0, dh]])
            dst = to_out(self._page_corners_sensor(scene))
            shadow = np.zeros((h, w), np.uint8)
            offset = np.array([16.0 * s, 24.0 * s], np.float32)  # light from the upper left
            cv2.fillConvexPoly(shadow, np.round(dst + offset).astype(np.int32), 90)
            shadow = cv2.blur(shadow, (max(3, int(100 * s)) | 1,) * 2)
            frame = cv2.subtract(frame, cv2.merge([shadow] * 3) // 2)
            matrix = cv2.getPerspectiveTransform(src, dst)
            cv2.warpPerspective(doc, matrix, size, dst=frame, flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_TRANSPARENT)
        if scene.clutter:
            self._draw_clutter(frame, scene, to_out)
        frame = self._light(frame, scene, s, to_out)
        if scene.blur > 0:
            sigma = scene.blur * w / self.preview_size[0]
            frame = cv2.GaussianBlur(frame, (0, 0), sigma)
        return frame

    def _draw_clutter(self, frame: np.ndarray, scene: SimScene, to_out: Any) -> None:
        """A pen lying across the right edge and a phone over the bottom-left corner of the page."""
        c = self._page_corners_sensor(scene)
        sw, _ = self.capture_size
        right_mid = (c[1] + c[2]) / 2
        d = (c[2] - c[1]) / np.linalg.norm(c[2] - c[1])
        n = np.array([-d[1], d[0]])
        pen_len, pen_w = 0.35 * sw, 0.012 * sw
        centre = right_mid + n * -0.02 * sw
        axis = np.array([math.cos(0.9), math.sin(0.9)])
        perp = np.array([-axis[1], axis[0]])
        pen = [centre - axis * pen_len / 2 - perp * pen_w, centre + axis * pen_len / 2 - perp * pen_w,
               centre + axis * pen_len / 2 + perp * pen_w, centre - axis * pen_len / 2 + perp * pen_w]
        cv2.fillConvexPoly(frame, np.round(to_out(pen)).astype(np.int32), (35, 30, 160))
        bl = c[3]
        phone_w, phone_h = 0.09 * sw, 0.17 * sw
        a = math.radians(scene.rotate + 25)
        ax, ay = np.array([math.cos(a), math.sin(a)]), np.array([-math.sin(a), math.cos(a)])
        centre = bl + ax * phone_w * 0.1 + ay * phone_h * 0.05
        phone = [centre + sx * ax * phone_w / 2 + sy * ay * phone_h / 2
                 for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
        cv2.fillConvexPoly(frame, np.round(to_out(phone)).astype(np.int32), (25, 25, 28))

    def _light(self, frame: np.ndarray, scene: SimScene, s: float, to_out: Any) -> np.ndarray:
        h, w = frame.shape[:2]
        small = (max(8, w // 16), max(8, h // 16))
        yy, xx = np.mgrid[0:small[1], 0:small[0]].astype(np.float32)
        r2 = ((xx / small[0] - 0.5) ** 2 + (yy / small[1] - 0.5) ** 2)
        gain = scene.light * (1.0 - 0.25 * r2)
        if scene.glare > 0 and scene.doc is not None:
            c = to_out(self._page_corners_sensor(scene))
            gx, gy = (c[0] * 0.35 + c[2] * 0.65) / [w / small[0], h / small[1]]
            radius = 0.07 * small[0]
            gain = gain + scene.glare * 0.8 * np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * radius**2))
        gain_full = cv2.resize(gain.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
        return cv2.multiply(frame, cv2.merge([gain_full] * 3), dtype=cv2.CV_8U)

    @staticmethod
    def _add_noise(frame: np.ndarray, pair: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        return cv2.subtract(cv2.add(frame, pair[0]), pair[1])

    def _check_plugged(self) -> None:
        if not self.plugged:
            raise CameraAbsent("the simulated camera is unplugged")

    def preview_frame(self) -> np.ndarray:
        """One preview frame: cached clean render plus fresh-looking noise."""
        self._check_plugged()
        with self._lock:
            scene, version = self._scene, self._version
            cache = self._preview_cache
            if cache.version != version or cache.size != self.preview_size:
                cache.clean = self._render_clean(scene, self.preview_size)
                if scene.noise > 0:
                    cache.noise = [_scaled_noise(pair, scene.noise, cache.clean.shape)
                                   for pair in _unit_noise(cache.clean.shape)]
                cache.version, cache.size = version, self.preview_size
            self._frame_counter += 1
            clean, noise, counter = cache.clean, cache.noise, self._frame_counter
        assert clean is not None
        if scene.noise <= 0 or not noise:
            return clean.copy()
        return self._add_noise(clean, noise[counter % len(noise)])

    def capture_frame(self) -> np.ndarray:
        """One full-resolution frame, rendered fresh (slow at 13 MP, as a real still capture is)."""
        self._check_plugged()
        with self._lock:
            scene = self._scene
        frame = self._render_clean(scene, self.capture_size)
        if scene.noise > 0:
            # Tiles of the preview-sized noise: random draws at 13 MP would cost more than the render.
            tile = _unit_noise((*self.preview_size[::-1], 3))[0]
            frame = self._add_noise(frame, _scaled_noise(tile, scene.noise, frame.shape))
        return frame


class SimSource:
    """The simulator behind the camera driver's frame-source interface; ``sim`` drives it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sim = SimCamera.from_url(url)

    def open(self) -> None:
        if not self.sim.plugged:
            raise CameraAbsent("the simulated camera is unplugged")

    def close(self) -> None:
        pass

    def resolution(self) -> tuple[int, int]:
        return self.sim.capture_size

    def read_preview(self) -> np.ndarray:
        return self.sim.preview_frame()

    def read_full(self) -> np.ndarray:
        return self.sim.capture_frame()


def open_simulated_source(url: registry.DeviceUrl, *, preview_width: int) -> SimSource:
    """The registry's opener for ``sim://camera`` (the preview size is the URL's ``preview``)."""
    return SimSource(url.text)


def register() -> None:
    registry.register(DeviceKind.CAMERA, ["sim"], open_simulated_source)


register()
