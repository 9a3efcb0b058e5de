"""Layers seen from a fresh interpreter: what importing a package really loads.

import-linter checks the import statements; these tests check the loaded modules, which also
catches imports done at run time inside functions and through ``importlib``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("devices", "kiosk", "screens", "central", "provisioning", "simulation", "kivy")


def loaded_layers(statement: str) -> set[str]:
    """The top-level layer packages that running ``statement`` in a new interpreter loads."""
    probe = (
        f"import sys\n{statement}\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split()) & set(LAYERS)


def test_central_app_loads_no_device_driver() -> None:
    # The centre reads the catalog (kiosk.catalog: departments, material names) but never a driver.
    assert loaded_layers("import central.app").isdisjoint({"devices", "screens", "kivy", "simulation"})


def test_every_central_module_loads_neither_devices_nor_screens() -> None:
    statement = (
        "import importlib, pkgutil, central\n"
        "for info in pkgutil.walk_packages(central.__path__, 'central.'):\n"
        "    importlib.import_module(info.name)"
    )
    assert loaded_layers(statement).isdisjoint({"devices", "screens", "kivy", "simulation"})


def test_leaf_packages_load_no_layer() -> None:
    statement = (
        "import identity.idnumber, identity.record, identity.outcome\n"
        "import wire.models, wire.signing, wire.errors"
    )
    assert loaded_layers(statement) == set()
