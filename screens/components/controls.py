"""The kiosk's basic controls: themed buttons and labels, the header bar, and scenario tiles.

Sizes and colours come from ``app.theme`` (see :mod:`screens.theme`) in ``controls.kv``.
"""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput


class KioskButton(Button):
    """A finger-sized rounded button; ``role`` picks its colours."""

    role = OptionProperty("primary", options=["primary", "secondary", "danger", "selected"])
    bg = ListProperty([0, 0, 0, 1])
    fg = ListProperty([1, 1, 1, 1])


class KioskLabel(Label):
    """Wrapping body text in the theme's colour; grows to fit its text."""

    tone = OptionProperty("text", options=["text", "muted", "error", "ok", "header_text", "accent"])


class KioskInput(TextInput):
    """A large text field for the on-screen keyboard (the system keyboard is never shown)."""

    field_id = StringProperty("")
    keyboard_kind = StringProperty("pinyin")
    longest_text = StringProperty("")  # the longest value it takes (an ID number): it must fit
    compact = BooleanProperty(False)  # in a table row (shareholders): the body font, not the large one


class KioskHeader(BoxLayout):
    """Title, language, large text, high contrast, 呼叫工作人员 and (during a visit) 结束办理.

    On an upright screen one row cannot hold them all (with 大字 the row was wider than a
    1080-pixel screen and 结束办理 fell off it): the three display toggles move to a second row."""

    title = StringProperty("")
    show_exit = BooleanProperty(True)
    stacked = BooleanProperty(False)

    def on_kv_post(self, base_widget: object) -> None:
        theme = App.get_running_app().theme
        theme.fbind("portrait", self.arrange)
        self.arrange(theme, theme.portrait)

    def arrange(self, _theme: object, portrait: bool) -> None:
        toggles, top, below = self.ids.toggles, self.ids.top, self.ids.below
        self.stacked = bool(portrait)
        home = below if portrait else top
        if toggles.parent is home:
            return
        toggles.parent.remove_widget(toggles)
        # in the top row, between the title and 呼叫工作人员 (children run from the last added)
        home.add_widget(toggles, index=0 if portrait else 2)


class ScenarioTile(ButtonBehavior, BoxLayout):
    """A home-grid tile: an icon (or a coloured square with the title's first hanzi) and the title."""

    scenario_id = StringProperty("")
    title = StringProperty("")
    note = StringProperty("")  # why the scenario is unavailable now, if it is
    icon_source = StringProperty("")
    glyph = StringProperty("")
    tile_colour = ListProperty([0.2, 0.4, 0.7, 1])


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
