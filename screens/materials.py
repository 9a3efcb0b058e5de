"""Materials: live camera preview with the detected page outline, automatic capture when the page
is steady and sharp, the quality reason and a retake button, and thumbnails of captured pages.

Preview frames arrive on the camera's worker thread; only the newest one is handed to the UI
thread (older ones are dropped), so a slow frame never queues up behind another.
"""

from __future__ import annotations

import io
import threading
from typing import Any

import cv2
from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.image import Image

from kiosk.errors import KioskError
from kiosk.i18n import t
from screens.base import KioskScreen, load_kv

DISPLAY_WIDTH = 960
PREVIEW_FPS = 15.0
CAPTURE_KIND = {"document": "text", "certificate": "certificate", "id_copy": "id_copy"}


def jpeg_texture(jpeg: bytes) -> Any:
    return CoreImage(io.BytesIO(jpeg), ext="jpg").texture


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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.needs: list[Any] = []
        self.index = 0
        self._latest: Any = None
        self._scheduled = False
        self._slot_lock = threading.Lock()
        self._armed = True
        self._texture: Texture | None = None
        self._scale = 1.0
        self.auto_capture = True

    # ----- entering and leaving ----------------------------------------------------------
    def on_enter(self, *_: Any) -> None:
        flow = self.facade.flow
        self.needs = [n for n in flow.materials() if n.material.capture]
        self.index = 0
        if not self.needs:
            self.app.go("check")
            return
        self._show_material()
        camera = self.facade.camera
        if camera is None or not self.facade.camera_usable():
            reason = self.facade.device_states().get("camera")
            self.status = self.t("ui.materials.camera_problem",
                                 reason=t(reason.reason if reason else "camera.state.absent", self.app.lang))
            return
        camera.start_preview(self._on_frame, fps=PREVIEW_FPS)

    def on_leave(self, *_: Any) -> None:
        camera = self.facade.camera
        if camera is not None:
            camera.stop_preview()
        with self._slot_lock:
            self._latest = None

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
    def _on_frame(self, frame: Any) -> None:
        """Camera worker thread: keep only the newest frame, schedule one UI update."""
        with self._slot_lock:
            self._latest = frame
            if self._scheduled:
                return
            self._scheduled = True
        Clock.schedule_once(self._draw_latest, 0)

    def _draw_latest(self, *_: Any) -> None:
        with self._slot_lock:
            frame, self._latest = self._latest, None
            self._scheduled = False
        if frame is None or self.app.current != self.name:
            return
        self.show_frame(frame)

    def show_frame(self, preview: Any) -> None:
        image = preview.frame
        height, width = image.shape[:2]
        scale = DISPLAY_WIDTH / width
        small = cv2.resize(image, (DISPLAY_WIDTH, int(height * scale)), interpolation=cv2.INTER_LINEAR)
        small = cv2.flip(small, 0)  # OpenCV rows go down, GL rows go up
        h, w = small.shape[:2]
        if self._texture is None or self._texture.size != (w, h):
            self._texture = Texture.create(size=(w, h), colorfmt="rgb")
        self._texture.blit_buffer(small.tobytes(), colorfmt="bgr", bufferfmt="ubyte")
        view: Image = self.ids.preview
        view.texture = self._texture
        view.canvas.ask_update()
        self._scale = scale
        self.frames_shown += 1
        self._outline(preview, scale, h)
        keys = preview.quality.keys
        if keys:
            self.quality = t(keys[0], self.app.lang)
            self._armed = True if "camera.quality.no_document" in keys else self._armed
        elif not self.capturing:
            self.quality = self.t("ui.materials.hold_still")
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

    # ----- capture --------------------------------------------------------------------------
    def capture(self) -> None:
        camera = self.facade.camera
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
        if self.facade.session is None:
            return
        count = self.facade.capture(material_id, page.jpeg)
        if page.quality.keys:
            self.quality = t(page.quality.keys[0], self.app.lang)
        self.status = self.t("ui.materials.captured", n=count)
        self._refresh_thumbnails()

    def _capture_failed(self, error: KioskError) -> None:
        self.capturing = False
        self._armed = True
        self.quality = t(error.key, self.app.lang, **error.params)

    def retake(self) -> None:
        need = self.needs[self.index]
        pages = self.facade.session.captures.get(need.material.id, [])
        if pages:
            self.facade.session.drop_capture(need.material.id, len(pages) - 1)
        self._armed = True
        self.status = self.t("ui.materials.instruction", material=self.material_name)
        self._refresh_thumbnails()

    def _refresh_thumbnails(self) -> None:
        box = self.ids.thumbs
        box.clear_widgets()
        need = self.needs[self.index]
        pages = self.facade.session.captures.get(need.material.id, []) if self.facade.session else []
        self.pages = len(pages)
        for jpeg in pages:
            box.add_widget(Image(texture=jpeg_texture(jpeg), size_hint_x=None, width=self.app.theme.touch * 1.6,
                                 fit_mode="contain"))

    def next_material(self) -> None:
        if self.pages == 0:
            self.quality = self.t("ui.materials.need_page")
            return
        if self.index + 1 < len(self.needs):
            self.index += 1
            self._show_material()
        else:
            self.app.go("check")

    def back(self) -> None:
        if self.index > 0:
            self.index -= 1
            self._show_material()
        else:
            form = self.app.screen("form")
            form.page_index = max(0, len(self.facade.flow.pages()) - 1)
            form.return_to_check = False
            self.app.go("form")

    def wipe(self) -> None:
        self.needs = []
        self.index = 0
        self.material_name = self.progress = self.quality = self.status = ""
        self.pages = 0
        self.outline = []
        if "thumbs" in self.ids:
            self.ids.thumbs.clear_widgets()
            self.ids.preview.texture = None
        self._texture = None


load_kv(__file__)
