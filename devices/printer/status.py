"""DLE EOT status bytes (n=1..4) turned into the device state the kiosk acts on.

Bit layouts (Epson ESC/POS, "real-time status transmission"); every reply is ``0xx1xx10``:
  n=1 printer:        bit3 offline
  n=2 offline cause:  bit2 cover open, bit3 paper fed by button, bit5 stopped by paper end, bit6 error
  n=3 error cause:    bit2 recoverable error (e.g. head too hot), bit3 autocutter error,
                      bit5 unrecoverable error, bit6 auto-recoverable error
  n=4 paper sensor:   bits2-3 roll near end, bits5-6 roll end (paper out)
"""

from __future__ import annotations

from devices.errors import ProtocolError
from devices.status import DeviceKind, DeviceState, DeviceStatus, as_state

READY = "printer.ready"
PAPER_NEAR_END = "printer.paper_near_end"
PAPER_OUT = "printer.paper_out"
COVER_OPEN = "printer.cover_open"
CUTTER_ERROR = "printer.cutter_error"
HARDWARE_ERROR = "printer.hardware_error"
OFFLINE = "printer.offline"
ABSENT = "printer.absent"
NO_ANSWER = "printer.no_answer"
STATUS_UNKNOWN = "printer.status_unknown"


def printer_status(state: DeviceState | str, reason: str, raw: bytes = b"") -> DeviceStatus:
    """The printer's status; ``detail`` holds the raw DLE EOT replies as hex (see :func:`raw_of`)."""
    return DeviceStatus(DeviceKind.PRINTER, as_state(state), reason, raw.hex(" "))


def raw_of(status: DeviceStatus) -> bytes:
    """The DLE EOT replies a printer status was decoded from (empty when there were none)."""
    return bytes.fromhex(status.detail)


def valid_reply(byte: int) -> bool:
    return byte & 0b1001_0011 == 0b0001_0010


def decode(raw: bytes) -> DeviceStatus:
    """The state for the four replies to DLE EOT 1, 2, 3, 4 (in that order)."""
    if len(raw) != 4 or not all(valid_reply(b) for b in raw):
        raise ProtocolError(f"not a DLE EOT 1..4 reply: {raw.hex(' ')}", key="printer.bad_status")
    printer, offline, error, paper = raw
    if paper & 0x60 or offline & 0x20:
        return printer_status("fault", PAPER_OUT, raw)
    if offline & 0x04:
        return printer_status("fault", COVER_OPEN, raw)
    if error & 0x08:
        return printer_status("fault", CUTTER_ERROR, raw)
    if error & 0x64 or offline & 0x40:
        return printer_status("fault", HARDWARE_ERROR, raw)
    if printer & 0x08:
        return printer_status("fault", OFFLINE, raw)
    if paper & 0x0C:
        return printer_status("degraded", PAPER_NEAR_END, raw)
    return printer_status("ok", READY, raw)


def encode(
    *,
    paper: str = "ok",
    cover_open: bool = False,
    offline: bool = False,
    cutter_error: bool = False,
) -> bytes:
    """The four replies a printer in this condition sends (used by the simulator)."""
    paper_out = paper == "out"
    stopped = offline or cover_open or paper_out or cutter_error
    n1 = 0x12 | (0x08 if stopped else 0)
    n2 = (
        0x12
        | (0x04 if cover_open else 0)
        | (0x20 if paper_out else 0)
        | (0x40 if cutter_error else 0)
    )
    n3 = 0x12 | (0x08 if cutter_error else 0)
    n4 = 0x12 | (0x0C if paper == "near_end" else 0) | (0x60 if paper_out else 0)
    return bytes([n1, n2, n3, n4])
