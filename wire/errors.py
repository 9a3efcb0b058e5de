"""The root of the project's exception tree, in a leaf package so every layer can raise it.

Every error carries a stable ``key`` (looked up in ``assets/i18n/<lang>/*.yaml`` for the
message a citizen or technician reads), ``params`` for that message, an ``exit_code`` for the
command-line tools and ``retryable`` (whether trying the same thing again later may succeed).
Branches live with their layer: ``devices.errors``, ``kiosk.errors``, ``central.errors``.
"""

from __future__ import annotations

from typing import Any


class KioskError(Exception):
    """Base of every error the kiosk raises on purpose."""

    key: str = "error.unknown"
    exit_code: int = 1

    def __init__(self, detail: str = "", *, key: str | None = None, **params: Any) -> None:
        if key is not None:
            self.key = key
        self.detail = detail
        self.params = params
        super().__init__(detail or self.key)

    def __str__(self) -> str:
        return f"{self.key}: {self.detail}" if self.detail else self.key
