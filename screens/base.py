"""The base class of every kiosk screen: background, access to the app and facade, translation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

from kiosk.i18n import t


def load_kv(module_file: str) -> None:
    """Load the .kv file beside a screen module (once)."""
    path = str(Path(module_file).with_suffix(".kv"))
    if path not in Builder.files:
        Builder.load_file(path)


class KioskScreen(Screen):
    """``on_enter`` fills the screen from the facade; ``wipe`` clears whatever a citizen entered."""

    @property
    def app(self) -> Any:
        return App.get_running_app()

    @property
    def facade(self) -> Any:
        return self.app.facade

    def t(self, key: str, **params: Any) -> str:
        return t(key, self.app.lang, **params)

    def refresh(self) -> None:
        """Re-fill after a language change; screens with dynamic content override this."""

    def wipe(self) -> None:
        """Drop everything this screen shows about the citizen (called when a visit ends)."""


load_kv(__file__)
