"""No screen decides where to go: ``app.go`` never gets a literal screen name under screens/.

Inside a visit screens send input to kiosk.navigator and the app shows the step it answers on
the screen ``screens.navigation.STEP_SCREENS`` names; outside a visit the app goes to a Place.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from kiosk.navigator import StepKind
from screens.app import SCREENS
from screens.navigation import STEP_SCREENS, Place

SCREENS_DIR = Path(__file__).resolve().parents[2] / "screens"


def literal_go_calls(source: str) -> list[int]:
    """Lines where ``<anything>.go(...)`` gets a string literal (also inside ``a if c else b``)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "go":
            for arg in node.args:
                if any(isinstance(n, ast.Constant) and isinstance(n.value, str) for n in ast.walk(arg)):
                    lines.append(node.lineno)
    return lines


def test_the_scan_sees_a_literal_go() -> None:
    assert literal_go_calls('self.app.go("check")\napp.go("a" if x else "b")\napp.go(Place.HOME)') == [1, 2]


def test_no_screen_module_calls_go_with_a_screen_name() -> None:
    found = {}
    for path in sorted(SCREENS_DIR.rglob("*.py")):
        lines = literal_go_calls(path.read_text(encoding="utf-8"))
        if lines:
            found[str(path.relative_to(SCREENS_DIR))] = lines
    assert found == {}


def test_no_kv_rule_calls_go_with_a_screen_name() -> None:
    found = [f"{p.name}:{n}" for p in sorted(SCREENS_DIR.rglob("*.kv"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"\bgo\(\s*['\"]", line)]
    assert found == []


def test_every_step_and_place_has_a_registered_screen() -> None:
    registered = {name for name, _module, _cls in SCREENS}
    assert set(STEP_SCREENS) == set(StepKind)
    # The 好差评 screen may not be registered yet: KioskApp.show then skips the rating step.
    assert {STEP_SCREENS[k] for k in StepKind if k is not StepKind.RATING} <= registered
    assert {p.value for p in Place} <= registered
