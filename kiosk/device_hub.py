"""The devices service: ID-card reader, social security card, printer and camera behind one object.

:class:`DeviceHub` starts the devices named in the config and turns their callbacks into calls on
its :class:`DeviceListener` (wired by the composition root, :mod:`kiosk.runtime`): device state
changes, card reads, card removal. Screens type against :class:`kiosk.services.DeviceService`.
No Kivy here; callbacks arrive on the drivers' own worker threads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

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
    from identity.idnumber import TestPerson
    from kiosk.receipts import AcceptanceReceipt

log = logging.getLogger(__name__)

__all__ = ["DeviceHub", "DeviceListener", "DeviceStatus"]  # DeviceStatus: devices.status's, kept importable here


class VirtualCard(Protocol):
    """A simulated social security card in the pcscd testbed (production code never imports the simulators)."""

    def remove(self) -> None: ...


class Testbed(Protocol):
    """The pcscd testbed behind a ``sim://sscard`` reader, as far as the hub uses it."""

    def insert_person(self, person: TestPerson | None = None) -> VirtualCard: ...


class DeviceListener(Protocol):
    """Who the hub tells about its devices (on the drivers' threads)."""

    def device_changed(self) -> None: ...

    def card_read(self, record: IdentityRecord | None, error: KioskError | None = None) -> None: ...

    def card_removed(self) -> None: ...


class DeviceHub:
    """Starts the devices named in the config and turns their callbacks into listener calls.

    Every driver is optional: an empty URL means "not fitted", a driver that fails to open is
    reported ``absent`` with its reason, never faked. Each device's status is the driver's own
    :class:`~devices.status.DeviceStatus`, passed on unchanged, so ``usable`` follows the one
    readiness table in :mod:`devices.status`. URLs are opened through :mod:`devices.registry`;
    ``sim://`` works only once the harness has loaded the simulators. Blocking I/O runs on the drivers' own
    workers (card poller, PC/SC monitor, camera preview) or on the caller's thread (print),
    which the screens keep off the UI thread.
    """

    STATUS_EVERY_S = 5.0

    def __init__(self, config: Config) -> None:
        self.config = config
        self._listener: DeviceListener | None = None
        self._states: dict[str, DeviceStatus] = {}
        self._lock = threading.RLock()
        self.reader: SamReader | None = None
        self.poller: CardPoller | None = None
        self.sscard: SscardReader | None = None
        self.sscard_monitor: ReaderMonitor | None = None
        self._sim_sscard: VirtualCard | None = None  # the virtual card in the testbed's reader
        self._sim_sscard_lock = threading.RLock()  # a removal waits for an insertion under way
        self.printer: ReceiptPrinter | None = None
        self.camera: DocumentCamera | None = None
        self._card_on = False
        self._sscard_on = False
        self._pending: IdentityRecord | None = None
        self._expecting = False
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None
        self.last_receipt: Receipt | None = None  # the last rendered receipt document (no full ID data)

    # ----- life cycle ---------------------------------------------------------------------
    def start(self, listener: DeviceListener) -> None:
        self._listener = listener
        urls = self.config.devices
        self._start_idcard(urls.idcard)
        self.open_sscard(urls.sscard)
        self._start_printer(urls.printer)
        self._start_camera(urls.camera)
        self._stop.clear()
        self._monitor = threading.Thread(target=self._watch, name="device-monitor", daemon=True)
        self._monitor.start()
        listener.device_changed()

    def stop(self) -> None:
        self._stop.set()
        if self._monitor is not None:
            self._monitor.join(5)
        self.forget_card()
        self.close_sscard()
        closers: list[Callable[[], object]] = [
            lambda: self.poller and self.poller.stop(),
            lambda: self.reader and self.reader.close(),
            lambda: self.camera and self.camera.close(),
            lambda: self.printer and self.printer.close(),
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
        if changed and self._listener is not None and self._monitor is not None:
            self._listener.device_changed()

    def _absent(self, device: DeviceKind, reason: str, detail: str = "") -> None:
        self._set(DeviceStatus(device, DeviceState.ABSENT, reason, detail))

    def states(self) -> dict[str, DeviceStatus]:
        with self._lock:
            return dict(self._states)

    def wire_states(self) -> dict[str, dict[str, str]]:
        """The states as the heartbeat sends them."""
        return {name: status.wire() for name, status in self.states().items()}

    def usable(self, name: str) -> bool:
        """Whether the device ``name`` (idcard, sscard, printer, camera) can be used now."""
        status = self.states().get(name)
        return bool(status is not None and status.usable)

    def reader_usable(self) -> bool:
        """Whether a citizen can identify: the ID-card reader or the social security card reader works."""
        return self.usable(DeviceKind.IDCARD.value) or self.usable(DeviceKind.SSCARD.value)

    def camera_usable(self) -> bool:
        return self.camera is not None and self.usable(DeviceKind.CAMERA.value)

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
        elif kind == "read_failed" and self._listener is not None:
            self._listener.card_read(None, event.error)
        elif kind == "placed":
            self._hold(event.record)

    def _card_gone(self) -> None:
        self.forget_card()
        if self._listener is not None:
            self._listener.card_removed()

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
        if record is not None and self._listener is not None:
            self._listener.card_read(record)

    def expect_card(self, on: bool) -> None:
        """The Identify screen is showing (True) or not: only then is a card handed on."""
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

    def sim_place_card(self, card: str = "resident", **options: bool) -> bool:
        """Developer aid in simulation: put a generated card of kind ``card`` on the simulated reader."""
        simulator = getattr(self.reader, "simulator", None)
        if simulator is None:
            return False
        simulator.place_card(card, **options)
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
    def testbed(self) -> Testbed | None:
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
            if self._listener is not None and self._expecting:
                self._listener.card_read(None, error)
            return
        self._sscard_health()
        self._hold(reading.record)

    def sim_sscard_available(self) -> bool:
        """Whether a virtual social security card can be inserted (a ``sim://sscard`` reader)."""
        return self.testbed is not None

    def sim_place_sscard(self, person: TestPerson | None = None) -> bool:
        """Developer aid: insert a virtual social security card for ``person`` (a generated one by default).

        Runs on a worker: pcscd needs a moment to see the card, and the UI must not wait."""
        testbed = self.testbed
        if testbed is None:
            return False

        def insert() -> None:
            with self._sim_sscard_lock:  # held until pcscd sees the card, which may be read before
                self.sim_remove_sscard()
                self._sim_sscard = testbed.insert_person(person)

        threading.Thread(target=insert, name="sim-sscard", daemon=True).start()
        return True

    def sim_remove_sscard(self) -> None:
        with self._sim_sscard_lock:
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

    # ----- monitor ------------------------------------------------------------------------
    def _watch(self) -> None:
        while not self._stop.wait(self.STATUS_EVERY_S):
            try:
                self._printer_status()
            except Exception:
                log.exception("printer status check failed")
