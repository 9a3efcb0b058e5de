"""Each screen check catches a deliberately bad widget and passes its good twin."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from kivy.base import ExceptionManager
from kivy.graphics import Color, Rectangle
from kivy.uix.button import Button
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from screens.journeys import checks

pytestmark = pytest.mark.kivy

PX_PER_MM = 4.03


@pytest.fixture
def stage(kiosk_app: object) -> Iterator[tuple[object, FloatLayout]]:
    """A plain white layer over the window for the widgets under test."""
    from kivy.core.window import Window

    driver = kiosk_app
    layer = FloatLayout()
    with layer.canvas.before:
        Color(1, 1, 1, 1)
        Rectangle(pos=(0, 0), size=Window.size)
    Window.add_widget(layer)
    yield driver, layer
    Window.remove_widget(layer)


def _findings(driver: object, layer: Widget, check: str) -> list[checks.Finding]:
    from kivy.core.window import Window

    driver.pump(3)
    found = checks.check_widgets([layer], "test", window_size=tuple(Window.size), px_per_mm=PX_PER_MM,
                                 clear=Window.clearcolor)
    return [f for f in found if f.check == check]


def _label(**kwargs: object) -> Label:
    options = {"color": (0, 0, 0, 1), "size_hint": (None, None), "font_size": 24, "pos": (100, 100)}
    options.update(kwargs)
    return Label(**options)


def test_wcag_contrast_figures() -> None:
    assert checks.contrast_ratio((1, 1, 1), (0, 0, 0)) == pytest.approx(21.0)
    assert checks.contrast_ratio((0.5, 0.5, 0.5), (1, 1, 1)) == pytest.approx(3.98, abs=0.01)
    assert checks.blend((0, 0, 0, 0.5), (1, 1, 1)) == pytest.approx((0.5, 0.5, 0.5))


def test_clipped_wrapped_label_taller_than_its_box(stage: tuple) -> None:
    driver, layer = stage
    text = "二手房转移登记及水电气网过户" * 3
    layer.add_widget(_label(text=text, size=(150, 30), text_size=(150, None)))
    assert _findings(driver, layer, "clipped")
    layer.clear_widgets()
    good = _label(text=text, text_size=(150, None), width=150)
    good.bind(texture_size=lambda w, s: setattr(w, "height", s[1]))
    layer.add_widget(good)
    assert not _findings(driver, layer, "clipped")


def test_clipped_label_whose_box_cuts_lines_away(stage: tuple) -> None:
    """text_size fixed to the box: Kivy drops the lines that do not fit, texture_size looks fine."""
    driver, layer = stage
    label = _label(text="第一行\n第二行\n第三行\n第四行", size=(200, 40), text_size=(200, 40))
    layer.add_widget(label)
    driver.pump(3)
    assert label.texture_size[1] <= 42  # why the check must re-measure
    assert _findings(driver, layer, "clipped")


def test_contrast_against_the_rectangle_drawn_behind(stage: tuple) -> None:
    driver, layer = stage
    dark = Widget(size_hint=(None, None), size=(400, 200), pos=(50, 50))
    with dark.canvas.before:
        Color(0, 0, 0, 1)
        Rectangle(pos=dark.pos, size=dark.size)
    dark.add_widget(_label(text="看不见", color=(0.1, 0.1, 0.12, 1), size=(200, 60), pos=(100, 100)))
    layer.add_widget(dark)
    bad = _findings(driver, layer, "contrast")
    assert bad and "1.21:1" in bad[0].detail  # the 高对比 defect: about 1.2:1
    dark.children[0].color = (1, 1, 1, 1)
    assert not _findings(driver, layer, "contrast")


def test_contrast_follows_the_high_contrast_theme(stage: tuple) -> None:
    """The 高对比 defect: a KioskLabel kept its dark colour on the black background."""
    from screens.components.controls import KioskLabel

    driver, layer = stage
    theme = driver.app.theme
    panel = Widget(size_hint=(None, None), size=(500, 200), pos=(50, 50))
    with panel.canvas.before:
        colour = Color(*theme.bg)
        Rectangle(pos=panel.pos, size=panel.size)
    label = KioskLabel(text="您的企业名称", size_hint=(None, None), width=400, pos=(60, 60))
    panel.add_widget(label)
    layer.add_widget(panel)
    try:
        theme.high_contrast = True
        colour.rgba = theme.bg
        assert not _findings(driver, layer, "contrast")
        label.color = (0.1, 0.1, 0.12, 1)  # what the label showed before the fix
        assert _findings(driver, layer, "contrast")
    finally:
        theme.high_contrast = False


def test_touch_target_under_15_mm(stage: tuple) -> None:
    driver, layer = stage
    layer.add_widget(Button(text="小", size_hint=(None, None), size=(40, 120), pos=(10, 10)))
    found = _findings(driver, layer, "touch_target")
    assert found and "15 mm" in found[0].detail
    layer.clear_widgets()
    layer.add_widget(Button(text="大", size_hint=(None, None), size=(62, 62), pos=(10, 10)))
    assert not _findings(driver, layer, "touch_target")
    layer.clear_widgets()
    layer.add_widget(Button(text="禁用", size_hint=(None, None), size=(20, 20), pos=(10, 10), disabled=True))
    assert not _findings(driver, layer, "touch_target")


def test_widget_outside_the_window(stage: tuple) -> None:
    from kivy.core.window import Window

    driver, layer = stage
    layer.add_widget(Button(text="外", size_hint=(None, None), size=(100, 100), pos=(Window.width - 50, 10)))
    assert _findings(driver, layer, "off_window")
    layer.clear_widgets()
    layer.add_widget(Button(text="内", size_hint=(None, None), size=(100, 100), pos=(Window.width - 100, 10)))
    assert not _findings(driver, layer, "off_window")


def test_fault_recorder_catches_loop_exceptions_and_logged_errors() -> None:
    recorder = checks.FaultRecorder().install()
    try:
        assert ExceptionManager.handle_exception(ValueError("bad screen")) == ExceptionManager.RAISE
        logging.getLogger("screens.test").error("the printer fell over")
        logging.getLogger("screens.test").warning("only a warning")
        found = recorder.take("receipt")
    finally:
        recorder.uninstall()
    assert [f.check for f in found] == ["exception", "exception"]
    assert "ValueError: bad screen" in found[0].detail and "printer fell over" in found[1].detail
    assert recorder.take("receipt") == []


def test_clipped_text_input_too_narrow_for_its_text_or_longest_value(stage: tuple) -> None:
    """A single-line input scrolls what does not fit out of sight: the shareholder rows' ID boxes
    showed 12 of 18 digits. The check measures the text, the hint and the longest value."""
    from screens.components.controls import KioskInput

    driver, layer = stage
    number = "11010519491231002X"
    box = KioskInput(text=number, size_hint=(None, None), width=240, pos=(20, 20), font_size=30)
    layer.add_widget(box)
    found = _findings(driver, layer, "clipped")
    assert found and "inside its padding" in found[0].detail
    box.width = 520
    assert not _findings(driver, layer, "clipped")
    box.text = ""  # empty: still too narrow for the longest value its field takes
    box.longest_text = number
    box.width = 240
    assert _findings(driver, layer, "clipped")
    box.width = 520
    assert not _findings(driver, layer, "clipped")
    box.height = 20  # shorter than one line
    assert _findings(driver, layer, "clipped")
