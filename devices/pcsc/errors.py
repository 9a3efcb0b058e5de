"""Typed errors for PC/SC readers and cards, and the device state each one implies.

pcscd's return codes and the card's status words become these, so the kiosk never sees a
pyscard exception or a bare number. Every class has a stable key (messages in
``assets/i18n/*/pcsc.yaml``) and a ``state``: what the reader's health is after this error.
"""

from __future__ import annotations

from typing import ClassVar

import smartcard.scard as scard

from devices.errors import DeviceAbsent, DeviceError, ProtocolError
from devices.status import ABSENT, DEGRADED, FAULT, OK, DeviceKind, DeviceState, DeviceStatus


class PcscError(DeviceError):
    """Something PC/SC-related failed; ``code`` holds pcscd's return code when there is one."""

    key = "pcsc.error"
    state: ClassVar[DeviceState] = FAULT

    def __init__(self, detail: str = "", *, code: int | None = None, **params: object) -> None:
        super().__init__(detail, **params)
        self.code = code


class PcscServiceUnavailable(PcscError, DeviceAbsent):
    """pcscd is not running (SCARD_E_NO_SERVICE / SERVICE_STOPPED)."""

    key = "pcsc.no_service"
    state = ABSENT


class ReaderNotFound(PcscError, DeviceAbsent):
    """No reader at all, or none whose name matches the configured one."""

    key = "pcsc.no_reader"
    state = ABSENT


class NoCard(PcscError):
    """The reader is fine and empty: waiting for a citizen's card."""

    key = "pcsc.no_card"
    state = OK


class CardRemoved(PcscError):
    """The card left the reader (or stopped answering) in the middle of a read."""

    key = "pcsc.card_removed"
    state = DEGRADED


class CardStatusError(PcscError, ProtocolError):
    """The card answered a status word other than 90 00 where we needed success."""

    key = "pcsc.card_status"
    state = DEGRADED

    def __init__(self, detail: str = "", *, sw: int = 0, **params: object) -> None:
        super().__init__(detail, sw=f"{sw:04X}", **params)
        self.sw = sw


class NotSocialSecurityCard(CardStatusError):
    """SELECT of the SSSE application failed (6A82): some other card was inserted."""

    key = "pcsc.sscard.not_sscard"


class PinRequired(CardStatusError):
    """The card wants a PIN (6982) before it shows the holder's data; we do not ask for one."""

    key = "pcsc.sscard.pin_required"


class CardDataError(PcscError, ProtocolError):
    """The card's records do not follow the layout or hold an invalid ID number."""

    key = "pcsc.sscard.bad_data"
    state = DEGRADED


class ReaderFault(PcscError):
    """Any other pcscd failure: communication error, sharing violation, internal error."""

    key = "pcsc.reader_fault"
    state = FAULT


_BY_CODE: dict[int, type[PcscError]] = {
    scard.SCARD_E_NO_SERVICE: PcscServiceUnavailable,
    scard.SCARD_E_SERVICE_STOPPED: PcscServiceUnavailable,
    scard.SCARD_E_NO_READERS_AVAILABLE: ReaderNotFound,
    scard.SCARD_E_UNKNOWN_READER: ReaderNotFound,
    scard.SCARD_E_READER_UNAVAILABLE: ReaderNotFound,
    scard.SCARD_E_NO_SMARTCARD: NoCard,
    scard.SCARD_W_REMOVED_CARD: CardRemoved,
    scard.SCARD_W_RESET_CARD: CardRemoved,
    scard.SCARD_W_UNPOWERED_CARD: CardRemoved,
    scard.SCARD_W_UNRESPONSIVE_CARD: CardRemoved,
    # vpcd (and some USB readers) report a card pulled mid-APDU as "transaction failed".
    scard.SCARD_E_NOT_TRANSACTED: CardRemoved,
}


def error_for(code: int, doing: str) -> PcscError:
    """The typed error for a pcscd return code; ``doing`` says what we were trying."""
    cls = _BY_CODE.get(code & 0xFFFFFFFF, ReaderFault)
    message = scard.SCardGetErrorMessage(code)
    return cls(f"{doing}: {message} (0x{code & 0xFFFFFFFF:08X})", code=code)


def check(code: int, doing: str) -> None:
    if code != scard.SCARD_S_SUCCESS:
        raise error_for(code, doing)


def status_for(error: PcscError, reader: str = "") -> DeviceStatus:
    """The social security card reader's status after ``error`` (``detail``: reader, pcscd's words)."""
    detail = " ".join(part for part in (reader, error.detail) if part)
    return DeviceStatus(DeviceKind.SSCARD, error.state, error.key, detail)
