"""The exception tree: every error's exit code comes from the one table, each code means one thing."""

from __future__ import annotations

import importlib
import pkgutil

from wire.errors import ExitCode, KioskError

PACKAGES = ("wire", "identity", "devices", "kiosk", "central", "provisioning")


def every_error_class() -> list[type[KioskError]]:
    for name in PACKAGES:
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            try:
                importlib.import_module(info.name)
            except ImportError:  # an optional extra (pyscard, librime) missing here
                continue
    found: list[type[KioskError]] = []
    todo = [KioskError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_exit_codes_are_unique_in_the_table() -> None:
    values = [member.value for member in ExitCode]
    assert len(values) == len(set(values))


def test_every_error_class_takes_its_exit_code_from_the_table() -> None:
    classes = every_error_class()
    assert len(classes) > 40  # the walk really found the tree
    strays = [f"{c.__module__}.{c.__qualname__}={c.exit_code}" for c in classes
              if c.exit_code not in set(ExitCode)]
    assert not strays


def test_a_code_declared_by_two_unrelated_classes_is_refused() -> None:
    """One meaning per code: two classes may share a code only through inheritance or by
    naming the same table entry for the same kind of failure (a bad URL of any device)."""
    shared_on_purpose = {ExitCode.USAGE, ExitCode.DEVICE}
    owners: dict[int, list[str]] = {}
    for cls in every_error_class():
        if "exit_code" in vars(cls):
            owners.setdefault(int(cls.exit_code), []).append(cls.__qualname__)
    collisions = {code: names for code, names in owners.items()
                  if len(names) > 1 and code not in shared_on_purpose}
    assert not collisions


def test_retryable_is_declared_as_a_bool_on_every_class() -> None:
    assert [c for c in every_error_class() if not isinstance(c.retryable, bool)] == []
    assert KioskError.retryable is False
