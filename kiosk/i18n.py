"""Translated messages: every user-visible string is looked up here by a stable key.

Messages live in ``assets/i18n/<lang>/*.yaml`` (one file per area, so each area's owner edits
only its own file); every file is a flat mapping of ``key: text`` with ``{name}`` placeholders.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

import yaml

from kiosk.paths import ASSETS

LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"


@cache
def catalog_for(lang: str, root: Path = ASSETS / "i18n") -> dict[str, str]:
    """All messages of one language, merged from every file of its folder."""
    messages: dict[str, str] = {}
    folder = root / lang
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping of key: text")
        for key, text in data.items():
            if key in messages:
                raise ValueError(f"{path}: key {key!r} is defined twice")
            messages[str(key)] = str(text)
    return messages


class _Lenient(string.Formatter):
    def get_value(self, key, args, kwargs):  # type: ignore[override]
        if isinstance(key, str):
            return kwargs.get(key, "{" + key + "}")
        return super().get_value(key, args, kwargs)


_formatter = _Lenient()


def t(key: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """The message for ``key`` in ``lang``; falls back to Chinese, then to the key itself."""
    for candidate in (lang, DEFAULT_LANGUAGE):
        text = catalog_for(candidate).get(key)
        if text is not None:
            return _formatter.format(text, **params)
    return key


def error_message(error: BaseException, lang: str = DEFAULT_LANGUAGE) -> str:
    """What to show for an exception: its key's message, or the generic one."""
    key = getattr(error, "key", "error.unknown")
    params = getattr(error, "params", {}) or {}
    text = t(key, lang, **params)
    return text if text != key else t("error.unknown", lang)
