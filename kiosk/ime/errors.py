"""Errors of the pinyin input engine: librime missing, or our dictionary failing to build."""

from __future__ import annotations

from wire.errors import ExitCode, KioskError


class ImeError(KioskError):
    """Chinese input cannot be offered; the screen falls back to the English keyboard."""

    key = "ime.error"
    exit_code = ExitCode.PINYIN_INPUT


class ImeUnavailable(ImeError):
    """librime (``librime1``) or its data (``rime-data-luna-pinyin``) is not installed."""

    key = "ime.unavailable"


class ImeBuildError(ImeError):
    """``rime_deployer`` could not build our dictionary into the cache folder."""

    key = "ime.build_failed"


class HandwritingUnavailable(ImeError):
    """libzinnia (``libzinnia0``) or its model (``tegaki-zinnia-simplified-chinese``) is missing."""

    key = "ime.handwriting_unavailable"
