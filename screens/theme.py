"""Sizes, fonts and colours of the kiosk UI, in one place, with large-text and high-contrast modes.

Sizes are given in pixels of the reference panel (1920×1080 on a 21.5" screen, about 102 ppi;
1080×1920 when the panel stands upright) and scaled to the real window; touch targets also have a
floor in millimetres at the panel's DPI (``KIOSK_DPI``, default the reference panel's), so a
button stays at least 15 mm whatever the window and the panel.
"""

from __future__ import annotations

import math
import os

from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.core.text import Label as CoreLabel
from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, ListProperty, NumericProperty

REFERENCE_SIZE = (1920, 1080)
MM_PER_INCH = 25.4
REFERENCE_DPI = REFERENCE_SIZE[0] / (21.5 * 16 / math.hypot(16, 9))  # ≈ 102.5
TOUCH_MIN_MM = 15.0
# 15 mm on the reference panel: 1920 px / (21.5" × 16/√(16²+9²) × 25.4 mm) ≈ 4.03 px/mm → 60.5 px.
TOUCH_MIN_REF = 60
TOUCH_TARGET_REF = 96  # what the big buttons actually use; comfortably above the minimum
LARGE_TEXT_FACTOR = 1.3
CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

_NORMAL = {
    "bg": (0.957, 0.965, 0.976, 1),
    "surface": (1, 1, 1, 1),
    "text": (0.10, 0.10, 0.12, 1),
    "muted": (0.33, 0.35, 0.40, 1),
    "primary": (0.106, 0.373, 0.667, 1),
    "primary_text": (1, 1, 1, 1),
    "secondary": (0.88, 0.90, 0.94, 1),
    "secondary_text": (0.10, 0.10, 0.12, 1),
    "accent": (0.784, 0.063, 0.180, 1),
    "error": (0.70, 0.0, 0.13, 1),
    "ok": (0.12, 0.48, 0.20, 1),
    "header": (0.106, 0.373, 0.667, 1),
    "header_text": (1, 1, 1, 1),
    "outline": (0.75, 0.78, 0.84, 1),
}
_HIGH_CONTRAST = {
    "bg": (0, 0, 0, 1),
    "surface": (0.08, 0.08, 0.08, 1),
    "text": (1, 1, 1, 1),
    "muted": (0.92, 0.92, 0.92, 1),
    "primary": (1, 0.84, 0, 1),
    "primary_text": (0, 0, 0, 1),
    "secondary": (0.2, 0.2, 0.2, 1),
    "secondary_text": (1, 1, 1, 1),
    "accent": (1, 0.84, 0, 1),
    "error": (1, 0.55, 0.55, 1),
    "ok": (0.55, 1, 0.55, 1),
    "header": (0, 0, 0, 1),
    "header_text": (1, 0.84, 0, 1),
    "outline": (1, 1, 1, 1),
}


def configured_dpi() -> float:
    """The panel's pixels per inch: ``KIOSK_DPI`` if set (a technician measures it once), else
    the reference panel's."""
    value = os.environ.get("KIOSK_DPI", "")
    try:
        dpi = float(value)
    except ValueError:
        return REFERENCE_DPI
    return dpi if 30 <= dpi <= 600 else REFERENCE_DPI


def register_fonts(path: str = CJK_FONT) -> None:
    """Make the CJK font Kivy's default, so every widget renders hanzi (Roboto has none)."""
    LabelBase.register(DEFAULT_FONT, path)
    LabelBase.register("CJK", path)


def text_px(text: str, font_size: float, font_name: str = DEFAULT_FONT) -> float:
    """Width of ``text`` drawn on one line at ``font_size`` (the kiosk's CJK font unless named)."""
    core = CoreLabel(text=text, font_size=font_size, font_name=font_name)
    core.refresh()
    return float(core.texture.size[0]) if core.texture is not None else 0.0


class Theme(EventDispatcher):
    """Kivy-bindable theme: kv rules read ``app.theme.touch``, ``app.theme.font_m``, colours."""

    scale = NumericProperty(1.0)
    dpi = NumericProperty(REFERENCE_DPI)
    portrait = BooleanProperty(False)
    large_text = BooleanProperty(False)
    high_contrast = BooleanProperty(False)

    touch_min = NumericProperty(TOUCH_MIN_REF)
    touch = NumericProperty(TOUCH_TARGET_REF)
    gap = NumericProperty(24)
    pad = NumericProperty(40)
    radius = NumericProperty(14)
    font_s = NumericProperty(26)
    font_m = NumericProperty(34)
    font_l = NumericProperty(46)
    font_xl = NumericProperty(72)

    bg = ListProperty(_NORMAL["bg"])
    surface = ListProperty(_NORMAL["surface"])
    text = ListProperty(_NORMAL["text"])
    muted = ListProperty(_NORMAL["muted"])
    primary = ListProperty(_NORMAL["primary"])
    primary_text = ListProperty(_NORMAL["primary_text"])
    secondary = ListProperty(_NORMAL["secondary"])
    secondary_text = ListProperty(_NORMAL["secondary_text"])
    accent = ListProperty(_NORMAL["accent"])
    error = ListProperty(_NORMAL["error"])
    ok = ListProperty(_NORMAL["ok"])
    header = ListProperty(_NORMAL["header"])
    header_text = ListProperty(_NORMAL["header_text"])
    outline = ListProperty(_NORMAL["outline"])

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.dpi = configured_dpi()
        self.bind(scale=self._resize, dpi=self._resize, large_text=self._resize, high_contrast=self._recolour)
        self._resize()
        self._recolour()

    def fit(self, width: float, height: float) -> None:
        """Scale to a window of ``width``×``height`` pixels (letterboxed to the reference aspect,
        turned upright for a portrait window)."""
        self.portrait = height > width
        ref_w, ref_h = REFERENCE_SIZE[::-1] if self.portrait else REFERENCE_SIZE
        self.scale = min(width / ref_w, height / ref_h)

    @property
    def px_per_mm(self) -> float:
        return self.dpi / MM_PER_INCH

    def mm(self, millimetres: float) -> float:
        """Pixels for a physical length on this panel."""
        return millimetres * self.px_per_mm

    def px(self, reference_px: float) -> float:
        return reference_px * self.scale

    def _resize(self, *_: object) -> None:
        s = self.scale
        f = s * (LARGE_TEXT_FACTOR if self.large_text else 1.0)
        floor = self.mm(TOUCH_MIN_MM) + 1  # +1: the layouts round; 15 mm must survive that
        self.touch_min = max(TOUCH_MIN_REF * s, floor)
        self.touch = max(TOUCH_TARGET_REF * max(s, f * 0.95), floor * 1.1)
        self.gap = 24 * s
        self.pad = 40 * s
        self.radius = 14 * s
        self.font_s = 26 * f
        self.font_m = 34 * f
        self.font_l = 46 * f
        self.font_xl = 72 * f

    def _recolour(self, *_: object) -> None:
        palette = _HIGH_CONTRAST if self.high_contrast else _NORMAL
        for name, colour in palette.items():
            setattr(self, name, colour)
