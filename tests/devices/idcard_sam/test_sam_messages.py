"""Every key the ID-card reader can raise or report has a message in Chinese and in English."""

from __future__ import annotations

import inspect

import pytest
import yaml

from devices.idcard import errors
from devices.idcard.sam_status import STATUS, key_for
from identity.outcome import CardOutcome
from kiosk.paths import ASSETS
from wire.errors import KioskError


def keys_used() -> set[str]:
    keys = {"idcard.ready", "idcard.internal", "idcard.sw3.unknown"}
    keys |= {cls.key for _, cls in inspect.getmembers(errors, inspect.isclass)
             if issubclass(cls, KioskError) and cls.__module__ == errors.__name__}  # fmt: skip
    keys |= {key_for(code) for code, info in STATUS.items() if info.error}
    keys |= {outcome.key for outcome in CardOutcome}
    return keys


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_key_has_a_message(lang: str) -> None:
    messages = yaml.safe_load((ASSETS / "i18n" / lang / "idcard.yaml").read_text("utf-8"))
    missing = keys_used() - set(messages)
    assert not missing
    assert all(key.startswith("idcard.") for key in messages)
