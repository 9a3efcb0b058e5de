"""Errors of the back-office command line (``kiosk-central``); messages in assets/i18n/*/central.yaml."""

from __future__ import annotations

from kiosk.errors import CentralError


class BackOfficeError(CentralError):
    """A back-office command could not do its job; ``key`` says why."""

    key = "backoffice.error"
    exit_code = 41


class ServerUnreachable(BackOfficeError):
    key = "backoffice.unreachable"
    exit_code = 42


class ServerRefused(BackOfficeError):
    key = "backoffice.refused"
    exit_code = 43


class LogsIncomplete(BackOfficeError):
    key = "backoffice.logs_incomplete"
    exit_code = 44
