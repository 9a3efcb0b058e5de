"""The kiosk's basic controls: themed buttons and labels, the header bar, and scenario tiles.

Sizes and colours come from ``app.theme`` (see :mod:`screens.theme`) in ``controls.kv``.
"""

from __future__ import annotations

from pathlib import Path

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
    """Title, language, large text, high contrast and (during a visit) the exit button."""

    title = StringProperty("")
    show_exit = BooleanProperty(True)


class ScenarioTile(ButtonBehavior, BoxLayout):
    """A home-grid tile: an icon (or a coloured square with the title's first hanzi) and the title."""

    scenario_id = StringProperty("")
    title = StringProperty("")
    note = StringProperty("")  # why the scenario is unavailable now, if it is
    icon_source = StringProperty("")
    glyph = StringProperty("")
    tile_colour = ListProperty([0.2, 0.4, 0.7, 1])


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
