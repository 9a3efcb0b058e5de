"""Probing devices for ``detect`` and ``selftest``: does something answer, and what is it?

Every probe has a short finite timeout and returns a :class:`Probe` instead of raising, so a
table of many ports is filled even when most of them are silent. Drivers are imported lazily:
a missing driver module gives a ``skipped`` row, never a crash.
"""

from __future__ import annotations

import glob
import importlib
import socket
from dataclasses import dataclass
from typing import Any

from devices.errors import DeviceAbsent, DeviceTimeout

DLE_EOT_1 = b"\x10\x04\x01"
PRINTER_PORT = 9100


@dataclass(frozen=True)
class Probe:
    kind: str  # idcard | sscard | printer | camera | central
    url: str
    state: str  # ok | degraded | fault | absent | skipped
    detail: str = ""

    @property
    def found(self) -> bool:
        return self.state in ("ok", "degraded")


def _module(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def serial_ports() -> list[str]:
    """Serial device paths on this machine (pyserial's list plus the usual USB/ACM nodes)."""
    found: set[str] = set()
    try:
        from serial.tools import list_ports

        found.update(port.device for port in list_ports.comports())
    except ImportError:
        pass
    for pattern in ("/dev/ttyUSB*", "/dev/ttyACM*"):
        found.update(glob.glob(pattern))
    return sorted(found)


def probe_sam(url: str, timeout: float = 0.5) -> Probe:
    """A SAM_V ID-card reader at ``url`` (serial path or URL): SAM status then SAM id."""
    factory = _module("devices.idcard.factory")
    sam_reader = _module("devices.idcard.sam_reader")
    if factory is None or sam_reader is None:
        return Probe("idcard", url, "skipped", "devices.idcard driver not installed")
    timeouts = sam_reader.Timeouts(control=timeout, find=timeout, read=timeout, address=timeout)
    reader = None
    try:
        reader = factory.open_reader(url, timeouts=timeouts)
        reader.sam_status()
        return Probe("idcard", url, "ok", f"SAM {reader.sam_id()}")
    except Exception as error:  # any failure means "not a working SAM reader here"
        state = "absent" if isinstance(error, DeviceAbsent | DeviceTimeout) else "fault"
        return Probe("idcard", url, state, _describe(error))
    finally:
        if reader is not None:
            reader.close()


def pcsc_readers() -> list[Probe]:
    """Every PC/SC reader pcscd lists (empty when pcscd or pyscard is not there)."""
    reader = _module("devices.pcsc.reader")
    if reader is None:
        return [Probe("sscard", "pcsc://", "skipped", "devices.pcsc driver not installed")]
    try:
        statuses = reader.list_readers()
    except Exception as error:
        return [Probe("sscard", "pcsc://", "absent", _describe(error))]
    return [
        Probe("sscard", f"pcsc://{s.name}", "ok", "card present" if s.card_present else "no card")
        for s in statuses
    ]


def probe_pcsc(url: str) -> Probe:
    sscard = _module("devices.pcsc.sscard")
    if sscard is None:
        return Probe("sscard", url, "skipped", "devices.pcsc driver not installed")
    try:
        reader = sscard.open_sscard_reader(url)
    except Exception as error:
        return Probe("sscard", url, "fault", _describe(error))
    try:
        health = reader.health()
    finally:
        reader.close()
    return Probe("sscard", url, health.state, f"{health.reason} {health.detail}".strip())


def probe_printer_socket(host: str, port: int = PRINTER_PORT, timeout: float = 1.0) -> Probe:
    """A raw-TCP printer answers DLE EOT 1 with exactly one status byte."""
    url = f"socket://{host}:{port}"
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(DLE_EOT_1)
            reply = sock.recv(1)
    except OSError as error:
        return Probe("printer", url, "absent", _describe(error))
    return _printer_reply(url, reply)


def probe_printer_serial(path: str, baud: int = 9600, timeout: float = 0.5) -> Probe:
    url = f"serial://{path}?baud={baud}"
    try:
        import serial

        with serial.serial_for_url(path, baudrate=baud, timeout=timeout) as port:
            port.reset_input_buffer()
            port.write(DLE_EOT_1)
            reply = port.read(1)
    except Exception as error:
        return Probe("printer", url, "absent", _describe(error))
    return _printer_reply(url, reply)


def _printer_reply(url: str, reply: bytes) -> Probe:
    if len(reply) != 1:
        return Probe("printer", url, "absent", "no answer to DLE EOT")
    status = _module("devices.printer.status")
    if status is not None and not status.valid_reply(reply[0]):
        return Probe("printer", url, "absent", f"answered {reply.hex()}, not a DLE EOT status")
    return Probe("printer", url, "ok", f"status byte {reply.hex()}")


def probe_printer_url(url: str) -> Probe:
    driver = _module("devices.printer.driver")
    if driver is None:
        return Probe("printer", url, "skipped", "devices.printer driver not installed")
    try:
        with driver.ReceiptPrinter(url) as printer:
            status = printer.status()
    except Exception as error:
        return Probe("printer", url, "fault", _describe(error))
    return Probe("printer", url, status.state, status.reason)


def cameras(indexes: range = range(4)) -> list[Probe]:
    """cv2 capture devices 0..3 that deliver a frame, with their resolution."""
    try:
        import cv2
    except ImportError:
        return [Probe("camera", "camera://", "skipped", "OpenCV not installed")]
    found = []
    for index in indexes:
        capture = cv2.VideoCapture(index)
        try:
            if not capture.isOpened():
                continue
            ok, frame = capture.read()
            if ok and frame is not None:
                height, width = frame.shape[:2]
                found.append(Probe("camera", f"camera://{index}", "ok", f"{width}x{height}"))
        finally:
            capture.release()
    return found


def probe_camera_url(url: str) -> Probe:
    sources = _module("devices.camera.sources")
    if sources is None:
        return Probe("camera", url, "skipped", "devices.camera driver not installed")
    source = None
    try:
        source = sources.open_source(url)
        source.open()
        width, height = source.resolution()
        source.read_preview()
    except Exception as error:
        return Probe("camera", url, "absent", _describe(error))
    finally:
        if source is not None:
            source.close()
    return Probe("camera", url, "ok", f"{width}x{height}")


def probe_url(kind: str, url: str) -> Probe:
    """Open the configured device of ``kind`` and ask its status."""
    if kind == "idcard":
        return probe_sam(url)
    if kind == "sscard":
        return probe_pcsc(url)
    if kind == "printer":
        return probe_printer_url(url)
    if kind == "camera":
        return probe_camera_url(url)
    return Probe(kind, url, "skipped", "unknown device kind")


def _describe(error: BaseException) -> str:
    key = getattr(error, "key", "")
    text = str(getattr(error, "detail", "") or error)
    return f"{key}: {text}" if key and key not in text else text
