"""The composition root: one running kiosk's services, built and wired at start-up.

:class:`Kiosk` holds the four services (``visit``, ``devices``, ``reporting``, ``maintenance``;
see :mod:`kiosk.services`) and the event bus they talk to the UI through. It wires the device
hub's callbacks, the reporting worker's device states and the centre's commands
(``reload_catalog``, ``print_test_page``, out of service) to the services, and starts and stops
them in order. :func:`open_kiosk` builds one from a config and a state folder. No Kivy here.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from identity.record import IdentityRecord
from kiosk.catalog import Catalog
from kiosk.config import Config
from kiosk.device_hub import DeviceHub
from kiosk.events import CardRemoved, DevicesChanged, Listener
from kiosk.maintenance import Maintenance
from kiosk.services.bus import EventBus
from kiosk.services.reporting import Reporting
from kiosk.services.visit import Visits
from wire.errors import KioskError

if TYPE_CHECKING:
    from kiosk.heartbeat import ReportingWorker
    from kiosk.speech import Speaker

__all__ = ["Kiosk", "open_kiosk"]

log = logging.getLogger(__name__)


class Kiosk:
    """One running kiosk: ``visit``, ``devices``, ``reporting``, ``maintenance`` and ``events``."""

    def __init__(
        self,
        config: Config,
        catalog: Catalog,
        *,
        devices: DeviceHub | None = None,
        reporting: Reporting | None = None,
        speaker: Speaker | None = None,
        clock: Callable[[], float] = time.monotonic,
        catalog_loader: Callable[[], Catalog] | None = None,
        addresses: Callable[[], list[str]] = list,
    ) -> None:
        self.config = config
        self.events = EventBus()
        self.devices = devices if devices is not None else DeviceHub(config)
        self.reporting = reporting if reporting is not None else Reporting()
        self.maintenance = Maintenance(config, self.events, self.devices, self.reporting)
        self.visit = Visits(config, catalog, self.events, self.devices, self.reporting,
                            speaker=speaker, clock=clock)
        self._catalog_loader = catalog_loader
        self._addresses = addresses  # this machine's network addresses, for the self-test page
        if self.reporting.worker is not None:
            self.attach_reporting(self.reporting.worker)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Hear every event of every service (on the thread that raised it)."""
        return self.events.subscribe(listener)

    # ----- start-up and shut-down -----------------------------------------------------------
    def start(self) -> None:
        self.devices.start(_DeviceEvents(self))
        self.reporting.start()

    def stop(self) -> None:
        self.reporting.stop()  # finishes what it sends
        self.devices.stop()
        self.reporting.close()
        if self.visit.speaker is not None:
            self.visit.speaker.close()
        self.visit.end("shutdown")

    # ----- the centre's side ----------------------------------------------------------------
    def attach_reporting(self, worker: ReportingWorker) -> None:
        """Wire a ReportingWorker: our device states, and handlers for the centre's commands."""
        self.reporting.attach(worker)
        worker.device_states = self.devices.wire_states
        worker.register("reload_catalog", self.reload_catalog)
        worker.register("print_test_page", self.print_test_page)
        worker.on_out_of_service(lambda on, _reason: self.maintenance.set_centre_out_of_service(on))
        self.maintenance.centre_out_of_service = bool(worker.out_of_service)  # survives a restart

    def reload_catalog(self, _args: Mapping[str, object] | None = None) -> str:
        """The centre's ``reload_catalog``: new visits use the new catalog; a broken one is refused."""
        if self._catalog_loader is None:
            return "unsupported"
        catalog = self._catalog_loader()  # a CatalogError leaves the old catalog in place
        self.visit.use_catalog(catalog)
        return f"{len(catalog.scenarios)} scenarios"

    def print_test_page(self, _args: Mapping[str, object] | None = None) -> str:
        """The centre's ``print_test_page``: who and where this kiosk is, on paper."""
        from kiosk.heartbeat import runtime_versions
        from kiosk.receipts import build_self_test_page

        page = build_self_test_page(
            self.config.kiosk_id, self.config.location.name, self._addresses(),
            runtime_versions(), dt.datetime.now(),
        )
        problem = self.devices.print_document(page)
        return "printed" if problem is None else f"failed: {problem}"


class _DeviceEvents:
    """The device hub's listener: state changes and card reads go to the services and the UI."""

    def __init__(self, kiosk: Kiosk) -> None:
        self._kiosk = kiosk

    def device_changed(self) -> None:
        self._kiosk.events.emit(DevicesChanged(self._kiosk.devices.states()))
        self._kiosk.maintenance.service_changed()

    def card_read(self, record: IdentityRecord | None, error: KioskError | None = None) -> None:
        self._kiosk.visit.card_read(record, error)

    def card_removed(self) -> None:
        self._kiosk.events.emit(CardRemoved())


def open_kiosk(
    config: Config,
    folder: Path,
    *,
    catalog: Catalog | None = None,
    addresses: Callable[[], list[str]] = list,
) -> Kiosk:
    """Everything a running kiosk needs, from its config and state folder (no Kivy, no I/O yet).

    The outbox in ``folder`` holds submissions and, once the kiosk is enrolled (a kiosk id and a
    central URL), the reporting worker sends it; logs are read from ``folder/logs`` for the
    centre's ``upload_logs``. Call :meth:`Kiosk.start` to begin.
    """
    from kiosk.catalog import load_catalog
    from kiosk.config import load_secret
    from kiosk.errors import ConfigError

    try:
        secret = load_secret(folder)
    except ConfigError as error:  # not enrolled: the kiosk runs, but cannot take applications
        log.warning("no kiosk key: %s", error)
        secret = None
    reporting = Reporting.open(folder, secret)
    speaker = None
    if config.speech:
        from kiosk.speech import Speaker

        speaker = Speaker(True)
    kiosk = Kiosk(
        config, catalog if catalog is not None else load_catalog(), devices=DeviceHub(config),
        reporting=reporting, speaker=speaker, catalog_loader=load_catalog, addresses=addresses,
    )
    if reporting.outbox is not None and secret and config.kiosk_id and config.central.url:
        from kiosk.central_client import CentralClient
        from kiosk.heartbeat import ReportingWorker, runtime_versions

        worker = ReportingWorker(
            reporting.outbox,
            CentralClient.from_config(config, secret),
            kiosk_id=config.kiosk_id,
            log_folder=folder / "logs",
            versions=runtime_versions(),
            heartbeat_seconds=config.central.heartbeat_seconds,
        )
        kiosk.attach_reporting(worker)
    return kiosk
