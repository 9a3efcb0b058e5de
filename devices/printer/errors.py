"""The printer's errors: each has a stable key with a message in ``assets/i18n/*/printer.yaml``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from devices.errors import DeviceError, KioskError

if TYPE_CHECKING:
    from devices.status import DeviceStatus


class PrinterError(DeviceError):
    """Something about the receipt printer went wrong."""

    key = "printer.error"


class PrinterUrlError(PrinterError):
    """The printer URL cannot be used (unknown scheme, bad port, bad option)."""

    key = "printer.bad_url"
    exit_code = 2


class ReceiptDocumentError(KioskError):
    """A receipt document cannot be printed as given (empty QR, QR too long, bad table)."""

    key = "printer.bad_document"
    exit_code = 10


class PrinterNotReady(PrinterError):
    """The printer reported a fault before the job, so nothing was sent; ``key`` says which."""

    key = "printer.not_ready"

    def __init__(self, status: DeviceStatus) -> None:
        self.status = status
        super().__init__(f"state={status.state} reason={status.reason}", key=status.reason)


class PrintFailed(PrinterError):
    """A job was sent but did not finish (paper ran out, the link dropped); it can be reprinted."""

    key = "printer.print_failed"

    def __init__(self, reason: str, status: DeviceStatus | None = None, detail: str = "") -> None:
        self.reason = reason
        self.status = status
        super().__init__(detail or reason, reason=reason)


class NothingToReprint(PrinterError):
    """Reprint was asked for before any job was rendered."""

    key = "printer.nothing_to_reprint"
