"""The on-screen keyboard in a real offscreen Kivy window, driven by simulated finger taps."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kivy.base import EventLoop
from kivy.tests.common import UnitTestTouch
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from identity.idnumber import generate_person
from kiosk.ime import PinyinEngine
from screens.widgets.keyboard import MIN_KEY_PX, MODES, OnScreenKeyboard

pytestmark = pytest.mark.kivy

SHOT_DIR = Path("/tmp/kiosk-keyboard-shots")


def frames(n: int = 3) -> None:
    for _ in range(n):
        EventLoop.idle()


def tap(widget: Widget, settle: int = 2) -> None:
    """A finger tap at the widget's centre, through the window's input dispatch; then ``settle``
    frames for layouts to follow (candidate buttons move)."""
    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    touch.touch_up()
    frames(settle)


class Stage:
    def __init__(self, window: Any, keyboard: OnScreenKeyboard, field: TextInput) -> None:
        self.window, self.keyboard, self.field = window, keyboard, field

    def type(self, keys: str) -> None:
        # The keys keep their place while typing (the candidate bar's height is fixed), so one
        # frame between taps is enough; the last settles fully before candidates are tapped.
        for char in keys:
            tap(self.keyboard.key_button(char), settle=1)
        frames(1)

    def key(self, name: str) -> None:
        tap(self.keyboard.key_button(name))

    def candidate(self, text: str) -> None:
        for button in self.keyboard.candidate_buttons():
            if button.text == text:
                tap(button)
                return
        shown = [b.text for b in self.keyboard.candidate_buttons()]
        raise AssertionError(f"{text!r} not among the candidates {shown}")


def make_stage(window: Any, engine: PinyinEngine | None, mode: str, lang: str = "zh_CN") -> Stage:
    field = TextInput(keyboard_mode="managed", unfocus_on_touch=False, size_hint_y=None, height=80)
    keyboard = OnScreenKeyboard(engine=engine, target=field, mode=mode, lang=lang)
    root = BoxLayout(orientation="vertical", size=window.size)
    for widget in (field, Widget(), keyboard):
        root.add_widget(widget)
    window.add_widget(root)
    frames(4)  # insert_text is lost before the field's first frame
    field.focus = True
    return Stage(window, keyboard, field)


@pytest.fixture
def stage(window: Any, engine: PinyinEngine) -> Iterator[Stage]:
    made = make_stage(window, engine, "pinyin")
    yield made
    window.remove_widget(made.keyboard.parent)
    frames(1)


def test_pinyin_typed_by_taps_reaches_the_field(stage: Stage) -> None:
    stage.type("shangmao")
    assert stage.keyboard.preedit == "shang mao"
    assert stage.field.text == ""  # nothing committed while composing
    stage.candidate("商贸")
    assert stage.field.text == "商贸"
    stage.type("dalianxinyuan")
    stage.candidate("大连")  # the first word only; xin yuan still composing
    assert stage.keyboard.preedit == "大连xin yuan"
    stage.candidate("鑫源")
    stage.type("youxiangongsi")
    stage.key("space")  # space takes the first candidate
    assert stage.field.text == "商贸大连鑫源有限公司"
    assert stage.keyboard.preedit == "" and stage.keyboard.candidate_buttons() == []


def test_long_phrase_from_our_dictionary(stage: Stage) -> None:
    stage.type("dalianxinyuanshangmaoyouxiangongsi")
    assert stage.keyboard.candidate_buttons()[0].text == "大连鑫源商贸有限公司"
    stage.candidate("大连鑫源商贸有限公司")
    assert stage.field.text == "大连鑫源商贸有限公司"


def test_digits_after_pinyin_keep_the_words(stage: Stage) -> None:
    stage.type("huabeilu")
    stage.type("88")
    assert stage.field.text == "华北路88"


def test_candidate_paging(stage: Stage) -> None:
    kb = stage.keyboard
    stage.type("shi")
    first_page = [b.text for b in kb.candidate_buttons()]
    assert kb.ids.prev_page.disabled and not kb.ids.next_page.disabled
    tap(kb.ids.next_page)
    second_page = [b.text for b in kb.candidate_buttons()]
    assert kb.page == 1 and second_page and not set(first_page) & set(second_page)
    assert not kb.ids.prev_page.disabled
    tap(kb.ids.prev_page)
    assert [b.text for b in kb.candidate_buttons()] == first_page
    tap(kb.ids.next_page)
    stage.candidate(second_page[1])
    assert stage.field.text == second_page[1]
    assert kb.page == 0


def test_candidates_fit_the_bar(stage: Stage) -> None:
    kb = stage.keyboard
    stage.type("shi")
    bar = kb.ids.candidate_bar
    buttons = kb.candidate_buttons()
    assert buttons[-1].right <= bar.right + 1
    assert min(b.height for b in buttons) >= MIN_KEY_PX * 0.9


def test_backspace_edits_pinyin_then_the_field(stage: Stage) -> None:
    stage.type("shangmao")
    stage.key("space")
    stage.type("qic")
    stage.key("backspace")
    assert stage.keyboard.preedit == "qi"
    stage.key("backspace")
    stage.key("backspace")
    assert stage.keyboard.preedit == ""
    assert stage.field.text == "商贸"
    stage.key("backspace")
    assert stage.field.text == "商"


def test_enter_commits_composition_then_signals_done(stage: Stage) -> None:
    done: list[bool] = []
    stage.keyboard.bind(on_enter=lambda *_: done.append(True))
    stage.type("qiche")
    stage.key("enter")
    assert stage.field.text == "汽车" and done == []
    stage.key("enter")
    assert done == [True]


def test_english_letters_and_caps(stage: Stage) -> None:
    stage.type("zu")
    stage.key("toggle_lang")  # leaving pinyin commits what was composed
    assert stage.keyboard.mode == "ascii"
    assert stage.field.text == "组"
    stage.type("ab")
    stage.key("shift")
    assert stage.keyboard.key_button("c").text == "C"
    stage.type("cd")
    stage.key("space")
    stage.key("toggle_lang")
    assert stage.keyboard.mode == "pinyin"
    assert stage.field.text == "组abCD "


def test_id_number_pad_gives_uppercase_x(window: Any, engine: PinyinEngine) -> None:
    rng = random.Random(5)
    person = next(p for p in (generate_person(rng) for _ in range(500)) if p.id_number.endswith("X"))
    made = make_stage(window, engine, "idnumber")
    try:
        keys = {b.key_value for b in made.keyboard.key_buttons()}
        assert keys == set("0123456789X") | {"backspace", "enter"}
        made.type(person.id_number)
        assert made.field.text == person.id_number
        assert made.field.text.endswith("X")
        made.key("backspace")
        assert made.field.text == person.id_number[:-1]
    finally:
        window.remove_widget(made.keyboard.parent)


def test_number_pad(window: Any, engine: PinyinEngine) -> None:
    made = make_stage(window, engine, "number")
    done: list[bool] = []
    made.keyboard.bind(on_enter=lambda *_: done.append(True))
    try:
        assert {b.key_value for b in made.keyboard.key_buttons()} == set("0123456789") | {"backspace", "enter"}
        made.type("20240")
        made.key("backspace")
        made.key("enter")
        assert made.field.text == "2024" and done == [True]
    finally:
        window.remove_widget(made.keyboard.parent)


def test_wipe_clears_every_buffer(stage: Stage) -> None:
    kb = stage.keyboard
    stage.type("dalianxin")
    stage.candidate("大连")
    tap(kb.ids.next_page)
    kb.wipe()
    frames(1)
    assert kb.preedit == "" and kb.candidate_buttons() == [] and kb.page == 0
    assert kb.engine.input == "" and kb.engine.candidates(0) == []
    assert stage.field.text == ""  # nothing had been committed
    stage.type("shangmao")
    stage.key("space")
    assert stage.field.text == "商贸"  # usable again after a wipe


def test_keys_are_big_enough_and_labelled_from_i18n(window: Any, engine: PinyinEngine) -> None:
    made = make_stage(window, engine, "pinyin", lang="en")
    try:
        kb = made.keyboard
        assert kb.key_button("backspace").text == "Delete"
        assert kb.key_button("space").text == "Space"
        kb.lang = "zh_CN"
        assert [kb.key_button(k).text for k in ("backspace", "space", "enter", "toggle_lang")] == [
            "删除",
            "空格",
            "确定",
            "英",
        ]
        for mode in MODES:
            kb.mode = mode
            frames(2)
            for button in kb.key_buttons():
                assert button.width >= MIN_KEY_PX and button.height >= MIN_KEY_PX, (mode, button.key_value)
                assert button.x >= kb.x and button.right <= kb.right
        with pytest.raises(ValueError):
            kb.key_size = MIN_KEY_PX - 1
        kb.key_size = 80
        frames(2)
        assert min(b.height for b in kb.key_buttons()) == 80
    finally:
        window.remove_widget(made.keyboard.parent)


def test_without_an_engine_the_letters_type_directly(window: Any) -> None:
    made = make_stage(window, None, "pinyin")
    try:
        made.type("abc")
        assert made.field.text == "abc"
        assert made.keyboard.preedit == ""
        with pytest.raises(KeyError):
            made.keyboard.key_button("toggle_lang")  # no Chinese to switch to
    finally:
        window.remove_widget(made.keyboard.parent)


def test_render_every_mode_to_png(window: Any, engine: PinyinEngine) -> None:
    SHOT_DIR.mkdir(exist_ok=True)
    made = make_stage(window, engine, "pinyin")
    try:
        kb = made.keyboard
        made.type("ganjingziqu")
        for mode in ("pinyin", "ascii", "number", "idnumber"):
            if mode != "pinyin":
                kb.mode = mode
            frames(3)
            path = SHOT_DIR / f"keyboard-{mode}.png"
            kb.export_to_png(str(path))
            assert path.stat().st_size > 2000
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        window.remove_widget(made.keyboard.parent)


def test_a_failing_engine_falls_back_to_letters(window: Any, rime_data: Any) -> None:
    broken = PinyinEngine(rime_data)
    made = make_stage(window, broken, "pinyin")
    try:
        made.type("shang")
        broken.close()  # every engine call now raises ImeError
        made.type("m")
        assert made.keyboard.engine is None and made.keyboard.preedit == ""
        made.type("ao")
        assert made.field.text == "ao"
    finally:
        window.remove_widget(made.keyboard.parent)
