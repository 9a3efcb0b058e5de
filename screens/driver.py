"""Drives the real UI without a person: pumps Kivy's event loop, taps widgets with synthetic
touches, waits for screens, and saves screenshots. Used by the tests, ``kiosk run --script``
and the benchmarks, so all three exercise exactly what a citizen would touch.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kivy.base import EventLoop
from kivy.input.motionevent import MotionEvent
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget


class SyntheticTouch(MotionEvent):
    """One finger at window coordinates (x, y), dispatched through the event loop like a real one."""

    def __init__(self, x: float, y: float) -> None:
        win = EventLoop.window
        super().__init__("synthetic", id(self), {"x": x / max(1, win.width - 1), "y": y / max(1, win.height - 1)},
                         is_touch=True, type_id="touch")
        self.profile = ["pos"]

    def depack(self, args: dict[str, float]) -> None:
        self.sx = args["x"]
        self.sy = args["y"]
        super().depack(args)


def _describe(widget: Widget) -> str:
    text = getattr(widget, "text", "")
    return f"{type(widget).__name__}{f' {text!r}' if text else ''}"


def _layout_report(widget: Widget) -> str:
    """Where a widget and its parents lie, and the window and theme they were laid out for: what
    a touch that missed needs to be understood."""
    from kivy.app import App
    from kivy.core.window import Window

    chain = []
    node: Any = widget
    while node is not None and node is not Window and len(chain) < 12:
        chain.append(f"{type(node).__name__}@{node.x:.0f},{node.y:.0f} {node.width:.0f}x{node.height:.0f}")
        node = node.parent
    theme = App.get_running_app().theme
    return (f"window {Window.size}, theme scale {theme.scale:.2f} portrait {theme.portrait} "
            f"large {theme.large_text} touch {theme.touch:.0f}; " + " < ".join(chain))


def is_hanzi(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


class UiDriver:
    """Wraps a :class:`screens.app.KioskApp` that was prepared but not ``run()``.

    ``touches`` counts every synthetic touch and ``typed`` every character that reached a field,
    so a benchmark can measure whatever the UI makes a citizen do.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.touches = 0
        self.touched: dict[str, int] = {}  # touches by the kind of widget (KeyButton, CandidateButton…)
        self.typed = 0
        self.untyped = 0  # characters the keyboard offered no way to type (inserted directly)

    @classmethod
    def launch(cls, app: Any, size: tuple[int, int] = (1920, 1080)) -> UiDriver:
        from kivy.core.window import Window

        Window.size = size
        app._run_prepare()  # build, add the root to the window, on_start, without blocking
        driver = cls(app)
        driver.pump(3)
        return driver

    # ----- the loop -----------------------------------------------------------------------
    def pump(self, frames: int = 1) -> None:
        """Run ``frames`` frames: clocks, input, layouts; only the last one is drawn (drawing is
        most of a frame's cost in software GL, and nobody sees the ones in between)."""
        for _ in range(frames - 1):
            self._frame_undrawn()
        if frames > 0:
            EventLoop.idle()

    @staticmethod
    def _frame_undrawn() -> None:
        """:meth:`EventLoop.idle` without ``on_draw``/``on_flip``."""
        from kivy.clock import Clock
        from kivy.lang import Builder

        Clock.tick()
        EventLoop.dispatch_input()
        Builder.sync()
        Clock.tick_draw()
        Builder.sync()

    def wait(self, predicate: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        turns = 0
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout}s for {what or predicate} (screen {self.app.current})")
            turns += 1
            if turns % 8:
                self._frame_undrawn()
            else:
                EventLoop.idle()  # now and then a drawn frame, for what waits on one
            time.sleep(0.005)

    def wait_screen(self, name: str, timeout: float = 15.0) -> None:
        self.wait(lambda: self.app.entered == name, timeout, f"screen {name!r}")
        self.pump(1)

    # ----- finding and touching -----------------------------------------------------------
    def walk(self, root: Widget | None = None) -> Iterator[Widget]:
        from kivy.core.window import Window

        start = root if root is not None else Window
        stack = list(start.children)
        while stack:
            widget = stack.pop()
            yield widget
            stack.extend(widget.children)

    def screen_widgets(self) -> Iterator[Widget]:
        """Widgets of the current screen and of any open modal."""
        from kivy.core.window import Window

        yield from self.walk(self.app.sm.current_screen)
        for child in Window.children:
            if child is not self.app.root:
                yield child
                yield from self.walk(child)

    def find(self, text: str, root: Widget | None = None) -> Widget:
        """The visible, enabled widget whose text is ``text`` on the current screen."""
        widgets = self.walk(root) if root is not None else self.screen_widgets()
        for widget in widgets:
            if getattr(widget, "text", None) == text and not widget.disabled and widget.opacity > 0:
                return widget
        raise LookupError(f"no widget with text {text!r} on screen {self.app.current}")

    def tap(self, widget: Widget) -> None:
        """Press and release at the widget's centre, as a finger would (scrolling it into view
        first). A button the touch did not press, or a text field it did not focus, is an error
        naming what took the touch; a touch nothing took (the layout moved under it) is tried once
        more after it settles."""
        checked = not widget.disabled and isinstance(widget, ButtonBehavior | TextInput)
        for attempt in (1, 2):
            x, y = self._settled_point(widget)
            pressed, grabbed = self._touch(x, y, widget)
            if pressed or not checked:
                return
            if grabbed or attempt == 2:  # a finger there would not press it either
                others = ", ".join(_describe(w) for w in grabbed) or "nothing"
                raise LookupError(f"the touch on {_describe(widget)} at ({x:.0f}, {y:.0f}) did not "
                                  f"{'focus' if isinstance(widget, TextInput) else 'press'} it "
                                  f"(it went to {others}); {_layout_report(widget)}")
            self.pump(5)

    def _settled_point(self, widget: Widget) -> tuple[float, float]:
        from screens.components.keyboard_dock import scroll_into_view

        self.pump(2)  # let new widgets get their layout first
        scroll_into_view(widget)
        self.pump(1)
        x, y = widget.to_window(*widget.center)
        for _ in range(10):  # a layout still settling (new tiles, a resized window) moves it
            self.pump(1)
            settled = widget.to_window(*widget.center)
            if settled == (x, y):
                break
            scroll_into_view(widget)
            x, y = settled
        return x, y

    def _touch(self, x: float, y: float, widget: Widget) -> tuple[bool, list[Widget]]:
        """One touch at (x, y): whether it pressed ``widget`` (a button), and what grabbed it."""
        touch = SyntheticTouch(x, y)
        self.touches += 1
        kind = type(widget).__name__
        self.touched[kind] = self.touched.get(kind, 0) + 1
        pressed: list[bool] = []
        button = isinstance(widget, ButtonBehavior) and not widget.disabled
        uid = widget.fbind("on_press", lambda *_: pressed.append(True)) if button else 0
        EventLoop.post_dispatch_input("begin", touch)
        self.pump(1)
        grabbed = [w for w in (ref() for ref in touch.grab_list) if w is not None]
        touch.update_time_end()  # as every Kivy input provider does on release
        EventLoop.post_dispatch_input("end", touch)
        self.pump(2)
        if button:
            widget.unbind_uid("on_press", uid)
        if isinstance(widget, TextInput) and widget.focus:
            pressed.append(True)
        return bool(pressed), grabbed

    def tap_text(self, text: str) -> None:
        """Tap the widget showing ``text``: the button it is part of (a tile's title), so that a
        touch that does not press it is an error."""
        widget: Any = self.find(text)
        node = widget
        while node is not None and node.parent is not node and not isinstance(node, ButtonBehavior):
            node = node.parent
        self.tap(node if isinstance(node, ButtonBehavior) else widget)

    def tap_at(self, x: float, y: float) -> None:
        touch = SyntheticTouch(x, y)
        self.touches += 1
        self.touched["point"] = self.touched.get("point", 0) + 1
        EventLoop.post_dispatch_input("begin", touch)
        self.pump(1)
        touch.update_time_end()  # as every Kivy input provider does on release
        EventLoop.post_dispatch_input("end", touch)
        self.pump(2)

    def type_into(self, field: TextInput, text: str) -> None:
        """Focus a field by touch, then type with the docked on-screen keyboard's keys."""
        self.tap(field)
        field.text = ""
        for char in text:
            self.press_key(char)

    def keyboard(self) -> Any:
        from screens.widgets.keyboard import OnScreenKeyboard

        keyboards = [w for w in self.screen_widgets() if isinstance(w, OnScreenKeyboard) and w.target is not None]
        if not keyboards:
            raise LookupError("no on-screen keyboard is attached to a field")
        return keyboards[0]

    def type_text(self, field: TextInput, text: str) -> None:
        """Type any text by touch as a citizen would: hanzi as pinyin keys plus a candidate tap,
        letters and digits on their keys (switching 中/英 for letters in a pinyin field)."""
        self.tap(field)
        field.text = ""
        keyboard = self.keyboard()
        index = 0
        while index < len(text):
            char = text[index]
            if is_hanzi(char) and keyboard.mode == "pinyin" and keyboard.engine is not None:
                index += self._type_hanzi(keyboard, text, index)
                continue
            if keyboard.mode == "pinyin" and char.isascii() and char.isalpha():
                self.tap(keyboard.key_button("toggle_lang"))
                self.press_key(char)
                self.tap(keyboard.key_button("toggle_lang"))
            else:
                self.press_key(char)
            index += 1

    def _type_hanzi(self, keyboard: Any, text: str, index: int) -> int:
        """Type the run of hanzi at ``text[index]``: its pinyin (at most a few characters' worth),
        then the candidate that matches most of what follows; returns the characters committed."""
        from pypinyin import lazy_pinyin

        end = index
        while end < len(text) and is_hanzi(text[end]) and end - index < 4:
            end += 1
        for chunk in (text[index:end], text[index]):
            for letter in "".join(lazy_pinyin(chunk)).replace("ü", "v"):
                self.tap(keyboard.key_button(letter))
            committed = self._choose_candidate(keyboard, text, index)
            if committed:
                return committed
            while keyboard.engine.composing:  # nothing matched: take the letters back out
                self.tap(keyboard.key_button("backspace"))
        keyboard.target.insert_text(text[index])  # no candidate offers it (a rare character)
        self.untyped += 1
        self.typed += 1
        return 1

    def _choose_candidate(self, keyboard: Any, text: str, index: int) -> int:
        """Tap candidates (turning pages if need be) until the composition is used up; returns the
        characters committed, 0 if no candidate matched."""
        done = 0
        pages = 0
        while keyboard.engine.composing:
            here = index + done
            matches = [b for b in keyboard.candidate_buttons() if b.text and text.startswith(b.text, here)]
            if matches:
                best = max(matches, key=lambda b: len(b.text))
                chosen = best.text
                self.tap(best)
                done += len(chosen)
                pages = 0
                continue
            if keyboard.has_next_page and pages < 4:
                self.tap(keyboard.ids.next_page)
                pages += 1
                continue
            if done:  # the rest of the letters match nothing: drop them, type the rest afresh
                while keyboard.engine.composing:
                    self.tap(keyboard.key_button("backspace"))
            break
        self.typed += done
        return done

    def press_key(self, char: str) -> None:
        keyboard = self.keyboard()
        if keyboard.mode == "idnumber" and char.lower() == "x":
            char = "X"
        value = char.lower() if keyboard.mode in ("ascii", "pinyin") and char.isalpha() else char
        if keyboard.mode == "ascii" and char.isalpha() and keyboard.shifted != char.isupper():
            self.tap(keyboard.key_button("shift"))
        try:
            key = keyboard.key_button(value)
        except KeyError:
            keyboard.target.insert_text(char)  # a character the layout has no key for (e.g. "-")
            self.untyped += 1
            self.typed += 1
            return
        self.tap(key)
        self.typed += 1

    # ----- evidence -----------------------------------------------------------------------
    def screenshot(self, path: str | os.PathLike[str]) -> Path:
        """Save the window as PNG at exactly ``path``."""
        from screens.remote import window_image

        self.pump(2)
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        window_image().save(target)
        return target

    def texts(self) -> list[str]:
        """Every text a person could read on screen or a field holds, in every live widget."""
        return [w.text for w in self.walk() if isinstance(w, Label | TextInput) and w.text]
