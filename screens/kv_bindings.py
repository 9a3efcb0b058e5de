"""Kivy's kv rules stay bound to long-lived objects (``app.theme``) after the widget they set is gone.

A rule such as ``font_size: app.theme.font_m`` binds the theme's property to a weak reference of the
widget. Rows and popups that were cleared away and collected leave such bindings behind; the next
change of the theme (大字, 高对比, a rotated screen) then raises ``ReferenceError`` inside Kivy and
the app dies mid-visit. Kivy already skips dead widgets for its delayed rules; this makes its
immediate rules do the same. Installed once, before any kv file is loaded.
"""

from __future__ import annotations

import contextlib
from typing import Any

import kivy.lang.builder as builder

_kivy_call_fn = builder.call_fn


def _call_fn_skipping_dead_widgets(args: Any, instance: Any, value: Any) -> None:
    # the widget this rule sets was collected: there is nothing left to update
    with contextlib.suppress(ReferenceError):
        _kivy_call_fn(args, instance, value)


def install() -> None:
    builder.call_fn = _call_fn_skipping_dead_widgets
