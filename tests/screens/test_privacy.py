"""A visit left idle ends after a warning of at least 20 s and leaves nothing of the citizen behind."""

from __future__ import annotations

from typing import Any

import pytest
from ui_steps import all_texts, answer_questions, start_visit

from kiosk.session import IdleTimer

pytestmark = pytest.mark.kivy


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _contains(obj: Any, needle: str, seen: set[int] | None = None, depth: int = 0) -> list[str]:
    """Paths inside ``obj`` (attributes, dicts, lists) where a string contains ``needle``."""
    seen = seen if seen is not None else set()
    if id(obj) in seen or depth > 8:
        return []
    seen.add(id(obj))
    if isinstance(obj, str):
        return ["<str>"] if needle in obj else []
    if isinstance(obj, bytes):
        return ["<bytes>"] if needle.encode() in obj else []
    found: list[str] = []
    if isinstance(obj, dict):
        items = list(obj.items())
    elif isinstance(obj, list | tuple | set):
        items = list(enumerate(obj))
    elif hasattr(obj, "__dict__") and type(obj).__module__.split(".")[0] in ("kiosk", "devices", "screens"):
        items = list(vars(obj).items())
    else:
        return []
    for key, value in items:
        if key in ("reader", "poller", "_listeners", "catalog"):
            continue  # the reader (and its simulator) is the physical card, not kiosk memory
        found += [f"{key}.{path}" for path in _contains(value, needle, seen, depth + 1)]
    return found


def test_idle_timeout_warns_then_wipes_everything(ui: Any, shots: Any) -> None:
    app = ui.app
    facade = app.facade
    clock = FakeClock()
    original = facade.idle
    facade.idle = IdleTimer(60, 5, clock=clock)  # asks for 5 s of warning: must get 20
    try:
        start_visit(ui, "open_pharmacy")
        record = facade.session.identity
        id_number, name = record.id_number, record.name
        answer_questions(ui)
        ui.tap(app.screen("results").ids.next)
        ui.wait_screen("form")
        mobile = next(r for r in app.screen("form").rows if r.field.id == "applicant.mobile")
        ui.type_into(mobile.editor, "139")  # a half-typed answer and an open keyboard
        assert any(id_number in text for text in all_texts(ui))

        clock.now += 60  # the warning starts: the full 20 s are left
        app._tick(0)
        ui.wait(lambda: app._idle_view is not None, what="the idle warning")
        ui.pump(3)
        warning = app._idle_view
        assert warning.remaining >= 20
        ui.screenshot(shots / "idle-warning.png")
        ui.tap_text(app.t("ui.idle.more_time"))
        assert app._idle_view is None
        assert app.current == "form" and facade.session is not None

        clock.now += 60 + 20
        app._tick(0)
        ui.wait_screen("attract")
        ui.pump(5)
    finally:
        facade.idle = original

    assert facade.session is None
    for text in all_texts(ui):
        assert id_number not in text and name not in text, text
    assert _contains(facade, id_number) == []
    assert _contains(facade, name) == []
    keyboard = app.screen("form").ids.dock.keyboard
    assert keyboard is None or (keyboard.preedit == "" and keyboard.target is None)
    # Kivy keeps text it rendered in caches keyed by the text itself (TextInput lines: 60 s).
    from kivy.cache import Cache

    cached = [str(key) for category in Cache._objects.values() for key in category]
    assert not [key for key in cached if id_number in key or name in key]
