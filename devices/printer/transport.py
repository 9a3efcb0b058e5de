"""Byte pipes to a printer, chosen by URL; every one has finite timeouts.

Registered here (:mod:`devices.registry`), each giving a :class:`Link` that (re)connects:
``socket://host:9100`` (raw TCP), ``serial:///dev/ttyUSB0?baud=9600`` (pyserial),
``usb://VID:PID`` (the kernel's usblp node /dev/usb/lpN found through sysfs, read and write),
``file:///path`` (write only: no status). ``sim://printer`` is registered by
:mod:`devices.printer.simulator` (a TCP server) when the simulators are loaded.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import serial

from devices import registry
from devices.errors import DeviceAbsent, DeviceTimeout
from devices.printer.errors import PrinterError, PrinterUrlError
from devices.printer.profile import URL_OPTIONS
from devices.status import DeviceKind


class ConnectionLost(PrinterError):
    """The printer closed the link or the link broke while we were using it."""

    key = "printer.connection_lost"


class Transport(Protocol):
    can_read: bool

    def write(self, data: bytes) -> None: ...

    def read(self, size: int, timeout: float) -> bytes: ...

    def drain(self) -> None: ...

    def close(self) -> None: ...


class SocketTransport:
    """Raw TCP (port 9100 "JetDirect" printers and the simulator)."""

    can_read = True

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.where = f"{host}:{port}"
        self.timeout = timeout
        try:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        except ConnectionRefusedError as error:
            raise DeviceAbsent(f"{self.where}: connection refused", key="printer.absent") from error
        except TimeoutError as error:
            raise DeviceTimeout(
                f"{self.where}: no answer in {timeout} s", key="printer.no_answer"
            ) from error
        except OSError as error:
            raise DeviceAbsent(f"{self.where}: {error}", key="printer.absent") from error
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def write(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except TimeoutError as error:
            raise DeviceTimeout(
                f"{self.where}: write timed out", key="printer.no_answer"
            ) from error
        except OSError as error:
            raise ConnectionLost(f"{self.where}: {error}") from error

    def read(self, size: int, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        data = b""
        while len(data) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(size - len(data))
            except TimeoutError:
                break
            except OSError as error:
                raise ConnectionLost(f"{self.where}: {error}") from error
            if not chunk:
                raise ConnectionLost(f"{self.where}: the printer closed the connection")
            data += chunk
        self.sock.settimeout(self.timeout)
        return data

    def drain(self) -> None:
        """Throw away replies that arrived late (a status answer after its timeout)."""
        self.sock.setblocking(False)
        try:
            while self.sock.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass
        finally:
            self.sock.settimeout(self.timeout)

    def close(self) -> None:
        self.sock.close()


class SerialTransport:
    """A serial port or anything pyserial opens by URL."""

    can_read = True

    def __init__(self, port: str, baud: int, timeout: float) -> None:
        self.where = port
        try:
            self.port = serial.serial_for_url(
                port, baudrate=baud, timeout=timeout, write_timeout=timeout
            )
        except serial.SerialException as error:
            raise DeviceAbsent(f"{port}: {error}", key="printer.absent") from error

    def write(self, data: bytes) -> None:
        try:
            self.port.write(data)
            self.port.flush()
        except serial.SerialTimeoutException as error:
            raise DeviceTimeout(
                f"{self.where}: write timed out", key="printer.no_answer"
            ) from error
        except (serial.SerialException, OSError) as error:
            raise ConnectionLost(f"{self.where}: {error}") from error

    def read(self, size: int, timeout: float) -> bytes:
        self.port.timeout = timeout
        try:
            return self.port.read(size)
        except (serial.SerialException, OSError) as error:
            raise ConnectionLost(f"{self.where}: {error}") from error

    def drain(self) -> None:
        self.port.reset_input_buffer()

    def close(self) -> None:
        self.port.close()


class FileTransport:
    """A device node or a plain file. Reads only when ``readable`` (usblp nodes answer DLE EOT)."""

    def __init__(self, path: str, timeout: float, readable: bool = False) -> None:
        self.where = path
        self.can_read = readable
        self.timeout = timeout
        flags = (os.O_RDWR if readable else os.O_WRONLY | os.O_CREAT | os.O_APPEND) | os.O_NONBLOCK
        try:
            self.fd = os.open(path, flags, 0o644)
        except FileNotFoundError as error:
            raise DeviceAbsent(f"{path}: no such file or device", key="printer.absent") from error
        except OSError as error:
            raise DeviceAbsent(f"{path}: {error.strerror}", key="printer.absent") from error

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        deadline = time.monotonic() + self.timeout
        while view:
            try:
                written = os.write(self.fd, view)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise DeviceTimeout(
                        f"{self.where}: write timed out", key="printer.no_answer"
                    ) from None
                select.select([], [self.fd], [], 0.05)
                continue
            except OSError as error:
                raise ConnectionLost(f"{self.where}: {error}") from error
            view = view[written:]

    def read(self, size: int, timeout: float) -> bytes:
        if not self.can_read:
            return b""
        deadline = time.monotonic() + timeout
        data = b""
        while len(data) < size and (remaining := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if not ready:
                break
            try:
                data += os.read(self.fd, size - len(data))
            except BlockingIOError:
                continue
            except OSError as error:
                if error.errno == errno.EAGAIN:
                    continue
                raise ConnectionLost(f"{self.where}: {error}") from error
        return data

    def drain(self) -> None:
        if self.can_read:
            while self.read(64, 0.0):
                pass

    def close(self) -> None:
        os.close(self.fd)


def find_usb_printer(vid: int, pid: int, sysfs: Path = Path("/sys/class/usbmisc")) -> Path:
    """The /dev/usb/lpN node of the USB printer VID:PID, through the usblp driver's sysfs entry."""
    for entry in sorted(sysfs.glob("lp*")):
        device = (entry / "device").resolve().parent  # interface -> the USB device folder
        try:
            found = (
                int((device / "idVendor").read_text(), 16),
                int((device / "idProduct").read_text(), 16),
            )
        except (OSError, ValueError):
            continue
        if found == (vid, pid):
            return Path("/dev/usb") / entry.name
    raise DeviceAbsent(
        f"no USB printer {vid:04x}:{pid:04x} (is the usblp driver loaded?)", key="printer.absent"
    )


def parse_usb_ids(netloc: str) -> tuple[int, int]:
    try:
        vid, pid = (int(part, 16) for part in netloc.split(":"))
    except ValueError:
        raise PrinterUrlError(f"usb://VID:PID needs two hex numbers, not {netloc!r}") from None
    return vid, pid


@dataclass
class Link:
    """How the driver reaches one printer: ``connect()`` opens a fresh transport each time the
    last one broke; ``close()`` releases what the opener started (a simulator)."""

    connect: Callable[[], Transport]
    close: Callable[[], None] = lambda: None
    simulator: Any = None  # the simulator behind a sim:// link, for tests and the harness


def socket_link(host_port: str, timeout: float) -> Callable[[], Transport]:
    host, _, port = host_port.rpartition(":")
    if not host or not port.isdigit():
        raise PrinterUrlError(f"socket://HOST:PORT expected, not {host_port!r}")
    return lambda: SocketTransport(host, int(port), timeout)


def _socket(url: registry.DeviceUrl, *, timeout: float) -> Link:
    url.check_options(URL_OPTIONS, PrinterUrlError)
    return Link(socket_link(url.target, timeout))


def _serial(url: registry.DeviceUrl, *, timeout: float) -> Link:
    url.check_options(URL_OPTIONS | {"baud"}, PrinterUrlError)
    if not url.target:
        raise PrinterUrlError(f"{url.text!r} names no device")
    baud = int(url.number("baud", 9600, PrinterUrlError))
    return Link(lambda: SerialTransport(url.target, baud, timeout))


def _usb(url: registry.DeviceUrl, *, timeout: float) -> Link:
    url.check_options(URL_OPTIONS, PrinterUrlError)
    ids = parse_usb_ids(url.target)
    return Link(lambda: FileTransport(str(find_usb_printer(*ids)), timeout, readable=True))


def _file(url: registry.DeviceUrl, *, timeout: float) -> Link:
    url.check_options(URL_OPTIONS, PrinterUrlError)
    if not url.target:
        raise PrinterUrlError(f"{url.text!r} names no file")
    return Link(lambda: FileTransport(url.target, timeout))


registry.register_url_error(DeviceKind.PRINTER, PrinterUrlError)
registry.register(DeviceKind.PRINTER, ["socket"], _socket)
registry.register(DeviceKind.PRINTER, ["serial"], _serial)
registry.register(DeviceKind.PRINTER, ["usb"], _usb)
registry.register(DeviceKind.PRINTER, ["file"], _file)
