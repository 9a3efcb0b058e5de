"""What the runtime tells the UI, as typed events (one dataclass per kind, no string names).

Listeners get them through ``Kiosk.subscribe`` (:mod:`kiosk.runtime`) on whatever thread raised
them (a device worker, the reporting worker); a UI re-posts them onto its own thread before
touching widgets.
None of them carries personal data: a card read is announced masked, errors by i18n key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.device_hub import DeviceStatus


@dataclass(frozen=True)
class Identified:
    """A card was read and taken into the visit; ``masked`` is safe to show or log."""

    masked: str


@dataclass(frozen=True)
class CardError:
    """A card could not be read or was refused (expired…); ``key`` is the i18n message."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CardRemoved:
    pass


@dataclass(frozen=True)
class DevicesChanged:
    states: Mapping[str, DeviceStatus]


@dataclass(frozen=True)
class ServiceChanged:
    """Whether citizens can be served: ``reason`` is why not (an i18n key), or None."""

    reason: str | None


@dataclass(frozen=True)
class CatalogReloaded:
    scenarios: int


@dataclass(frozen=True)
class VisitStarted:
    scenario: str


@dataclass(frozen=True)
class VisitEnded:
    """``reason``: completed, cancel, idle, shutdown or the caller's own word."""

    reason: str


@dataclass(frozen=True)
class Submitted:
    reference: str


@dataclass(frozen=True)
class IdleWarning:
    remaining: float


@dataclass(frozen=True)
class IdleCleared:
    pass


Event = (Identified | CardError | CardRemoved | DevicesChanged | ServiceChanged | CatalogReloaded
         | VisitStarted | VisitEnded | Submitted | IdleWarning | IdleCleared)
Listener = Callable[[Event], None]
