"""A kv rule whose widget was collected does not take the app down when what it reads changes."""

from __future__ import annotations

import gc

import kivy.lang.builder as builder
import pytest
from kivy.uix.widget import Widget

import screens.base  # noqa: F401  (installs the guard, as every screen does)
from screens import kv_bindings


class _Rule:
    count = 0
    value = "app_theme_font_m"


def _dead_rule_args() -> tuple[object, ...]:
    widget = Widget()
    proxy = widget.proxy_ref
    del widget
    gc.collect()
    return (proxy, "opacity", compile("1", "<rule>", "eval"), _Rule(), {})


def test_kivy_alone_raises_for_a_collected_widget() -> None:
    """Why the guard exists: the theme's change reaches a rule of a row long gone."""
    with pytest.raises(ReferenceError):
        kv_bindings._kivy_call_fn(_dead_rule_args(), None, None)


def test_the_installed_rule_call_skips_a_collected_widget() -> None:
    assert builder.call_fn is kv_bindings._call_fn_skipping_dead_widgets
    builder.call_fn(_dead_rule_args(), None, None)


def test_a_live_widget_is_still_set() -> None:
    widget = Widget(opacity=0.5)
    builder.call_fn((widget.proxy_ref, "opacity", compile("1", "<rule>", "eval"), _Rule(), {}), None, None)
    assert widget.opacity == 1
