"""办件查询: the citizen follows an application with its receipt, and recaptures what 补正 asks for.

The reference comes from the receipt's QR held under the document camera (read on the camera's
worker thread) or is typed; the last 4 digits of the phone given in the application are the
second factor. The centre's answer shows as a timeline and what to do next; for 需补正 each
named material is photographed again and sent as one supplement through the outbox.
Nothing of the answer or the pages outlives the screen: ``wipe`` drops them when it is left.
"""

from __future__ import annotations

import threading
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, StringProperty

from devices.camera.qr import decode_qr
from kiosk import tracking
from kiosk.i18n import t
from screens.base import KioskScreen, load_kv
from screens.components.controls import KioskButton, KioskLabel
from wire.errors import KioskError
from wire.models import StatusReply

SCAN_FPS = 6.0  # QR decoding costs ~20 ms a frame on the worker; six tries a second is plenty


class TrackScreen(KioskScreen):
    stage = StringProperty("ask")  # ask → status (→ sent)
    error = StringProperty("")
    scanning = BooleanProperty(False)
    busy = BooleanProperty(False)
    status_title = StringProperty("")
    next_steps = StringProperty("")
    timeline_lines = ListProperty([])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reply: StatusReply | None = None
        self.pages: dict[str, list[bytes]] = {}

    # ----- entering and leaving ----------------------------------------------------------------
    def on_enter(self, *_: Any) -> None:
        self.wipe()
        self.ids.dock.inputs = [self.ids.reference, self.ids.last4]

    def on_leave(self, *_: Any) -> None:
        self.stop_scan()
        self.ids.dock.hide()
        self.wipe()

    def wipe(self) -> None:
        self.stop_scan()
        self.reply = None
        self.pages = {}
        self.stage = "ask"
        self.error = self.status_title = self.next_steps = ""
        self.timeline_lines = []
        self.busy = False
        if "reference" in self.ids:
            self.ids.reference.text = ""
            self.ids.last4.text = ""
            self.ids.redo.clear_widgets()

    def home(self) -> None:
        self.app.end_visit("completed")

    # ----- the receipt's QR under the camera -----------------------------------------------------
    def toggle_scan(self) -> None:
        if self.scanning:
            self.stop_scan()
            return
        camera = self.devices.camera
        if camera is None or not self.devices.camera_usable():
            self.error = self.t("ui.track.no_camera")
            return
        self.error = ""
        self.scanning = True
        camera.start_preview(self._on_frame, fps=SCAN_FPS)

    def stop_scan(self) -> None:
        if self.scanning:
            camera = self.devices.camera
            if camera is not None:
                camera.stop_preview()
        self.scanning = False

    def _on_frame(self, preview: Any) -> None:
        """Camera worker thread: look for the QR; hand a found reference to the UI thread."""
        reference = tracking.reference_from_text(decode_qr(preview.frame) or "")
        if reference is not None:
            Clock.schedule_once(lambda _dt: self._scanned(reference), 0)

    def _scanned(self, reference: str) -> None:
        if not self.scanning:
            return
        self.stop_scan()
        self.ids.reference.text = reference
        self.ids.last4.focus = True

    # ----- asking the centre -------------------------------------------------------------------
    def look_up(self) -> None:
        client = self.reporting.client
        if self.busy:
            return
        if client is None:
            self.error = t("tracking.offline", self.app.lang)
            return
        self.stop_scan()
        self.busy = True
        self.error = ""
        reference, last4 = self.ids.reference.text, self.ids.last4.text
        threading.Thread(target=self._look_up, args=(client, reference, last4),
                         name="track-lookup", daemon=True).start()

    def _look_up(self, client: tracking.PostsJson, reference: str, last4: str) -> None:
        try:
            reply = tracking.lookup(client, reference, last4)
        except KioskError as error:
            Clock.schedule_once(lambda _dt, e=error: self._failed(e), 0)
            return
        Clock.schedule_once(lambda _dt: self._answered(reply), 0)

    def _failed(self, error: KioskError) -> None:
        self.busy = False
        self.error = t(error.key, self.app.lang, **error.params)

    def _answered(self, reply: StatusReply) -> None:
        self.busy = False
        if self.app.current != self.name:
            return  # the citizen left meanwhile: show nothing
        self.ids.dock.hide()
        self.reply = reply
        self.pages = {m.id: [] for m in reply.redo_materials}
        english = self.app.lang == "en"
        label = reply.label_en if english and reply.label_en else reply.label_zh
        self.status_title = self.t("ui.track.status", reference=reply.reference, status=label)
        steps = reply.next_en if english and reply.next_en else reply.next_zh
        if reply.tracking_number:
            steps = (steps + "\n" if steps else "") + self.t("ui.track.tracking_number",
                                                              number=reply.tracking_number)
        self.next_steps = steps
        self.timeline_lines = [
            f"{entry.at.astimezone().strftime('%Y-%m-%d %H:%M')}  "
            f"{entry.label_en if english and entry.label_en else entry.label_zh}"
            + (f"：{entry.note}" if entry.note else "")
            for entry in reply.timeline
        ]
        self.stage = "status"
        self._show_redo()

    # ----- 补正: recapture and send ----------------------------------------------------------
    def _show_redo(self) -> None:
        box = self.ids.redo
        box.clear_widgets()
        reply = self.reply
        if reply is None or reply.status != tracking.NEEDS_CORRECTION:
            return
        english = self.app.lang == "en"
        for material in reply.redo_materials:
            name = material.name_en if english and material.name_en else material.name_zh
            count = len(self.pages.get(material.id, []))
            box.add_widget(KioskLabel(text=self.t("ui.track.redo_material", name=name, n=count)))
            button = KioskButton(text=self.t("ui.track.photograph"), role="secondary")
            button.material_id = material.id
            button.bind(on_release=lambda b: self.photograph(b.material_id))
            box.add_widget(button)
        send = KioskButton(text=self.t("ui.track.send_supplement"))
        send.bind(on_release=lambda _b: self.send())
        box.add_widget(send)

    def photograph(self, material_id: str) -> None:
        camera = self.devices.camera
        if camera is None or not self.devices.camera_usable():
            self.error = self.t("ui.track.no_camera")
            return
        if self.busy:
            return
        self.busy = True
        self.error = self.t("ui.track.hold_page")
        threading.Thread(target=self._photograph, args=(camera, material_id),
                         name="track-capture", daemon=True).start()

    def _photograph(self, camera: Any, material_id: str) -> None:
        try:
            page = camera.capture_page("text")
        except KioskError as error:
            Clock.schedule_once(lambda _dt, e=error: self._failed(e), 0)
            return
        Clock.schedule_once(lambda _dt: self._photographed(material_id, page.jpeg), 0)

    def _photographed(self, material_id: str, jpeg: bytes) -> None:
        self.busy = False
        self.error = ""
        if self.reply is None:
            return
        self.pages.setdefault(material_id, []).append(jpeg)
        self._show_redo()

    def send(self) -> None:
        if self.reply is None:
            return
        try:
            self.reporting.send_supplement(self.reply, self.pages)
        except KioskError as error:
            self.error = t(error.key, self.app.lang, **error.params)
            return
        self.pages = {}
        self.ids.redo.clear_widgets()
        self.error = ""
        self.next_steps = self.t("ui.track.supplement_sent")
        self.stage = "sent"


load_kv(__file__)
