"""Every ScrollView of the kiosk stays between its top and bottom (screens/components/scrolling.py)."""

from __future__ import annotations

import time
from typing import Any

import pytest

pytestmark = pytest.mark.kivy


def test_a_touch_the_view_never_saw_end_does_not_throw_the_content_off_screen(ui: Any) -> None:
    """Kivy multiplied scroll_y at each change of the content's height while its effect was left
    "manual" (×3, ×10, ×24 … here): the form's fields ended up millions of pixels away."""
    from kivy.core.window import Window
    from kivy.effects.scroll import ScrollEffect
    from kivy.uix.scrollview import ScrollView
    from kivy.uix.widget import Widget

    view = ScrollView(size_hint=(None, None), size=(400, 504), pos=(0, 0), do_scroll_x=False)
    content = Widget(size_hint_y=None, height=1080)
    view.add_widget(content)
    Window.add_widget(view)
    try:
        assert type(view.effect_y) is ScrollEffect  # no rubber band: the offset stays inside the content
        view.scroll_y = 0.5
        ui.pump(2)
        view.effect_y.start(300)  # a finger came down; the view never saw it lifted
        view._effect_y_start_height = view.height
        seen = []
        for height in (1000, 600, 520, 505, 900, 506, 700, 507, 1080):
            content.height = height
            for _ in range(3):
                ui.pump(1)
                time.sleep(0.01)
            view.height = 500 if view.height == 504 else 504  # the keyboard opens and closes
            ui.pump(2)
            seen.append(view.scroll_y)
            bottom, top = content.to_window(0, 0)[1], content.to_window(0, content.height)[1]
            # content taller than the view covers it; shorter content starts at its top
            if content.height >= view.height:
                assert bottom <= view.y + 1 and top >= view.top - 1, (height, bottom, top)
            else:
                assert top == pytest.approx(view.top, abs=1), (height, top)
        assert all(0.0 <= s <= 1.0 for s in seen), seen
        assert not view.effect_y.is_manual
    finally:
        Window.remove_widget(view)

