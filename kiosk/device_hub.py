"""The kiosk's devices behind one object: ID-card reader, social security card, printer, camera, outbox.

:class:`DeviceHub` starts the devices named in the config and turns their callbacks into calls on
the owner (the :class:`kiosk.facade.Facade`): device state changes, card reads, card removal.
No Kivy here; callbacks arrive on the drivers' own worker threads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devices.status import DeviceKind, DeviceState, DeviceStatus
from identity.record import IdentityRecord
from kiosk.config import Config
from kiosk.errors import KioskError

if TYPE_CHECKING:
    from devices.camera.camera import DocumentCamera
    from devices.idcard.sam_poller import CardEvent, CardPoller
    from devices.idcard.sam_reader import SamReader
    from devices.pcsc.monitor import PcscEvent, ReaderMonitor
    from devices.pcsc.sscard import SscardReader
    from devices.printer.document import Receipt
    from devices.printer.driver import ReceiptPrinter
    from kiosk.facade import Facade
    from kiosk.outbox import Outbox
    from kiosk.receipts import AcceptanceReceipt

log = logging.getLogger(__name__)

__all__ = ["DeviceHub", "DeviceStatus"]  # DeviceStatus: devices.status's, kept importable here


class DeviceHub:
    """Starts the devices named in the config and turns their callbacks into facade calls.

    Every driver is optional: an empty URL means "not fitted", a driver that fails to open is
    reported ``absent`` with its reason, never faked. Each device's status is the driver's own
    :class:`~devices.status.DeviceStatus`, passed on unchanged, so ``usable`` follows the one
    readiness table in :mod:`devices.status`. URLs are opened through :mod:`devices.registry`;
    ``sim://`` works only once the harness has loaded the simulators. Blocking I/O runs on the drivers' own
    workers (card poller, PC/SC monitor, camera preview) or on the caller's thread (print,
    submit), which the screens keep off the UI thread.
    """

    STATUS_EVERY_S = 5.0

    def __init__(
        self,
        config: Config,
        *,
        state_folder: Path | None = None,
        secret: bytes | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self.config = config
        self._state_folder = state_folder
        self._secret = secret
        self._facade: Facade | None = None
        self._states: dict[str, DeviceStatus] = {}
        self._lock = threading.RLock()
        self.reader: SamReader | None = None
        self.poller: CardPoller | None = None
        self.sscard: SscardReader | None = None
        self.sscard_monitor: ReaderMonitor | None = None
        self._sim_sscard: Any = None  # the virtual card in the testbed's reader
        self.printer: ReceiptPrinter | None = None
        self.camera: DocumentCamera | None = None
        self.outbox: Outbox | None = outbox
        self._card_on = False
        self._sscard_on = False
        self._pending: IdentityRecord | None = None
        self._expecting = False
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None
        self.last_receipt: Receipt | None = None  # the last rendered receipt document (no full ID data)

    # ----- life cycle ---------------------------------------------------------------------
    def start(self, facade: Facade) -> None:
        self._facade = facade
        urls = self.config.devices
        self._start_idcard(urls.idcard)
        self.open_sscard(urls.sscard)
        self._start_printer(urls.printer)
        self._start_camera(urls.camera)
        if self.outbox is None:
            self._start_outbox()
        self._stop.clear()
        self._monitor = threading.Thread(target=self._watch, name="device-monitor", daemon=True)
        self._monitor.start()
        facade.device_changed()

    def stop(self) -> None:
        self._stop.set()
        if self._monitor is not None:
            self._monitor.join(5)
        self.forget_card()
        self.close_sscard()
        closers: list[Callable[[], Any]] = [
            lambda: self.poller and self.poller.stop(),
            lambda: self.reader and self.reader.close(),
            lambda: self.camera and self.camera.close(),
            lambda: self.printer and self.printer.close(),
            lambda: self.outbox and self.outbox.close(),  # the reporting worker stopped first
        ]
        for closer in closers:
            try:
                closer()
            except Exception:
                log.exception("closing a device failed")

    def _set(self, status: DeviceStatus) -> None:
        name = status.name
        with self._lock:
            changed = self._states.get(name) != status
            self._states[name] = status
        if changed and self._facade is not None and self._monitor is not None:
            self._facade.device_changed()

    def _absent(self, device: DeviceKind, reason: str, detail: str = "") -> None:
        self._set(DeviceStatus(device, DeviceState.ABSENT, reason, detail))

    def states(self) -> dict[str, DeviceStatus]:
        with self._lock:
            return dict(self._states)

    # ----- ID-card reader -----------------------------------------------------------------
    def _start_idcard(self, url: str) -> None:
        if not url:
            self._absent(DeviceKind.IDCARD, "ui.device.not_configured")
            return
        from devices.idcard.factory import make_reader
        from devices.idcard.sam_poller import CardPoller

        try:
            self.reader = make_reader(url)
        except KioskError as error:
            self._absent(DeviceKind.IDCARD, error.key, error.detail)
            return
        self._absent(DeviceKind.IDCARD, "idcard.absent")
        self.poller = CardPoller(self.reader, self._card_event, self._reader_state)
        self.poller.start()

    def _reader_state(self, status: DeviceStatus) -> None:
        self._set(status)
        if not status.usable:
            self._card_on = False

    def _card_event(self, event: CardEvent) -> None:
        kind = str(event.kind.value)
        if kind == "detected":
            self._card_on = True
        elif kind == "removed":
            self._card_on = False
            self._card_gone()
        elif kind == "read_failed" and self._facade is not None:
            self._facade.card_read(None, event.error)
        elif kind == "placed":
            self._hold(event.record)

    def _card_gone(self) -> None:
        self.forget_card()
        if self._facade is not None:
            self._facade.card_removed()

    def _hold(self, record: IdentityRecord) -> None:
        """Keep a read until the Identify screen asks for it (only one card at a time)."""
        with self._lock:
            if self._pending is not None:
                self._pending.wipe()
            self._pending = record
        if self._expecting:
            self._deliver()

    def _deliver(self) -> None:
        with self._lock:
            record, self._pending = self._pending, None
        if record is not None and self._facade is not None:
            self._facade.card_read(record)

    def expect_card(self, on: bool) -> None:
        self._expecting = on
        if on:
            self._deliver()

    def forget_card(self) -> None:
        with self._lock:
            if self._pending is not None:
                self._pending.wipe()
            self._pending = None

    def card_present(self) -> bool:
        return self._card_on or self._sscard_on

    def sim_place_card(self, **options: Any) -> bool:
        simulator = getattr(self.reader, "simulator", None)
        if simulator is None:
            return False
        kind = options.pop("card", "resident")
        simulator.place_card(kind, **options)
        return True

    def sim_remove_card(self) -> None:
        simulator = getattr(self.reader, "simulator", None)
        if simulator is not None:
            simulator.remove_card()
        self.sim_remove_sscard()

    # ----- social security card (PC/SC) ---------------------------------------------------
    def open_sscard(self, url: str) -> None:
        """Watch the social security card reader at ``url`` (``pcsc://…``, or ``sim://sscard``
        when the simulators are loaded)."""
        self.close_sscard()
        if not url:
            self._absent(DeviceKind.SSCARD, "ui.device.not_configured")
            return
        from devices.pcsc.monitor import ReaderMonitor
        from devices.pcsc.sscard import open_sscard_reader

        try:
            self.sscard = open_sscard_reader(url)
        except KioskError as error:
            log.warning("social security card reader unavailable: %s", error.key)
            self._absent(DeviceKind.SSCARD, error.key, error.detail)
            return
        self._sscard_health()
        self.sscard_monitor = ReaderMonitor(self._sscard_event).start()

    @property
    def testbed(self) -> Any:
        """The pcscd testbed behind a ``sim://sscard`` reader (None for a real reader)."""
        return getattr(self.sscard, "testbed", None)

    def close_sscard(self) -> None:
        if self.sscard_monitor is not None:
            self.sscard_monitor.stop()
            self.sscard_monitor = None
        self._sim_sscard = None
        if self.sscard is not None:
            self.sscard.close()  # stops the testbed behind sim://sscard
        self.sscard = None
        self._sscard_on = False

    def _sscard_health(self) -> None:
        if self.sscard is None:
            return
        self._set(self.sscard.health())

    def _sscard_event(self, event: PcscEvent) -> None:
        """On the PC/SC monitor's thread: state changes, and a read for each inserted card."""
        from devices.pcsc.monitor import EventKind
        from devices.pcsc.url import pick_reader

        if self.sscard is None:
            return
        ours = True
        if event.reader:
            try:
                ours = pick_reader(self.sscard.hint, [event.reader]) == event.reader
            except KioskError:
                ours = False
        if not ours:
            return
        if event.kind is EventKind.SERVICE_LOST:
            self._absent(DeviceKind.SSCARD, event.reason or "pcsc.no_service")
        elif event.kind is EventKind.CARD_INSERTED:
            self._sscard_on = True
            self._read_sscard()
        elif event.kind is EventKind.CARD_REMOVED:
            self._sscard_on = False
            self._card_gone()
            self._sscard_health()
        else:
            self._sscard_health()

    def _read_sscard(self) -> None:
        try:
            reading = self.sscard.read()
        except KioskError as error:
            self._sscard_health()
            if self._facade is not None and self._expecting:
                self._facade.card_read(None, error)
            return
        self._sscard_health()
        self._hold(reading.record)

    def sim_place_sscard(self, person: Any = None) -> bool:
        """Insert a virtual social security card for ``person`` (a generated one by default)."""
        testbed = self.testbed
        if testbed is None:
            return False
        self.sim_remove_sscard()
        self._sim_sscard = testbed.insert_person(person)
        return True

    def sim_remove_sscard(self) -> None:
        card, self._sim_sscard = self._sim_sscard, None
        if card is not None:
            card.remove()

    # ----- printer ------------------------------------------------------------------------
    def _start_printer(self, url: str) -> None:
        if not url:
            self._absent(DeviceKind.PRINTER, "ui.device.not_configured")
            return
        from devices.printer.driver import ReceiptPrinter

        try:
            self.printer = ReceiptPrinter(url, timeout=3.0)
        except KioskError as error:
            self._absent(DeviceKind.PRINTER, error.key, error.detail)
            return
        self._printer_status()

    def _printer_status(self) -> None:
        if self.printer is not None:
            self._set(self.printer.status())

    def _no_printer(self) -> str:
        status = self._states.get(DeviceKind.PRINTER.value)
        return (status.reason if status is not None else "") or "ui.receipt.no_printer"

    def print_receipt(self, data: AcceptanceReceipt, lang: str) -> str | None:
        """Print the 受理回执; None when printed, else an i18n key saying why not."""
        if self.printer is None:
            return self._no_printer()
        from kiosk.receipts import build_acceptance_receipt

        document = build_acceptance_receipt(data, self.printer.profile.columns, lang)
        self.last_receipt = document
        return self.print_document(document)

    def print_document(self, document: Receipt) -> str | None:
        """Print any rendered receipt document (e.g. the self-test page); None when printed."""
        if self.printer is None:
            return self._no_printer()
        try:
            self.printer.print(document)
        except KioskError as error:
            self._printer_status()
            return getattr(error, "reason", "") or error.key
        self._printer_status()
        return None

    def printer_columns(self) -> int:
        return int(self.printer.profile.columns) if self.printer is not None else 48

    # ----- camera -------------------------------------------------------------------------
    def _start_camera(self, url: str) -> None:
        if not url:
            self._absent(DeviceKind.CAMERA, "ui.device.not_configured")
            return
        from devices.camera.camera import DocumentCamera

        def on_status(status: DeviceStatus) -> None:
            self._set(status)

        try:
            self.camera = DocumentCamera(url, on_status=on_status)
            self.camera.open()
        except KioskError as error:
            self._absent(DeviceKind.CAMERA, error.key, error.detail)
            return
        self._set(self.camera.status)

    # ----- outbox -------------------------------------------------------------------------
    def _start_outbox(self) -> None:
        from kiosk.config import load_secret
        from kiosk.outbox import Outbox
        from kiosk.paths import state_dir

        folder = self._state_folder or state_dir()
        try:
            secret = self._secret or load_secret(folder)
            self.outbox = Outbox.in_state_dir(folder, secret)
        except KioskError as error:
            log.warning("no outbox: %s", error.key)
            self.outbox = None

    def submit(self, document: dict[str, Any], captures: dict[str, list[bytes]]) -> str:
        """Queue the application durably; returns the outbox record id."""
        if self.outbox is None:
            from kiosk.errors import CentralError

            raise CentralError("no outbox", key="ui.error.no_outbox")
        from kiosk.outbox import Material

        materials = [
            Material(name=f"{material_id}-{n}.jpg", data=jpeg)
            for material_id, pages in captures.items()
            for n, jpeg in enumerate(pages, start=1)
        ]
        return self.outbox.enqueue_submission(
            document["reference"], document["scenario"]["id"], document, materials
        )

    # ----- monitor ------------------------------------------------------------------------
    def _watch(self) -> None:
        while not self._stop.wait(self.STATUS_EVERY_S):
            try:
                self._printer_status()
            except Exception:
                log.exception("printer status check failed")
