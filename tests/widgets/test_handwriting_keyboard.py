"""手写 on the on-screen keyboard: strokes drawn by simulated fingers become candidates in the bar."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kivy.tests.common import UnitTestTouch
from test_onscreen_keyboard import Stage, frames, make_stage, tap

from kiosk.ime import PinyinEngine
from kiosk.ime.handwriting import HandwritingRecognizer
from screens.widgets.keyboard import HANDWRITE, REWRITE

pytestmark = pytest.mark.kivy


@pytest.fixture(scope="module")
def recognizer() -> HandwritingRecognizer:
    return HandwritingRecognizer()


@pytest.fixture
def stage(window: Any, engine: PinyinEngine, recognizer: HandwritingRecognizer) -> Iterator[Stage]:
    made = make_stage(window, engine, "pinyin")
    made.keyboard.recognizer = recognizer
    frames(2)
    yield made
    window.remove_widget(made.keyboard.parent)
    frames(1)


def draw(stage: Stage, *strokes: list[tuple[float, float]]) -> None:
    """Draw each stroke with a finger; points are fractions of the pad (0,0 top left)."""
    pad = stage.keyboard.pad
    for stroke in strokes:
        points = [pad.to_window(pad.x + fx * pad.width, pad.top - fy * pad.height) for fx, fy in stroke]
        touch = UnitTestTouch(*points[0])
        touch.touch_down()
        for x, y in points[1:]:
            touch.touch_move(x, y)
        touch.touch_up()
        frames(1)


TEN = ([(0.15, 0.5), (0.5, 0.5), (0.85, 0.5)], [(0.5, 0.1), (0.5, 0.5), (0.5, 0.9)])


def test_written_character_reaches_the_field(stage: Stage) -> None:
    stage.key(HANDWRITE)
    assert stage.keyboard.mode == "handwriting"
    assert stage.keyboard.pad.get_root_window() is not None
    draw(stage, *TEN)
    shown = [b.text for b in stage.keyboard.candidate_buttons()]
    assert shown and shown[0] == "十"
    stage.candidate("十")
    assert stage.field.text == "十"
    assert stage.keyboard.pad.strokes == [] and stage.keyboard.candidate_buttons() == []


def test_backspace_takes_back_a_stroke_then_text(stage: Stage) -> None:
    stage.field.text = "大"
    stage.key(HANDWRITE)
    draw(stage, *TEN)
    stage.key("backspace")
    assert len(stage.keyboard.pad.strokes) == 1 and stage.field.text == "大"
    stage.key(REWRITE)
    assert stage.keyboard.pad.strokes == [] and stage.keyboard.candidate_buttons() == []
    stage.key("backspace")
    assert stage.field.text == ""


def test_enter_keeps_the_character_being_written(stage: Stage) -> None:
    stage.key(HANDWRITE)
    draw(stage, *TEN)
    stage.key("enter")
    assert stage.field.text == "十"


def test_back_to_pinyin_and_no_recogniser_no_key(stage: Stage) -> None:
    stage.key(HANDWRITE)
    draw(stage, TEN[0])
    stage.key(HANDWRITE)  # the same key now reads 拼音
    assert stage.keyboard.mode == "pinyin" and stage.keyboard.pad.strokes == []
    stage.keyboard.recognizer = None
    frames(1)
    with pytest.raises(KeyError):
        stage.keyboard.key_button(HANDWRITE)


def test_touches_outside_the_pad_draw_nothing(stage: Stage) -> None:
    stage.key(HANDWRITE)
    tap(stage.field)
    assert stage.keyboard.pad.strokes == []
