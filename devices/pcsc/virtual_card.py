"""A virtual social security card that plugs into a real pcscd through vsmartcard-vpcd.

It is a small vpcd client (standard library only): it connects to vpcd's TCP port on
127.0.0.1 (connecting is "insert", closing is "remove") and answers the APDUs pcscd relays:
SELECT (MF, the SSSE AID, EF05/EF06), READ RECORD (by number or by tag), READ BINARY,
GET RESPONSE and the contactless GET DATA (FF CA) a real reader would answer itself.

vpcd protocol (platform-notes §3): every message is a 2-byte big-endian length and a payload.
A 1-byte payload is control: 00 power off, 01 power on, 02 reset (no reply), 04 get ATR.
Anything longer is a C-APDU, answered with data + SW1 SW2.

Scripted faults: remove the card on the n-th APDU (card pulled mid-read), an AID that is not
SSSE (SELECT answers 6A82), a holder file that needs a PIN (6982), and of course no card at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import random
import socket
import struct
import threading
from dataclasses import dataclass

from devices.pcsc.sscard_layout import (
    EF05,
    EF06,
    FILES,
    SSSE_AID,
    encode_value,
    tlv_record,
)
from identity.idnumber import TestPerson, generate_person

log = logging.getLogger(__name__)

VPCD_HOST = "127.0.0.1"  # vpcd listens on 0.0.0.0; we only ever talk over loopback
VPCD_PORT = 35963  # reader "Virtual PCD 00 00"; slot 01 is 35964
DEFAULT_ATR = bytes.fromhex("3B9513810180 73FF01000B".replace(" ", ""))  # T=1, as vicc uses
DEFAULT_UID = bytes.fromhex("04A1B2C3")
OTHER_AID = bytes.fromhex("A000000333010101")  # a bank (PBOC debit) AID: not a social security card

SW_OK = b"\x90\x00"
SW_FILE_NOT_FOUND = b"\x6a\x82"
SW_RECORD_NOT_FOUND = b"\x6a\x83"
SW_WRONG_P1P2 = b"\x6a\x86"
SW_NO_CURRENT_EF = b"\x69\x86"
SW_SECURITY = b"\x69\x82"
SW_INS = b"\x6d\x00"
SW_CLA = b"\x6e\x00"
SW_FUNC = b"\x6a\x81"
SW_WRONG_LENGTH = b"\x67\x00"


@dataclass
class SscardContent:
    """What the card holds, as text per field name of ``sscard_layout``."""

    values: dict[str, str]

    @classmethod
    def for_person(cls, person: TestPerson, rng: random.Random | None = None) -> SscardContent:
        rng = rng or random.Random()
        issued = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 6))
        region = person.id_number[:6]
        return cls(
            {
                "card_id": region + "D156000005" + f"{rng.randrange(10**8):08d}" + "FFFFFFFF",
                "card_kind": "3",
                "spec_version": "3.00",
                "init_org": region + f"{rng.randrange(10**18):018d}",
                "issued": f"{issued:%Y%m%d}",
                "valid_until": f"{issued.replace(year=issued.year + 10):%Y%m%d}",
                "card_number": rng.choice("ABCDEFGHJK") + f"{rng.randrange(10**8):08d}",
                "id_number": person.id_number,
                "name": person.name,
                "sex": person.sex,
                "nation": "01",
                "birthplace": region,
                "birth_date": f"{person.birth:%Y%m%d}",
            }
        )

    def records(self, ef: int) -> list[bytes]:
        return [
            tlv_record(f, encode_value(f, self.values[f.name]))
            for f in FILES[ef]
            if f.name in self.values
        ]


@dataclass
class Faults:
    """Scripted misbehaviour; change it between insertions (or live, it is read per APDU)."""

    remove_on_apdu: int | None = None  # drop the connection when the n-th APDU arrives
    not_sscard: bool = False  # the card carries another application: SELECT SSSE → 6A82
    pin_required: bool = False  # READ RECORD of EF06 → 6982 security status not satisfied
    strict_le: bool = True  # answer 6Cxx when Le is not the record's length (T=0 style)
    fci_via_get_response: bool = True  # SELECT AID with P2=00 answers 61xx, then GET RESPONSE
    unpadded: bool = False  # records as long as their value, not the layout's fixed length


@dataclass
class _CardState:
    df: str = "MF"
    ef: int | None = None
    pending: bytes = b""
    apdus: int = 0


class VirtualSscard:
    """One card that can be inserted into and removed from a vpcd slot, any number of times."""

    def __init__(
        self,
        content: SscardContent | None = None,
        *,
        port: int = VPCD_PORT,
        atr: bytes = DEFAULT_ATR,
        uid: bytes | None = DEFAULT_UID,
        faults: Faults | None = None,
        quickack: bool = True,
    ) -> None:
        self.content = content or SscardContent.for_person(generate_person())
        self.port = port
        self.atr = atr
        self.uid = uid
        self.faults = faults or Faults()
        self.quickack = quickack  # off only to measure what it saves
        self.apdu_log: list[bytes] = []
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._state = _CardState()

    # ---- insert / remove -------------------------------------------------------------------

    @property
    def inserted(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def insert(self, timeout: float = 5.0) -> None:
        """Connect to vpcd; raises ConnectionError if vpcd (that is, pcscd) is not there."""
        if self.inserted:
            return
        sock = socket.create_connection((VPCD_HOST, self.port), timeout=timeout)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._sock = sock
            self._state = _CardState()
        self._thread = threading.Thread(
            target=self._serve, args=(sock,), daemon=True, name=f"virtual-sscard:{self.port}"
        )
        self._thread.start()

    def remove(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None

    def __enter__(self) -> VirtualSscard:
        self.insert()
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    # ---- vpcd transport --------------------------------------------------------------------

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                message = _recv_message(sock, self.quickack)
                if message is None:
                    return
                reply = self._handle(message)
                if reply is _DROP:
                    log.debug("virtual card: scripted removal")
                    with self._lock:
                        if self._sock is sock:
                            self._sock = None
                    sock.close()
                    return
                if reply is not None:
                    sock.sendall(struct.pack(">H", len(reply)) + reply)
        except OSError:
            return

    def _handle(self, message: bytes) -> bytes | object | None:
        if len(message) == 1:
            if message[0] == 0x04:
                return self.atr
            if message[0] in (0x00, 0x01, 0x02):  # power off / on / reset: fresh state
                self._state = _CardState()
            return None
        self._state.apdus += 1
        self.apdu_log.append(message)
        if (
            self.faults.remove_on_apdu is not None
            and self._state.apdus >= self.faults.remove_on_apdu
        ):
            return _DROP
        return self.answer(message)

    # ---- the card application --------------------------------------------------------------

    def answer(self, apdu: bytes) -> bytes:
        """The R-APDU for one C-APDU (public so unit tests can drive it without pcscd)."""
        if len(apdu) < 4:
            return SW_WRONG_LENGTH
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[4:]
        data, le = _split_body(body)
        if cla == 0xFF and ins == 0xCA:
            if p1 == 0x00 and self.uid is not None:
                return self.uid + SW_OK
            return SW_FUNC
        if cla != 0x00:
            return SW_CLA
        if ins == 0xA4:
            return self._select(p1, p2, data)
        if ins == 0xB2:
            return self._read_record(p1, p2, le)
        if ins == 0xB0:
            return self._read_binary(p1, p2, le)
        if ins == 0xC0:
            pending, self._state.pending = self._state.pending, b""
            if not pending:
                return b"\x69\x85"
            return pending[: le or 256] + SW_OK
        return SW_INS

    def _select(self, p1: int, p2: int, data: bytes | None) -> bytes:
        state = self._state
        if data is None:
            return SW_WRONG_LENGTH
        if p1 == 0x04:
            aid = OTHER_AID if self.faults.not_sscard else SSSE_AID
            if data != aid:
                return SW_FILE_NOT_FOUND
            state.df, state.ef = "SSSE", None
            if p2 == 0x00:  # FCI requested
                fci = b"\x6f" + bytes((len(aid) + 2,)) + b"\x84" + bytes((len(aid),)) + aid
                if self.faults.fci_via_get_response:
                    state.pending = fci
                    return bytes((0x61, len(fci)))
                return fci + SW_OK
            return SW_OK
        if p1 in (0x00, 0x02) and len(data) == 2:
            fid = int.from_bytes(data, "big")
            if fid == 0x3F00:
                state.df, state.ef = "MF", None
                return SW_OK
            if state.df == "SSSE" and fid in (EF05, EF06):
                state.ef = fid
                return SW_OK
        return SW_FILE_NOT_FOUND

    def _current_records(self, sfi: int) -> tuple[int | None, list[bytes]]:
        ef = {0: self._state.ef, 5: EF05, 6: EF06}.get(sfi)
        if ef is None or self._state.df != "SSSE":
            return None, []
        records = self.content.records(ef)
        if self.faults.unpadded:
            records = [_unpad(record) for record in records]
        return ef, records

    def _with_le(self, payload: bytes, le: int | None) -> bytes:
        if self.faults.strict_le and le != len(payload):
            return bytes((0x6C, len(payload)))
        return payload[: le or 256] + SW_OK

    def _read_record(self, p1: int, p2: int, le: int | None) -> bytes:
        ef, records = self._current_records(p2 >> 3)
        if ef is None:
            return SW_NO_CURRENT_EF
        if ef == EF06 and self.faults.pin_required:
            return SW_SECURITY
        mode = p2 & 0x07
        if mode == 0x04:  # P1 is the record number
            if not 1 <= p1 <= len(records):
                return SW_RECORD_NOT_FOUND
            return self._with_le(records[p1 - 1], le)
        if mode == 0x00:  # P1 is the record identifier (our tag), first occurrence
            for record in records:
                if record[0] == p1:
                    return self._with_le(record, le)
            return SW_RECORD_NOT_FOUND
        return SW_WRONG_P1P2

    def _read_binary(self, p1: int, p2: int, le: int | None) -> bytes:
        ef, records = self._current_records(0)
        if ef is None:
            return SW_NO_CURRENT_EF
        if ef == EF06 and self.faults.pin_required:
            return SW_SECURITY
        blob = b"".join(records)
        offset = (p1 << 8) | p2
        if offset > len(blob):
            return SW_WRONG_P1P2
        return blob[offset : offset + (le or 256)] + SW_OK


_DROP = object()


def _unpad(record: bytes) -> bytes:
    value = record[2:].rstrip(b"\x00")
    return bytes((record[0], len(value))) + value


def _split_body(body: bytes) -> tuple[bytes | None, int | None]:
    """(data, Le) of a short APDU body (cases 1–4)."""
    if not body:
        return None, None
    if len(body) == 1:
        return None, body[0]
    lc = body[0]
    data = body[1 : 1 + lc]
    rest = body[1 + lc :]
    return data, (rest[0] if rest else None)


def _recv_exact(sock: socket.socket, size: int, quickack: bool) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        # vpcd writes length and body separately; without QUICKACK the delayed ACK and
        # Nagle stall every APDU by ~44 ms (platform-notes §3).
        if quickack:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


def _recv_message(sock: socket.socket, quickack: bool) -> bytes | None:
    header = _recv_exact(sock, 2, quickack)
    if header is None:
        return None
    (length,) = struct.unpack(">H", header)
    return _recv_exact(sock, length, quickack) if length else b""


__all__ = ["DEFAULT_ATR", "DEFAULT_UID", "VPCD_PORT", "Faults", "SscardContent", "VirtualSscard"]
