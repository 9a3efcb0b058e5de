"""PC/SC access through pcscd: readers, card presence and ATR, connections and APDU exchange.

A thin typed layer over pyscard's ``smartcard.scard`` (the PC/SC C API one-to-one), so that
every pcscd return code becomes a :mod:`devices.pcsc.errors` exception. Blocking calls:
run them in a device worker, never on the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

import smartcard.scard as scard

from devices.pcsc.errors import CardRemoved, CardStatusError, check, error_for

GET_UID = bytes.fromhex("FFCA000000")  # PC/SC part 3 GET DATA: contactless UID / PUPI / IDm
SW_OK = 0x9000


@dataclass(frozen=True)
class ReaderStatus:
    name: str
    card_present: bool
    atr: bytes = b""
    in_use: bool = False  # another application holds the card exclusively
    mute: bool = False  # a card is there but gives no valid ATR


@dataclass(frozen=True)
class Response:
    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    def __str__(self) -> str:
        return f"{self.data.hex().upper()} {self.sw:04X}".strip()


def status_from_event(name: str, event_state: int, atr: bytes) -> ReaderStatus:
    return ReaderStatus(
        name=name,
        card_present=bool(event_state & scard.SCARD_STATE_PRESENT),
        atr=bytes(atr) if event_state & scard.SCARD_STATE_PRESENT else b"",
        in_use=bool(event_state & scard.SCARD_STATE_EXCLUSIVE),
        mute=bool(event_state & scard.SCARD_STATE_MUTE),
    )


class PcscContext:
    """One ``SCardEstablishContext``; use as a context manager. Not shared between threads."""

    def __init__(self) -> None:
        code, self.handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        check(code, "connect to pcscd")

    def close(self) -> None:
        if self.handle is not None:
            scard.SCardReleaseContext(self.handle)
            self.handle = None

    def __enter__(self) -> PcscContext:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def readers(self) -> list[str]:
        code, names = scard.SCardListReaders(self.handle, [])
        if code == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        check(code, "list readers")
        return list(names)

    def statuses(self, names: list[str] | None = None) -> list[ReaderStatus]:
        names = self.readers() if names is None else names
        if not names:
            return []
        code, states = scard.SCardGetStatusChange(
            self.handle, 0, [(name, scard.SCARD_STATE_UNAWARE) for name in names]
        )
        check(code, "read reader states")
        return [status_from_event(name, event, atr) for name, event, atr in states]

    def connect(self, reader: str) -> CardConnection:
        code, card, protocol = scard.SCardConnect(
            self.handle,
            reader,
            scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
        )
        check(code, f"connect to the card in {reader!r}")
        return CardConnection(reader, card, protocol)


class CardConnection:
    """A connected card: ATR, raw transmit, and ISO 7816 exchange with 61xx/6Cxx handling."""

    def __init__(self, reader: str, card: int, protocol: int) -> None:
        self.reader = reader
        self._card: int | None = card
        self.protocol = protocol
        self._pci = (
            scard.SCARD_PCI_T1 if protocol == scard.SCARD_PROTOCOL_T1 else scard.SCARD_PCI_T0
        )
        code, _name, _state, _proto, atr = scard.SCardStatus(card)
        check(code, "read the card status")
        self.atr = bytes(atr)

    def close(self) -> None:
        if self._card is not None:
            scard.SCardDisconnect(self._card, scard.SCARD_LEAVE_CARD)
            self._card = None

    def __enter__(self) -> CardConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transmit(self, apdu: bytes) -> Response:
        """One C-APDU, one R-APDU; no status word at all means the card went away."""
        if self._card is None:
            raise CardRemoved("the connection is closed")
        code, answer = scard.SCardTransmit(self._card, self._pci, list(apdu))
        if code != scard.SCARD_S_SUCCESS:
            raise error_for(code, f"send {apdu[:4].hex().upper()}")
        if len(answer) < 2:
            raise CardRemoved(f"no answer to {apdu[:4].hex().upper()}")
        raw = bytes(answer)
        return Response(raw[:-2], int.from_bytes(raw[-2:], "big"))

    def exchange(self, apdu: bytes, *, tries: int = 4) -> Response:
        """``transmit`` plus the T=0 conventions: 61xx → GET RESPONSE, 6Cxx → resend with Le=xx."""
        response = self.transmit(apdu)
        data = b""
        last = apdu  # a 6Cxx answer to GET RESPONSE re-sends the GET RESPONSE
        for _ in range(tries):
            sw1, sw2 = response.sw >> 8, response.sw & 0xFF
            if sw1 == 0x6C:
                last = _with_le(last, sw2)
            elif sw1 == 0x61:
                data += response.data
                last = bytes((0x00, 0xC0, 0x00, 0x00, sw2))
            else:
                break
            response = self.transmit(last)
        return Response(data + response.data, response.sw)

    def expect_ok(self, apdu: bytes, doing: str) -> bytes:
        response = self.exchange(apdu)
        if not response.ok:
            raise CardStatusError(f"{doing}: SW {response.sw:04X}", sw=response.sw)
        return response.data

    def uid(self) -> bytes:
        """The contactless UID the reader reports (GET DATA FF CA 00 00 00)."""
        return self.expect_ok(GET_UID, "read the contactless UID")


def _with_le(apdu: bytes, le: int) -> bytes:
    """``apdu`` with its Le set to ``le`` (appended for case 1 and 3 short APDUs)."""
    if len(apdu) == 4:
        return apdu + bytes((le,))
    if len(apdu) == 5:  # case 2: the 5th byte is Le
        return apdu[:4] + bytes((le,))
    lc = apdu[4]
    if len(apdu) == 5 + lc:  # case 3
        return apdu + bytes((le,))
    return apdu[: 5 + lc] + bytes((le,))  # case 4


def list_readers() -> list[ReaderStatus]:
    """Every reader with its card presence and ATR (raises PcscServiceUnavailable without pcscd)."""
    with PcscContext() as context:
        return context.statuses()
