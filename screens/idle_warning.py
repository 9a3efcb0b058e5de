"""Idle warning: a countdown of at least 20 s (WCAG 2.2.1) with "需要更多时间"; then the visit ends.

A modal over whatever screen the citizen left, so "more time" returns them exactly where they were.
"""

from __future__ import annotations

from kivy.app import App
from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView

from screens.base import load_kv


class IdleWarning(ModalView):
    remaining = NumericProperty(0)

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("auto_dismiss", False)
        super().__init__(**kwargs)

    def more_time(self) -> None:
        App.get_running_app().more_time()

    def end_now(self) -> None:
        App.get_running_app().end_visit("cancel")


load_kv(__file__)
