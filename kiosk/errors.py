"""The runtime's branches of the exception tree rooted at :class:`KioskError`.

Exit codes come from the one table, :class:`wire.errors.ExitCode`.
"""

from __future__ import annotations

from wire.errors import ExitCode, KioskError

__all__ = [
    "CatalogError",
    "CentralError",
    "ConfigError",
    "FlowError",
    "ValidationError",
]


class CatalogError(KioskError):
    """The catalog under assets/catalog is broken; ``problems`` lists every ``file:line: reason``."""

    key = "catalog.invalid"
    exit_code = ExitCode.CATALOG

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class ValidationError(KioskError):
    """A citizen's answer is not acceptable; ``key`` says why, ``field`` which answer."""

    key = "validation.invalid"
    exit_code = ExitCode.VALIDATION

    def __init__(self, key: str, field: str = "", **params: object) -> None:
        self.field = field
        super().__init__(field, key=key, **params)


class FlowError(KioskError):
    """A flow was driven in a way the engine does not allow (unknown scenario, bad step)."""

    key = "flow.invalid"
    exit_code = ExitCode.FLOW


class CentralError(KioskError):
    """The central API could not be reached or refused a request."""

    key = "central.error"
    exit_code = ExitCode.CENTRAL


class ConfigError(KioskError):
    """The kiosk's configuration file is missing, unreadable or inconsistent."""

    key = "config.invalid"
    exit_code = ExitCode.CONFIG


class OutboxNotEmpty(KioskError):
    """A forced re-enrolment while records sealed with the old key are still queued."""

    key = "outbox.not_empty"
    exit_code = ExitCode.OUTBOX_NOT_EMPTY
