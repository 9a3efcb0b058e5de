"""Materials: live camera preview with the detected page outline, automatic capture when the page
is steady and sharp, the quality reason and a retake button, and thumbnails of captured pages.

Preview frames arrive on the camera's worker thread already scaled to the preview's size as
RGBA (the worker does it, not the UI thread); only the newest one is handed to the UI thread
(older ones are dropped), so a slow frame never queues up behind another. The UI thread only
uploads it into one of two textures that are reused for the whole visit.
"""

from __future__ import annotations

import threading
from typing import Any

import cv2
import numpy as np
from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.image import Image

from devices.camera.preview import display_image
from kiosk.i18n import t
from screens.base import KioskScreen, load_kv
from screens.components.visit import with_help_pointer
from wire.errors import KioskError

PREVIEW_FPS = 30.0
DEFAULT_ASPECT = 16 / 9
THUMB_HEIGHT = 200  # pixels of a thumbnail texture: a captured page is ~2500x3500, its texture would be 26 MB
CAPTURE_KIND = {"document": "text", "certificate": "certificate", "id_copy": "id_copy"}


class TexturePair:
    """Two textures of one size, filled in turn and reused for every frame of that size.

    Uploading into the texture the last drawn frame did not use never waits for the renderer:
    with one texture, software GL (llvmpipe) blocks the upload, with the GIL held, until the
    previous frame has been rasterised."""

    def __init__(self) -> None:
        self.textures: list[Texture] = []
        self._next = 0

    def upload(self, rgba: np.ndarray) -> Texture:
        height, width = rgba.shape[:2]
        if not self.textures or self.textures[0].size != (width, height):
            self.textures = [self._make(width, height) for _ in range(2)]
        texture = self.textures[self._next]
        self._next ^= 1
        texture.blit_buffer(np.ascontiguousarray(rgba).reshape(-1), colorfmt="rgba", bufferfmt="ubyte")
        return texture

    @staticmethod
    def _make(width: int, height: int) -> Texture:
        texture = Texture.create(size=(width, height), colorfmt="rgba")
        texture.flip_vertical()  # image rows go down, GL rows go up
        return texture

    def release(self) -> None:
        self.textures = []


def thumbnail_texture(jpeg: bytes, height: int = THUMB_HEIGHT) -> Texture | None:
    """A small texture of a captured page (decoded at 1/4 size, then scaled), or None if unreadable."""
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_REDUCED_COLOR_4)
    if image is None:
        return None
    width = max(1, round(image.shape[1] * height / image.shape[0]))
    rgba = display_image(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA), width)
    texture = Texture.create(size=(width, height), colorfmt="rgba")
    texture.flip_vertical()
    texture.blit_buffer(rgba.reshape(-1), colorfmt="rgba", bufferfmt="ubyte")
    return texture


class MaterialsScreen(KioskScreen):
    material_name = StringProperty("")
    progress = StringProperty("")
    quality = StringProperty("")
    status = StringProperty("")
    pages = NumericProperty(0)
    capturing = BooleanProperty(False)
    outline = ListProperty([])
    last_material = BooleanProperty(False)
    frames_shown = NumericProperty(0)
    previewing = BooleanProperty(False)  # a camera frame is on screen

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.needs: list[Any] = []
        self.index = 0
        self._latest: Any = None
        self._scheduled = False
        self._slot_lock = threading.Lock()
        self._armed = True
        self._textures = TexturePair()
        self._aspect = DEFAULT_ASPECT
        self._display_width = 0
        self.auto_capture = True

    # ----- entering and leaving ----------------------------------------------------------
    def on_enter(self, *_: object) -> None:
        flow = self.visit.flow
        self.needs = [n for n in flow.materials() if n.material.capture]
        self.index = 0
        if not self.needs:
            self.advance()
            return
        self._show_material()
        camera = self.devices.camera
        if camera is None or not self.devices.camera_usable():
            reason = self.devices.states().get("camera")
            self.status = self.t("ui.materials.camera_problem",
                                 reason=t(reason.reason if reason else "camera.state.absent", self.app.lang))
            return
        self._display_width = self._wanted_width()
        camera.start_preview(self._on_frame, fps=PREVIEW_FPS, display_width=self._display_width)

    def on_leave(self, *_: object) -> None:
        camera = self.devices.camera
        if camera is not None:
            camera.stop_preview()
        with self._slot_lock:
            self._latest = None
        self._release_preview()

    def _release_preview(self) -> None:
        if "preview" in self.ids:
            self.ids.preview.texture = None
        self._textures.release()
        self.previewing = False
        self.outline = []

    def _show_material(self) -> None:
        need = self.needs[self.index]
        lang = self.app.lang
        self.material_name = need.material.name.get(lang)
        self.progress = self.t("ui.materials.progress", n=self.index + 1, total=len(self.needs))
        self.last_material = self.index + 1 >= len(self.needs)
        self.status = self.t("ui.materials.instruction", material=self.material_name)
        self.quality = ""
        self._armed = True
        self._refresh_thumbnails()

    def refresh(self) -> None:
        if self.needs:
            self._show_material()

    # ----- preview --------------------------------------------------------------------------
    def _wanted_width(self) -> int:
        """Frames are scaled to the pixels the preview really has, so no texel is wasted."""
        view = self.ids.preview
        return max(64, int(min(view.width, view.height * self._aspect)))

    def on_preview_size(self) -> None:
        """The preview changed size (kv calls this): ask the worker for frames of the new size."""
        width = self._wanted_width()
        if width != self._display_width:
            self._display_width = width
            camera = self.devices.camera if self.app is not None else None
            if camera is not None:
                camera.set_preview_display_width(width)

    def _on_frame(self, frame: Any) -> None:
        """Camera worker thread: keep only the newest frame, schedule one UI update."""
        with self._slot_lock:
            self._latest = frame
            if self._scheduled:
                return
            self._scheduled = True
        Clock.schedule_once(self._draw_latest, 0)

    def _draw_latest(self, *_: object) -> None:
        with self._slot_lock:
            frame, self._latest = self._latest, None
            self._scheduled = False
        if frame is None or self.app.current != self.name:
            return
        self.show_frame(frame)

    def show_frame(self, preview: Any) -> None:
        height, width = preview.frame.shape[:2]
        self._aspect = width / height
        rgba = preview.display if preview.display is not None else display_image(preview.frame, self._wanted_width())
        view: Image = self.ids.preview
        view.texture = self._textures.upload(rgba)
        self.previewing = True
        self.frames_shown += 1
        self._outline(preview, rgba.shape[1] / width, rgba.shape[0])
        keys = preview.quality.keys
        if keys:
            self.quality = t(keys[0], self.app.lang)
            if "camera.quality.no_document" in keys and not self._armed:
                self._armed = True  # the page was taken away: ready for the next one
                self.status = self.t("ui.materials.instruction", material=self.material_name)
        elif not self.capturing:
            # "请保持不动" only while a capture is coming; after one, "已拍好第N页" stands alone.
            self.quality = self.t("ui.materials.hold_still") if self._armed else ""
        if self.auto_capture and self._armed and not self.capturing and preview.ready_to_capture:
            self.capture()

    def _outline(self, preview: Any, scale: float, height: int) -> None:
        view = self.ids.preview
        if preview.detection is None or view.texture is None:
            self.outline = []
            return
        fit_w, fit_h = view.norm_image_size
        x0 = view.center_x - fit_w / 2
        y0 = view.center_y - fit_h / 2
        k = fit_w / view.texture.width
        points: list[float] = []
        for x, y in preview.detection.corners:
            points += [x0 + x * scale * k, y0 + (height - y * scale) * k]
        self.outline = points + points[:2]

    def help_step(self) -> str:
        """For a help call: which material is being photographed."""
        return self.needs[self.index].material.id if self.needs and self.index < len(self.needs) else ""

    # ----- capture --------------------------------------------------------------------------
    def capture(self) -> None:
        camera = self.devices.camera
        if camera is None or self.capturing or not self.needs:
            return
        self.capturing = True
        self._armed = False
        need = self.needs[self.index]
        kind = CAPTURE_KIND.get(need.material.capture, "text")
        threading.Thread(target=self._capture, args=(camera, need.material.id, kind),
                         name="capture", daemon=True).start()

    def _capture(self, camera: Any, material_id: str, kind: str) -> None:
        try:
            page = camera.capture_page(kind)
        except KioskError as error:
            Clock.schedule_once(lambda _dt, e=error: self._capture_failed(e), 0)
            return
        Clock.schedule_once(lambda _dt: self._captured(material_id, page), 0)

    def _captured(self, material_id: str, page: Any) -> None:
        self.capturing = False
        if self.visit.session is None:
            return
        count = self.visit.capture(material_id, page.jpeg)
        # "已拍好第N页" stands alone: the "请保持不动" shown before the capture goes with it
        self.quality = t(page.quality.keys[0], self.app.lang) if page.quality.keys else ""
        self.status = self.t("ui.materials.captured", n=count)
        self._refresh_thumbnails()

    def _capture_failed(self, error: KioskError) -> None:
        self.capturing = False
        self._armed = True
        self.quality = with_help_pointer(t(error.key, self.app.lang, **error.params), self.app.lang)

    def retake(self) -> None:
        need = self.needs[self.index]
        pages = self.visit.session.captures.get(need.material.id, [])
        if pages:
            self.visit.session.drop_capture(need.material.id, len(pages) - 1)
        self._armed = True
        self.status = self.t("ui.materials.instruction", material=self.material_name)
        self._refresh_thumbnails()

    def _refresh_thumbnails(self) -> None:
        box = self.ids.thumbs
        box.clear_widgets()
        need = self.needs[self.index]
        pages = self.visit.session.captures.get(need.material.id, []) if self.visit.session else []
        self.pages = len(pages)
        touch = self.app.theme.touch
        for jpeg in pages:
            texture = thumbnail_texture(jpeg)
            if texture is not None:
                box.add_widget(Image(texture=texture, size_hint=(None, None), size=(touch * 1.6, touch * 2.1),
                                     fit_mode="contain"))

    def next_material(self) -> None:
        if self.pages == 0:
            self.quality = self.t("ui.materials.need_page")
            return
        if self.index + 1 < len(self.needs):
            self.index += 1
            self._show_material()
        else:
            self.advance()

    def back(self) -> None:
        if self.index > 0:
            self.index -= 1
            self._show_material()
        else:
            self.retreat()

    def wipe(self) -> None:
        self.needs = []
        self.index = 0
        self.material_name = self.progress = self.quality = self.status = ""
        self.pages = 0
        if "thumbs" in self.ids:
            self.ids.thumbs.clear_widgets()
        with self._slot_lock:
            self._latest = None
        self._release_preview()


load_kv(__file__)
