"""The runtime's services, each behind a Protocol that screens and tools type against.

- ``visit`` (:class:`VisitService`): the catalog, the one visit in progress, idle rules;
- ``devices`` (:class:`DeviceService`): card readers, printer, camera;
- ``reporting`` (:class:`ReportingService`): the outbox, heartbeat, help/rating/submission records;
- ``maintenance`` (:class:`MaintenanceService`): PIN, out-of-service switch, readiness.

They talk to the UI only through typed events on an :class:`~kiosk.services.bus.EventBus`.
:class:`kiosk.runtime.Kiosk` builds and wires them.
"""

from kiosk.services.protocols import (
    DeviceService,
    MaintenanceService,
    ReportingService,
    VisitService,
)

__all__ = ["DeviceService", "MaintenanceService", "ReportingService", "VisitService"]
