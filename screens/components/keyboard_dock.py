"""Docks the shared on-screen keyboard (``screens.widgets.keyboard``) under a screen's inputs.

Whichever :class:`KioskInput` gains focus gets the keyboard in the mode its field asks for
(``Field.keyboard``); "确定" moves to the next input. One pinyin engine serves the whole app.
"""

from __future__ import annotations

import logging
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.scrollview import ScrollView

from screens.widgets.keyboard import MIN_KEY_PX, OnScreenKeyboard

log = logging.getLogger(__name__)

# The catalog names the ID-number pad "idcard"; the keyboard widget calls it "idnumber".
MODE_FOR_KIND = {"pinyin": "pinyin", "ascii": "ascii", "number": "number", "idcard": "idnumber"}

_engine: Any = None
_engine_failed = False


def shared_engine() -> Any:
    """The app's one pinyin engine (None when librime is unavailable; the keyboard then types letters)."""
    global _engine, _engine_failed
    if _engine is None and not _engine_failed:
        try:
            from kiosk.ime import PinyinEngine

            _engine = PinyinEngine()
        except Exception as error:  # librime missing or data not built: letters still work
            log.warning("pinyin input unavailable: %s", error)
            _engine_failed = True
    return _engine


_recognizer: Any = None
_recognizer_failed = False


def shared_recognizer() -> Any:
    """The app's one handwriting recogniser (None when libzinnia or its model is missing)."""
    global _recognizer, _recognizer_failed
    if _recognizer is None and not _recognizer_failed:
        try:
            from kiosk.ime.handwriting import HandwritingRecognizer

            _recognizer = HandwritingRecognizer()
        except Exception as error:  # no libzinnia: pinyin still works
            log.warning("handwriting input unavailable: %s", error)
            _recognizer_failed = True
    return _recognizer


def key_size_for(theme: Any) -> float:
    """Keys a little smaller than the big buttons, never under the 15 mm minimum."""
    return max(MIN_KEY_PX, theme.touch_min * 1.2)


def keyboard_width(theme: Any) -> float:
    """Width the widest (letter) layout needs: 10 keys, their gaps and padding."""
    key = key_size_for(theme)
    return key * 10 + key * 0.12 * 9 + key * 0.3 + 2


def scroll_into_view(widget: Any) -> None:
    """Scroll the nearest ScrollView so ``widget`` is visible above the keyboard."""
    parent = widget.parent
    for _ in range(64):  # the Window is its own parent: never walk forever
        if parent is None or isinstance(parent, ScrollView):
            break
        parent = parent.parent
    if isinstance(parent, ScrollView) and not fully_visible(widget, parent):
        parent.scroll_to(widget, padding=min(widget.height / 2, parent.height / 4), animate=False)


def fully_visible(widget: Any, view: Any) -> bool:
    """Whether ``widget`` lies entirely inside ``view``'s visible area (window coordinates)."""
    left, bottom = widget.to_window(widget.x, widget.y)
    right, top = widget.to_window(widget.right, widget.top)
    v_left, v_bottom = view.to_window(view.x, view.y)
    v_right, v_top = view.to_window(view.right, view.top)
    return left >= v_left - 1 and right <= v_right + 1 and bottom >= v_bottom - 1 and top <= v_top + 1


class KeyboardDock(BoxLayout):
    """Holds one keyboard; ``inputs`` lists the inputs it serves, in order."""

    inputs = ListProperty([])
    shown = BooleanProperty(False)
    side = BooleanProperty(False)  # docked beside the content (forms) rather than under it
    target = ObjectProperty(None, allownone=True)
    keyboard = ObjectProperty(None, allownone=True)
    after_last = ObjectProperty(None, allownone=True)  # what 确定 on the last input does (answer a question)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.size_hint_y = None
        self.height = 0
        self.fbind("inputs", self._bind_inputs)
        self.fbind("target", self._target_set)
        self._bound: list[Any] = []

    def _target_set(self, *_: object) -> None:
        if self.target is not None and self.target not in self.inputs:
            self.inputs = [self.target]

    def _bind_inputs(self, *_: object) -> None:
        for widget in self._bound:
            widget.funbind("focus", self._focus_changed)
        self._bound = list(self.inputs)
        for widget in self._bound:
            widget.fbind("focus", self._focus_changed)

    def _focus_changed(self, widget: Any, focused: bool) -> None:
        if focused:
            # the keyboard types into one input: no other keeps its focus frame ("managed"
            # keyboards do not take focus from each other by themselves). A kv ``target: search``
            # is a weak proxy: compared by identity it was "another" input, and lost its focus.
            for other in self.inputs:
                if other.__self__ is not widget.__self__ and other.focus:
                    other.focus = False
            self.show_for(widget)

    def _ensure_keyboard(self) -> OnScreenKeyboard:
        if self.keyboard is None:
            app = App.get_running_app()
            key_size = key_size_for(app.theme)
            self.keyboard = OnScreenKeyboard(
                engine=shared_engine(), recognizer=shared_recognizer(), key_size=key_size, lang=app.lang)
            self.keyboard.bind(on_enter=self._next_input, height=self._fit)
            app.bind(lang=lambda _a, lang: setattr(self.keyboard, "lang", lang))
            app.theme.bind(touch=lambda theme, _v: setattr(self.keyboard, "key_size", key_size_for(theme)))
            self.add_widget(self.keyboard)
        return self.keyboard

    def _fit(self, *_: object) -> None:
        if self.keyboard is not None and self.shown:
            self.height = self.keyboard.height

    def show_for(self, widget: Any) -> None:
        keyboard = self._ensure_keyboard()
        mode = MODE_FOR_KIND.get(getattr(widget, "keyboard_kind", "pinyin"), "pinyin")
        keyboard.attach(widget, mode)
        keyboard.opacity, keyboard.disabled = 1, False
        self.shown = True
        self.height = keyboard.height
        Clock.schedule_once(lambda _dt: scroll_into_view(widget), 0)

    def hide(self) -> None:
        if self.keyboard is not None:
            self.keyboard.attach(None)
            self.keyboard.wipe()
            # the dock shrinks to nothing but the keys keep their size: hide them, or they are
            # drawn over whatever lies under the empty dock (touches: see on_touch_down)
            self.keyboard.opacity, self.keyboard.disabled = 0, True
        for widget in self.inputs:
            widget.focus = False
        self.shown = False
        self.height = 0

    def on_touch_down(self, touch: Any) -> bool:
        # Kivy's disabled widgets swallow the touches that land on them: the hidden keys, which
        # keep their size, took the touches meant for 下一步 and the pickers under them.
        if not self.shown:
            return False
        return bool(super().on_touch_down(touch))

    def _next_input(self, *_: object) -> None:
        current = self.keyboard.target if self.keyboard else None
        if current in self.inputs:
            index = self.inputs.index(current)
            if index + 1 < len(self.inputs):
                self.inputs[index + 1].focus = True
                return
        self.hide()
        if self.after_last is not None:
            self.after_last()

    def wipe(self) -> None:
        self.hide()


class KeyboardColumn(AnchorLayout):
    """The strip a screen's keyboard sits in: beside the content on a landscape screen (as wide as
    the keys while they are shown, nothing otherwise), under it on an upright one (as high as the
    keys). The screen declares its :class:`KeyboardDock` inside and hands it over as ``dock``.

    Both sizes are set again at every turn: a size the layout gave in one orientation once stayed
    after turning back (the questions took 230 of 1366 pixels after a portrait walk)."""

    dock = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.anchor_y = "bottom"
        theme = App.get_running_app().theme
        theme.fbind("portrait", self._fit)
        theme.fbind("touch_min", self._fit)  # the keys' size, so the keyboard's width
        self.fbind("dock", self._dock_set)
        self._fit()

    def _dock_set(self, *_: object) -> None:
        if self.dock is not None:
            self.dock.fbind("shown", self._fit)
            self.dock.fbind("height", self._fit)
        self._fit()

    def _fit(self, *_: object) -> None:
        theme = App.get_running_app().theme
        dock = self.dock
        if theme.portrait:
            self.size_hint = (1, None)
            self.height = dock.height if dock is not None else 0
        else:
            self.size_hint = (None, 1)
            self.width = keyboard_width(theme) if dock is not None and dock.shown else 0


Builder.load_string("""
<KeyboardColumn>:
    canvas.before:
        Color:
            rgba: 0.80, 0.82, 0.86, 1
        Rectangle:
            pos: self.pos
            size: self.size
""")
