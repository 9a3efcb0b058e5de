"""Receipt: the 受理回执 is printed; on a printer fault the reference and a QR code show on screen."""

from __future__ import annotations

import io
import threading
from typing import Any

import qrcode
from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from kiosk.i18n import t
from screens.base import KioskScreen, load_kv
from screens.components.visit import with_help_pointer


def qr_texture(data: str) -> Any:
    """A Kivy texture of a QR code for ``data`` (nearest-neighbour scaled, so it stays sharp)."""
    image = qrcode.make(data, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    texture = CoreImage(buffer, ext="png").texture
    texture.mag_filter = "nearest"
    return texture


SENTENCE_END = "。．.！!？?；;，,、 "


def embedded(message: str) -> str:
    """A whole-sentence message made fit to sit inside another sentence (no final "。")."""
    return message.rstrip(SENTENCE_END)


class ReceiptScreen(KioskScreen):
    reference = StringProperty("")
    status = StringProperty("")
    printing = BooleanProperty(False)
    printed = BooleanProperty(False)
    qr = ObjectProperty(None, allownone=True)

    def on_enter(self, *_: object) -> None:
        session = self.visit.session
        self.reference = session.reference if session else ""
        self.qr = None
        self.printed = False
        self.printing = True
        self.status = self.t("ui.receipt.printing")
        threading.Thread(target=self._print, name="print-receipt", daemon=True).start()

    def _print(self) -> None:
        receipt = self.visit.receipt()
        problem = self.devices.print_receipt(receipt, self.visit.lang) if receipt else "ui.error.no_session"
        Clock.schedule_once(lambda _dt: self._printed(problem), 0)

    def _printed(self, problem: str | None) -> None:
        self.printing = False
        if problem is None:
            self.printed = True
            self.status = self.t("ui.receipt.printed")
            return
        self.status = self.t("ui.receipt.fault", reason=embedded(t(problem, self.app.lang)))
        self.status = with_help_pointer(self.status, self.app.lang)
        self.qr = qr_texture(self.visit.tracking_url())

    def finish(self) -> None:
        self.advance()

    def wipe(self) -> None:
        self.reference = self.status = ""
        self.qr = None
        self.printed = self.printing = False


load_kv(__file__)
