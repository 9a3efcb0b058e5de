"""Layering: ``kiosk/`` and ``devices/`` never import Kivy, and neither does the ``kiosk`` CLI's
entry module (``kiosk catalog check`` must not pay for a window toolkit)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, pkgutil, sys
import devices, kiosk
names = []
for package in (kiosk, devices):
    names.append(package.__name__)
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        names.append(info.name)
failed = []
for name in names:
    try:
        importlib.import_module(name)
    except ImportError as error:  # an optional extra missing here is not a layering question
        failed.append(f"{name}: {error}")
import screens.cli
loaded = sorted(m for m in sys.modules if m == "kivy" or m.startswith("kivy."))
print(len(names))
print("\\n".join(failed))
print("KIVY:" + ",".join(loaded[:5]))
"""


def test_kiosk_devices_and_cli_entry_never_import_kivy() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    expected = sum(1 for _ in pkgutil.walk_packages([str(ROOT / "kiosk")])) + 1
    assert int(lines[0]) >= expected  # every kiosk/ module was tried, and the devices/ ones
    assert lines[-1] == "KIVY:", lines[-1]
    assert not [line for line in lines[1:-1] if line.startswith("kiosk")], lines
