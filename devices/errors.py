"""The device branch of the exception tree rooted at :class:`wire.errors.KioskError`.

Drivers raise these; each carries a stable i18n ``key`` and an exit code for the CLIs.
"""

from __future__ import annotations

from wire.errors import KioskError


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
