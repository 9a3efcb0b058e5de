"""Automatic checks of whatever a screen shows right now, each able to fail.

* ``clipped``: a label whose text needs more room than its box (wrapped at the box's width); a
  text input whose text, hint or longest value of its kind (``longest_text``: an 18-character
  身份证号, an 11-digit mobile number, a date) is wider than the room inside its padding, or
  whose line is taller than that room (a single-line input scrolls it out of sight instead);
* ``contrast``: a visible text against the colours actually drawn behind it (the ``Color`` +
  ``Rectangle``/``RoundedRectangle`` instructions of the widget and its ancestors, over the
  window's clear colour), below WCAG 2.x AA's 4.5:1;
* ``touch_target``: a button, input or anything that reacts to ``on_press``/``on_release``
  smaller than 15 mm at the theme's pixels per millimetre;
* ``off_window``: a widget reaching outside the window (widgets inside a scroll view are judged
  by the scroll view);
* ``exception``: an exception in the Kivy loop or an ERROR logged while the screen was up
  (:class:`FaultRecorder`).

Disabled widgets are exempt from contrast and size (WCAG exempts inactive components).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kivy.base import ExceptionHandler, ExceptionManager
from kivy.core.text import Label as CoreLabel
from kivy.core.text.markup import MarkupLabel as CoreMarkupLabel
from kivy.graphics import (
    BorderImage,
    Color,
    Ellipse,
    Rectangle,
    RoundedRectangle,
    StencilPush,
    StencilUse,
)
from kivy.graphics.instructions import Canvas, InstructionGroup
from kivy.uix.label import Label
from kivy.uix.relativelayout import RelativeLayout
from kivy.uix.scatter import Scatter
from kivy.uix.stencilview import StencilView
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from screens.theme import text_px

MIN_CONTRAST = 4.5
MIN_TOUCH_MM = 15.0
TOLERANCE_PX = 2.0  # rounding in layouts; a real defect is many pixels


@dataclass(frozen=True)
class Finding:
    """One failed check on one widget of one screen."""

    check: str
    screen: str
    widget: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.screen}: {self.widget}: {self.detail}"


# ----- colour ---------------------------------------------------------------------------------
def relative_luminance(rgb: Iterable[float]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour with channels in 0..1."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(float(c)) for c in list(rgb)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: Iterable[float], bg: Iterable[float]) -> float:
    a, b = relative_luminance(fg), relative_luminance(bg)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def blend(top: Iterable[float], under: Iterable[float]) -> tuple[float, float, float]:
    """``top`` (RGBA) painted over the opaque ``under`` (RGB)."""
    t = list(top)
    alpha = t[3] if len(t) > 3 else 1.0
    return tuple(t[i] * alpha + list(under)[i] * (1 - alpha) for i in range(3))  # type: ignore[return-value]


def _own_canvas_point(widget: Widget, wx: float, wy: float) -> tuple[float, float]:
    """Window point in the coordinates ``widget``'s own canvas instructions use."""
    if isinstance(widget, RelativeLayout | Scatter):  # its kv canvas comes after its own Translate
        return widget.to_widget(wx, wy)
    parent = widget.parent
    if parent is None or not isinstance(parent, Widget):
        return wx, wy
    return parent.to_widget(wx, wy)


def _fills(group: Any) -> Iterator[tuple[Any, Any]]:
    """(instruction, kind) in drawing order, not descending into child widgets' canvases, and
    leaving out the shapes that only draw a stencil mask (a scroll view's clip)."""
    masking = False
    own = [getattr(group, "before", None) if getattr(group, "has_before", False) else None,
           getattr(group, "after", None) if getattr(group, "has_after", False) else None]
    for instruction in group.children:
        if any(instruction is part for part in own):
            continue  # a canvas lists its own before/after groups among its children
        if isinstance(instruction, StencilPush):
            masking = True
        elif isinstance(instruction, StencilUse):
            masking = False
        if masking or isinstance(instruction, Canvas):
            continue  # a mask, or a child widget (judged as its own ancestor chain)
        if isinstance(instruction, Color):
            yield instruction, "color"
        elif isinstance(instruction, Rectangle | RoundedRectangle | Ellipse | BorderImage):
            yield instruction, "shape"
        elif isinstance(instruction, InstructionGroup):
            yield from _fills(instruction)


_default_texture: list[Any] = []


def _plain(texture: Any) -> bool:
    """Whether a shape is a flat fill: no texture, or Kivy's default white one."""
    if texture is None:
        return True
    if not _default_texture:
        _default_texture.append(Rectangle().texture)
    return texture.id == _default_texture[0].id


def background_at(widget: Widget, wx: float, wy: float, clear: Iterable[float]) -> tuple[float, float, float]:
    """The colour drawn at window point (wx, wy) under ``widget``'s text: every untextured filled
    shape of the widget's and its ancestors' canvases that covers the point, composed in order."""
    chain = []
    node: Any = widget
    while isinstance(node, Widget):
        chain.append(node)
        node = node.parent
    colour = tuple(list(clear)[:3])
    current = (1.0, 1.0, 1.0, 1.0)
    for owner in reversed(chain):
        px, py = _own_canvas_point(owner, wx, wy)
        groups = [owner.canvas.before, owner.canvas] if owner.canvas is not None else []
        for group in groups:
            if group is None:
                continue
            for instruction, kind in _fills(group):
                if kind == "color":
                    current = tuple(instruction.rgba)
                    continue
                if not _plain(instruction.texture):
                    continue  # an image or the text itself
                x, y = instruction.pos
                w, h = instruction.size
                if x <= px <= x + w and y <= py <= y + h and current[3] > 0:
                    colour = blend(current, colour)
    return colour  # type: ignore[return-value]


# ----- the widgets a citizen can see -------------------------------------------------------------
@dataclass
class Seen:
    widget: Widget
    rect: tuple[float, float, float, float]  # window coordinates: left, bottom, right, top
    clipped_by: tuple[float, float, float, float] | None  # the nearest stencil (scroll view) area


def window_rect(widget: Widget) -> tuple[float, float, float, float]:
    left, bottom = widget.to_window(widget.x, widget.y)
    right, top = widget.to_window(widget.right, widget.top)
    return left, bottom, right, top


def _intersects(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def visible_widgets(roots: Iterable[Widget]) -> Iterator[Seen]:
    """Widgets drawn with some size and opacity, and not scrolled out of their scroll view."""
    stack: list[tuple[Widget, Any]] = [(root, None) for root in roots]
    while stack:
        widget, clip = stack.pop()
        if widget.opacity <= 0.01:
            continue
        rect = window_rect(widget)
        if rect[2] - rect[0] >= 1 and rect[3] - rect[1] >= 1 and (clip is None or _intersects(rect, clip)):
            yield Seen(widget, rect, clip)
        inner = clip
        if isinstance(widget, StencilView):
            inner = rect if clip is None else (max(rect[0], clip[0]), max(rect[1], clip[1]),
                                               min(rect[2], clip[2]), min(rect[3], clip[3]))
        stack.extend((child, inner) for child in widget.children)


def describe(widget: Widget) -> str:
    text = getattr(widget, "text", "") or getattr(widget, "hint_text", "")
    text = str(text).replace("\n", " ")
    snippet = f" {text[:24]!r}" if text else ""
    return f"{type(widget).__name__}{snippet}"


# ----- the checks --------------------------------------------------------------------------------
def needed_text_size(label: Label) -> tuple[float, float]:
    """The size the label's text needs when wrapped at its box's width (never cut to a height)."""
    width, height = label.text_size
    if height is None and not label.max_lines:
        return tuple(label.texture_size)  # type: ignore[return-value]
    options = {name: getattr(label, name) for name in label._font_properties}
    options["text_size"] = (width, None)
    options["max_lines"] = 0
    options.pop("shorten", None)
    core = (CoreMarkupLabel if label.markup else CoreLabel)(**options)
    core.refresh()
    return tuple(core.texture.size) if core.texture is not None else (0.0, 0.0)  # type: ignore[return-value]


def check_clipped(seen: Seen) -> str | None:
    label = seen.widget
    if not isinstance(label, Label) or not str(label.text).strip() or label.shorten:
        return None
    need_w, need_h = needed_text_size(label)
    if need_h > label.height + TOLERANCE_PX or need_w > label.width + TOLERANCE_PX:
        return f"text needs {need_w:.0f}×{need_h:.0f} px, box is {label.width:.0f}×{label.height:.0f}"
    return None


def check_input_clipped(seen: Seen) -> str | None:
    box = seen.widget
    if not isinstance(box, TextInput) or box.multiline:
        return None
    left, top, right, bottom = box.padding  # always four values in Kivy
    room_w, room_h = box.width - left - right, box.height - top - bottom
    if box.line_height > room_h + TOLERANCE_PX:
        return f"a line needs {box.line_height:.0f} px in height, the box has {room_h:.0f} inside its padding"
    for what, text in (("text", box.text), ("hint", "" if box.text else str(box.hint_text)),
                       ("longest value", str(getattr(box, "longest_text", "") or ""))):
        if text.strip():
            need = text_px(text, box.font_size, box.font_name)  # one line, as a single-line input draws it
            if need > room_w + TOLERANCE_PX:
                return f"{what} {text!r} needs {need:.0f} px, the box has {room_w:.0f} inside its padding"
    return None


def text_colour(widget: Widget) -> tuple[list[float], str] | None:
    """The colour a citizen reads the widget's text in, and the text; None if it shows none."""
    if isinstance(widget, Label) and str(widget.text).strip():
        return list(widget.disabled_color if widget.disabled else widget.color), str(widget.text)
    if isinstance(widget, TextInput):
        if widget.text.strip():
            return list(widget.foreground_color), widget.text
        if widget.hint_text.strip():
            return list(widget.hint_text_color), str(widget.hint_text)
    return None


def check_contrast(seen: Seen, clear: Iterable[float]) -> str | None:
    widget = seen.widget
    if widget.disabled:
        return None
    shown = text_colour(widget)
    if shown is None:
        return None
    colour, _text = shown
    left, bottom, right, top = seen.rect
    cx, cy = (left + right) / 2, (bottom + top) / 2
    behind = background_at(widget, cx, cy, clear)
    ratio = contrast_ratio(blend(colour, behind), behind)
    if ratio + 1e-6 < MIN_CONTRAST:
        fg = ",".join(f"{c:.2f}" for c in colour[:3])
        bg = ",".join(f"{c:.2f}" for c in behind)
        return f"contrast {ratio:.2f}:1 (text {fg} on {bg}), needs {MIN_CONTRAST}:1"
    return None


def is_touch_target(widget: Widget) -> bool:
    if isinstance(widget, TextInput):
        return True
    return any(widget.is_event_type(event) for event in ("on_release", "on_press"))


def check_touch_target(seen: Seen, px_per_mm: float) -> str | None:
    widget = seen.widget
    if widget.disabled or not is_touch_target(widget):
        return None
    left, bottom, right, top = seen.rect
    smallest = min(right - left, top - bottom)
    if smallest + 0.5 < MIN_TOUCH_MM * px_per_mm:
        return (f"{right - left:.0f}×{top - bottom:.0f} px = {smallest / px_per_mm:.1f} mm at "
                f"{px_per_mm:.2f} px/mm, needs {MIN_TOUCH_MM:.0f} mm")
    return None


def check_off_window(seen: Seen, window_size: tuple[float, float]) -> str | None:
    if seen.clipped_by is not None:
        return None  # inside a scroll view: scrolling brings it in
    left, bottom, right, top = seen.rect
    width, height = window_size
    if left < -TOLERANCE_PX or bottom < -TOLERANCE_PX or right > width + TOLERANCE_PX or top > height + TOLERANCE_PX:
        return f"spans ({left:.0f},{bottom:.0f})–({right:.0f},{top:.0f}) in a {width:.0f}×{height:.0f} window"
    return None


def check_widgets(roots: Iterable[Widget], screen: str, *, window_size: tuple[float, float],
                  px_per_mm: float, clear: Iterable[float]) -> list[Finding]:
    """Every check on every visible widget under ``roots``."""
    findings: list[Finding] = []
    outside: list[Widget] = []
    for seen in visible_widgets(roots):
        widget = seen.widget
        for check, problem in (
            ("clipped", check_clipped(seen) or check_input_clipped(seen)),
            ("contrast", check_contrast(seen, clear)),
            ("touch_target", check_touch_target(seen, px_per_mm)),
        ):
            if problem:
                findings.append(Finding(check, screen, describe(widget), problem))
        problem = check_off_window(seen, window_size)
        if problem and not any(_is_ancestor(o, widget) for o in outside):
            outside.append(widget)  # report the outermost widget only, not each of its children
            findings.append(Finding("off_window", screen, describe(widget), problem))
    return findings


def _is_ancestor(candidate: Widget, widget: Widget) -> bool:
    node = widget.parent
    while isinstance(node, Widget):
        if node is candidate:
            return True
        node = node.parent
    return False


# ----- exceptions and logged errors ------------------------------------------------------------------
class FaultRecorder(ExceptionHandler, logging.Handler):
    """Records every exception the Kivy loop hands to its ExceptionManager (then lets it raise)
    and every ERROR record logged, so a walk can say on which screen it happened."""

    def __init__(self) -> None:
        ExceptionHandler.__init__(self)
        logging.Handler.__init__(self, level=logging.ERROR)
        self.faults: list[str] = []

    def handle_exception(self, inst: BaseException) -> int:
        self.faults.append(f"{type(inst).__name__}: {inst}")
        return ExceptionManager.RAISE

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
        self.faults.append(f"{record.name}: {text}")

    def install(self) -> FaultRecorder:
        ExceptionManager.add_handler(self)
        logging.getLogger().addHandler(self)
        logging.getLogger("kivy").addHandler(self)
        return self

    def uninstall(self) -> None:
        ExceptionManager.remove_handler(self)
        logging.getLogger().removeHandler(self)
        logging.getLogger("kivy").removeHandler(self)

    def take(self, screen: str) -> list[Finding]:
        found = [Finding("exception", screen, "-", fault) for fault in self.faults]
        self.faults.clear()
        return found
