"""Keeps every scrolling list of the kiosk (forms, results, the track page) between its top and bottom.

Kivy's ScrollView turns its scroll effect's offset into ``scroll_y`` by dividing by the content's
height less the view's height *when the touch began*. A touch the view never saw end leaves the
effect "manual" with that old height: each later change of the content's height then multiplied
``scroll_y`` (×3, ×10, ×24 … in a test that reproduces it), until the form lay millions of pixels
off the screen and no field could be touched. The suite met it when a busy machine slowed a tap;
on a kiosk a long press, or the screen changing under the finger, does the same.

So every ScrollView here gets the plain ScrollEffect (a kiosk needs no rubber-band overscroll, and
that one keeps its offset inside the content), an effect left "manual" with no finger on the
view is cancelled, and the position is held between 0 and 1. The rule is in ``screens/base.kv``.
"""

from __future__ import annotations

from typing import Any


def _finger_on(view: Any) -> bool:
    touch = view._touch
    return touch is not None and touch is not False and getattr(touch, "time_end", -1) == -1


def settle(view: Any) -> None:
    """Called on every scroll change: drop a stale manual effect, keep the position in range."""
    if not _finger_on(view):
        for effect in (view.effect_x, view.effect_y):
            if effect is not None and effect.is_manual:
                effect.cancel()
    for name in ("scroll_x", "scroll_y"):
        value = getattr(view, name)
        if not 0.0 <= value <= 1.0:
            setattr(view, name, min(1.0, max(0.0, value)))

