"""The root of the project's exception tree, kept at the bottom layer so drivers can raise it.

Every error carries a stable ``key`` (looked up in ``assets/i18n/<lang>/*.yaml`` for the
message a citizen or technician reads) and an ``exit_code`` for the command-line tools.
``kiosk.errors`` re-exports these and adds the runtime's own branches.
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


class DeviceError(KioskError):
    """A device failed, is absent or answered something we do not understand."""

    key = "device.error"
    exit_code = 10


class DeviceAbsent(DeviceError):
    """The device is not connected (port missing, reader unplugged, socket refused)."""

    key = "device.absent"


class DeviceTimeout(DeviceError):
    """The device did not answer within its command timeout."""

    key = "device.timeout"


class ProtocolError(DeviceError):
    """Bytes that break the device's protocol: bad checksum, truncated or oversized frame."""

    key = "device.protocol"
