"""The on-screen keyboard: pinyin with a candidate bar, English letters, a number pad and an ID-number pad.

It types into one target ``TextInput`` (use ``keyboard_mode='managed'`` on it so no system
keyboard appears). Pinyin goes through a :class:`kiosk.ime.PinyinEngine`; only committed text
reaches the field. Keys are at least 15 mm (``MIN_KEY_PX`` at about 4 px/mm on a 21.5" 1080p
panel); labels come from ``assets/i18n/<lang>/keyboard.yaml``. ``wipe()`` forgets everything
typed but not yet committed, for the end of a citizen's session.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kivy.core.text import DEFAULT_FONT
from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    BoundedNumericProperty,
    DictProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.widget import Widget

from kiosk.i18n import DEFAULT_LANGUAGE, t
from kiosk.ime.errors import ImeError
from screens.widgets.handwriting_pad import HandwritingPad

log = logging.getLogger(__name__)

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

MIN_KEY_PX = 60  # 15 mm at ~4 px/mm (1920x1080 on 21.5")
MODES = ("pinyin", "handwriting", "ascii", "number", "idnumber")
CHINESE_MODES = ("pinyin", "handwriting")
LABEL_NAMES = (
    "backspace",
    "space",
    "enter",
    "to_english",
    "to_pinyin",
    "shift",
    "unshift",
    "prev_page",
    "next_page",
    "typing_hint",
    "handwrite",
    "rewrite",
    "handwriting_hint",
    "pinyin",
)

BACKSPACE, SPACE, ENTER, TOGGLE_LANG, SHIFT = "backspace", "space", "enter", "toggle_lang", "shift"
HANDWRITE, REWRITE = "handwrite", "rewrite"  # to and from the handwriting pad; clear the pad

DIGIT_ROW = "1234567890"
LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
# (key value, width in key sizes); a value longer than one character is a special key.
Row = list[tuple[str, float]]


def _chars(chars: str, width: float = 1.0) -> Row:
    return [(char, width) for char in chars]


def layout_for(mode: str) -> list[Row]:
    """The rows of keys for one mode."""
    if mode == "handwriting":  # the pad sits above this row
        return [[(HANDWRITE, 2.0), (REWRITE, 2.0), (SPACE, 2.0), (BACKSPACE, 1.5), (ENTER, 2.0)]]
    if mode in ("pinyin", "ascii"):
        third: Row = [(SHIFT, 1.5)] if mode == "ascii" else [(TOGGLE_LANG, 1.5)]
        bottom: Row = [(SPACE, 5.0), (ENTER, 2.0)]
        if mode == "ascii":
            bottom.insert(0, (TOGGLE_LANG, 1.5))
        else:
            bottom.insert(0, (HANDWRITE, 2.0))
        return [
            _chars(DIGIT_ROW),
            _chars(LETTER_ROWS[0]),
            _chars(LETTER_ROWS[1]),
            [*third, *_chars(LETTER_ROWS[2]), (BACKSPACE, 1.5)],
            bottom,
        ]
    pad = 1.5  # number pads have room to spare: wider keys are easier to hit
    if mode == "number":
        return [
            _chars("123", pad),
            _chars("456", pad),
            _chars("789", pad),
            [(BACKSPACE, pad), ("0", pad), (ENTER, pad)],
        ]
    if mode == "idnumber":
        return [
            _chars("123", pad),
            _chars("456", pad),
            _chars("789", pad),
            [("X", pad), ("0", pad), (BACKSPACE, pad)],
            [(ENTER, pad * 3)],
        ]
    raise ValueError(f"unknown keyboard mode {mode!r}; expected one of {MODES}")


class KeyButton(Button):
    """One key; ``key_value`` is the character it types or the name of its action."""

    key_value = StringProperty("")
    keyboard_font = StringProperty(DEFAULT_FONT)


class CandidateButton(Button):
    """One candidate of the current page; ``index`` counts over all pages."""

    index = NumericProperty(0)
    first = BooleanProperty(False)
    keyboard_font = StringProperty(DEFAULT_FONT)


class OnScreenKeyboard(BoxLayout):
    """Touch keyboard bound to ``target`` (a TextInput); events: ``on_enter`` when 确定 is tapped."""

    mode = OptionProperty("pinyin", options=MODES)
    key_size = BoundedNumericProperty(64, min=MIN_KEY_PX)
    lang = StringProperty(DEFAULT_LANGUAGE)
    font_name = StringProperty(DEFAULT_FONT)
    target = ObjectProperty(None, allownone=True)
    engine = ObjectProperty(None, allownone=True)
    recognizer = ObjectProperty(None, allownone=True)  # handwriting; None hides the 手写 key
    candidates_per_page = BoundedNumericProperty(9, min=1)  # most on one page if they fit
    candidate_spacing = NumericProperty(8)
    shifted = BooleanProperty(False)

    preedit = StringProperty("")
    page = NumericProperty(0)
    has_next_page = BooleanProperty(False)
    labels = DictProperty()
    hint_label = StringProperty("")
    prev_label = StringProperty("")
    next_label = StringProperty("")

    __events__ = ("on_enter",)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._page_starts: list[int] = [0]
        self._next_start = 0
        self.pad = HandwritingPad()
        self.pad.bind(candidates=lambda *_: self._first_page())
        self._load_labels()
        self._build_rows()
        self.fbind("lang", self._on_lang)
        self.fbind("mode", self._on_layout_change)
        self.fbind("key_size", self._on_layout_change)
        self.fbind("shifted", self._on_layout_change)
        self.fbind("font_name", self._on_layout_change)
        self.fbind("candidates_per_page", self._on_page_size)
        self.fbind("engine", self._on_page_size)
        self.fbind("recognizer", self._on_layout_change)
        self.fbind("width", self._on_page_size)

    # --- public API ------------------------------------------------------------------------
    def attach(self, target: Any, mode: str | None = None) -> None:
        """Type into ``target`` from now on, optionally switching to ``mode``.

        Pinyin still being composed is committed into the previous field first, so nothing typed is lost.
        """
        self._commit_composition()
        self.target = target
        if mode is not None:
            self.mode = mode

    def press_key(self, value: str) -> None:
        """What a tap on the key ``value`` does (buttons call this; tests may too)."""
        try:
            self._press(value)
        except ImeError:
            self._engine_failed()

    def _press(self, value: str) -> None:
        if value == BACKSPACE:
            self._backspace()
        elif value == SPACE:
            self._space()
        elif value == ENTER:
            self._enter()
        elif value == TOGGLE_LANG:
            self.mode = "ascii" if self.mode == "pinyin" else "pinyin"
        elif value == SHIFT:
            self.shifted = not self.shifted
        elif value == HANDWRITE:
            self.mode = "pinyin" if self.mode == "handwriting" else "handwriting"
        elif value == REWRITE:
            self.pad.clear()
        elif len(value) == 1:
            self._type_char(value)
        else:
            raise ValueError(f"unknown key {value!r}")

    def choose_candidate(self, index: int) -> None:
        """The citizen tapped candidate ``index`` (counted over all pages)."""
        if self.mode == "handwriting":
            if index < len(self.pad.candidates):
                self._insert(self.pad.candidates[index])
            self.pad.clear()
            return
        if self.engine is None:
            return
        try:
            self._insert(self.engine.select(index))
        except ImeError:
            self._engine_failed()
            return
        self._first_page()

    def show_page(self, page: int) -> None:
        """Show candidate page ``page``: the previous one, this one or the next one."""
        if self.engine is None or page < 0 or page > self.page + 1:
            return
        if page == self.page + 1:
            if not self.has_next_page:
                return
            self._page_starts.append(self._next_start)
        else:
            del self._page_starts[page + 1 :]
        self.page = page
        self._refresh_composition()

    def wipe(self) -> None:
        """Forget everything not yet committed: the composition, its candidates, the engine session."""
        if self.engine is not None:
            self.engine.reset()
        self.shifted = False
        self.preedit = ""
        self._page_starts = [0]
        self.page = 0
        self.has_next_page = False
        self.pad.clear()
        self.ids.candidate_bar.clear_widgets()

    def key_buttons(self) -> list[KeyButton]:
        """The key buttons of the current mode, row by row (for tests and screenshots)."""
        return [w for row in self.ids.rows.children[::-1] for w in row.children[::-1] if isinstance(w, KeyButton)]

    def key_button(self, value: str) -> KeyButton:
        """The key that types or does ``value``."""
        for button in self.key_buttons():
            if button.key_value == value:
                return button
        raise KeyError(f"no key {value!r} in mode {self.mode}")

    def candidate_buttons(self) -> list[CandidateButton]:
        """The candidates shown now, in order."""
        return list(self.ids.candidate_bar.children[::-1])

    def on_enter(self) -> None:
        """Default handler of the ``on_enter`` event (the screen binds to it)."""

    # --- key actions -----------------------------------------------------------------------
    def _engine_failed(self) -> None:
        # A broken engine must not take the screen down: carry on with plain letters.
        log.exception("pinyin engine failed; the keyboard falls back to English letters")
        self.engine = None
        self._build_rows()

    def _type_char(self, char: str) -> None:
        if self.mode == "pinyin" and self.engine is not None and "a" <= char <= "z":
            self._insert(self.engine.type_letters(char))
            self._first_page()
            return
        if self.mode == "pinyin":
            self._commit_composition()  # a digit after pinyin: keep the words, then the digit
        if self.mode == "ascii" and self.shifted:
            char = char.upper()
        self._insert(char)

    def _backspace(self) -> None:
        if self.mode == "handwriting" and self.pad.strokes:
            self.pad.undo()  # 删除 takes back the last stroke before any committed text
        elif self.engine is not None and self.mode == "pinyin" and self.engine.backspace():
            self._first_page()
        elif self.target is not None:
            self.target.do_backspace()

    def _space(self) -> None:
        if self.mode == "handwriting" and self.pad.candidates:
            self.choose_candidate(0)
        elif self.mode == "pinyin" and self.engine is not None and self.engine.composing:
            self._commit_composition()
        else:
            self._insert(" ")

    def _enter(self) -> None:
        if self.mode == "handwriting" and self.pad.candidates:
            self.choose_candidate(0)  # 确定 keeps the character being written
            return
        if self.mode == "pinyin" and self.engine is not None and self.engine.composing:
            self._commit_composition()  # 确定 never throws away what was typed
            return
        self.dispatch("on_enter")

    def _commit_composition(self) -> None:
        if self.engine is None or not self.engine.composing:
            return
        self._insert(self.engine.confirm())
        self._first_page()

    def _insert(self, text: str) -> None:
        if text and self.target is not None:
            self.target.insert_text(text)

    # --- drawing ---------------------------------------------------------------------------
    def _first_page(self) -> None:
        self._page_starts = [0]
        self.page = 0
        self._refresh_composition()

    def _candidate_metrics(self) -> tuple[float, float]:
        height = self.key_size * 0.96
        return height, height * 0.5

    def _candidate_width(self, text: str) -> float:
        height, font = self._candidate_metrics()
        glyphs = sum(font if ord(char) > 0x2E80 else font * 0.6 for char in text)
        return max(glyphs + height * 0.5, height)

    def _bar_width(self) -> float:
        pad = self.key_size * 0.15
        buttons = 2 * self.key_size * 1.6 + 2 * self.key_size * 0.1
        return self.width - 2 * pad - buttons

    def _refresh_composition(self, *_: object) -> None:
        """Show the preedit and as many candidates as fit the bar (pages are sized by width)."""
        bar = self.ids.candidate_bar
        bar.clear_widgets()
        if self.mode == "handwriting":
            self._show_handwriting_candidates()
            return
        engine = self.engine
        if engine is None or not engine.composing:
            self.preedit = ""
            self.has_next_page = False
            return
        self.preedit = engine.preedit
        start = self._page_starts[-1]
        room = self._bar_width()
        shown = 0
        for offset, text in enumerate(engine.candidates_from(start, int(self.candidates_per_page))):
            width = self._candidate_width(text)
            if shown and width > room:
                break  # the rest go to the next page; the first always shows
            room -= width + self.candidate_spacing
            button = CandidateButton(
                text=text,
                index=start + offset,
                first=start + offset == 0,
                keyboard_font=self.font_name,
                width=width,
            )
            button.bind(on_release=lambda b: self.choose_candidate(int(b.index)))
            bar.add_widget(button)
            shown += 1
        self._next_start = start + shown
        self.has_next_page = engine.has_candidate(self._next_start)

    def _show_handwriting_candidates(self) -> None:
        """The pad's candidates, as many as fit the bar, the best first (in red, like pinyin's)."""
        self.preedit = ""
        self.has_next_page = False
        room = self._bar_width()
        for index, text in enumerate(self.pad.candidates):
            width = self._candidate_width(text)
            if index and width > room:
                break
            room -= width + self.candidate_spacing
            button = CandidateButton(
                text=text, index=index, first=index == 0, keyboard_font=self.font_name, width=width
            )
            button.bind(on_release=lambda b: self.choose_candidate(int(b.index)))
            self.ids.candidate_bar.add_widget(button)

    def _build_rows(self) -> None:
        mode = self.mode
        if mode == "handwriting" and self.recognizer is None:
            mode = "pinyin"
        if mode == "pinyin" and self.engine is None:
            log.warning("no pinyin engine: the keyboard shows English letters")
            mode = "ascii"
        rows = self.ids.rows
        rows.clear_widgets()
        size = self.key_size
        gap = size * 0.12
        if self.pad.parent is not None:
            self.pad.parent.remove_widget(self.pad)
        if mode == "handwriting":
            self.pad.recognizer = self.recognizer
            side = size * 4 + gap * 3  # as tall as four rows of keys
            holder = BoxLayout(size_hint_y=None, height=side)
            holder.add_widget(Widget())
            self.pad.size_hint = (None, None)
            self.pad.size = (side, side)
            holder.add_widget(self.pad)
            holder.add_widget(Widget())
            rows.add_widget(holder)
        for row in layout_for(mode):
            line = BoxLayout(size_hint_y=None, height=size, spacing=gap)
            line.add_widget(Widget())
            for value, width in row:
                if value == TOGGLE_LANG and self.engine is None:
                    continue  # no Chinese to switch to
                if value == HANDWRITE and self.recognizer is None:
                    continue
                key = KeyButton(
                    key_value=value,
                    text=self._label(value),
                    keyboard_font=self.font_name,
                    size_hint_x=None,
                    width=size * width + gap * (width - 1),
                )
                key.bind(on_release=lambda b: self.press_key(b.key_value))
                line.add_widget(key)
            line.add_widget(Widget())
            rows.add_widget(line)

    def _label(self, value: str) -> str:
        if value == TOGGLE_LANG:
            return self.labels["to_english" if self.mode == "pinyin" else "to_pinyin"]
        if value == SHIFT:
            return self.labels["unshift" if self.shifted else "shift"]
        if value == HANDWRITE:
            return self.labels["pinyin" if self.mode == "handwriting" else "handwrite"]
        if value == REWRITE:
            return self.labels["rewrite"]
        if value in (BACKSPACE, SPACE, ENTER):
            return self.labels[value]
        if self.mode == "ascii" and self.shifted:
            return value.upper()
        return value

    def _load_labels(self) -> None:
        self.labels = {name: t(f"keyboard.{name}", self.lang) for name in LABEL_NAMES}
        self.hint_label = self.labels["typing_hint"]
        self.prev_label = self.labels["prev_page"]
        self.next_label = self.labels["next_page"]

    def _on_lang(self, *_: object) -> None:
        self._load_labels()
        self._build_rows()

    def _on_layout_change(self, *_: object) -> None:
        if self.mode != "pinyin":
            self._commit_composition()  # switching to 英 keeps the words already typed
        if self.mode != "handwriting":
            self.pad.clear()
        self._build_rows()
        self._first_page()

    def _on_page_size(self, *_: object) -> None:
        self._first_page()
