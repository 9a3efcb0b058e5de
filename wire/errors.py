"""The root of the project's exception tree, in a leaf package so every layer can raise it.

Every error carries a stable ``key`` (looked up in ``assets/i18n/<lang>/*.yaml`` for the
message a citizen or technician reads), ``params`` for that message, an ``exit_code`` for the
command-line tools and ``retryable`` (whether trying the same thing again later may succeed).
Branches live with their layer: ``devices.errors``, ``kiosk.errors``, ``central.errors``.
"""

from __future__ import annotations

from enum import IntEnum, unique
from typing import Any


@unique
class ExitCode(IntEnum):
    """Every exit code the command-line tools use, once each (``@unique`` refuses a repeat).

    An error class names its code here; ``tests/foundation/test_errors.py`` checks that every
    :class:`KioskError` subclass uses a code of this table.
    """

    UNKNOWN = 1
    USAGE = 2  # a command was given something it cannot use (no command, bad device URL, page kind)
    DETECT_NOTHING = 3  # ``kiosk-provision detect`` found no device
    SELFTEST_FAILED = 4
    DEVICE = 10
    CATALOG = 20
    VALIDATION = 30
    FLOW = 31
    CENTRAL = 40  # the kiosk could not reach the centre, or the centre refused it
    BACKOFFICE = 41  # a back-office command could not do its job
    BACKOFFICE_UNREACHABLE = 42
    BACKOFFICE_REFUSED = 43
    BACKOFFICE_LOGS_INCOMPLETE = 44
    BACKOFFICE_SCHEMA_OUTDATED = 45  # the centre's database needs `kiosk-central migrate`
    BACKOFFICE_COMMAND_FAILED = 46  # `command --wait`: the kiosk ran it and it failed (or refused)
    BACKOFFICE_COMMAND_TIMEOUT = 47  # `command --wait`: no result within --timeout
    CONFIG = 50
    SERVICE_WRITE_FAILED = 51
    OUTBOX = 60  # the outbox database cannot be used (corrupt, locked, disk full)
    OUTBOX_UNDECRYPTABLE = 61
    OUTBOX_NOT_EMPTY = 62
    PINYIN_INPUT = 70
    SPEECH = 71
    IO_ERROR = 74  # sysexits.h EX_IOERR: a file or device the command was pointed at
    INTERRUPTED = 130  # Ctrl-C, as a shell reports it


class KioskError(Exception):
    """Base of every error the kiosk raises on purpose."""

    key: str = "error.unknown"
    exit_code: int = ExitCode.UNKNOWN
    retryable: bool = False  # True when the same request may succeed later (a dead link, a 5xx)

    def __init__(self, detail: str = "", *, key: str | None = None, **params: Any) -> None:
        if key is not None:
            self.key = key
        self.detail = detail
        self.params = params
        super().__init__(detail or self.key)

    def __str__(self) -> str:
        return f"{self.key}: {self.detail}" if self.detail else self.key
