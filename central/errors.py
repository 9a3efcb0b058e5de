"""Errors of the back-office command line (``kiosk-central``); messages in assets/i18n/*/central.yaml."""

from __future__ import annotations

from kiosk.errors import CentralError
from wire.errors import ExitCode


class BackOfficeError(CentralError):
    """A back-office command could not do its job; ``key`` says why."""

    key = "backoffice.error"
    exit_code = ExitCode.BACKOFFICE


class ServerUnreachable(BackOfficeError):
    key = "backoffice.unreachable"
    exit_code = ExitCode.BACKOFFICE_UNREACHABLE


class ServerRefused(BackOfficeError):
    key = "backoffice.refused"
    exit_code = ExitCode.BACKOFFICE_REFUSED


class LogsIncomplete(BackOfficeError):
    key = "backoffice.logs_incomplete"
    exit_code = ExitCode.BACKOFFICE_LOGS_INCOMPLETE


class CommandFailed(BackOfficeError):
    key = "backoffice.command_failed"
    exit_code = ExitCode.BACKOFFICE_COMMAND_FAILED


class CommandTimedOut(BackOfficeError):
    key = "backoffice.command_timeout"
    exit_code = ExitCode.BACKOFFICE_COMMAND_TIMEOUT
