"""The SAM_V status byte SW3: what each code means and which typed error it becomes.

Codes and meanings from the fact sheet (idcard-readers.md §1.4, several public sources agree).
0x90 is success for every command except find-card (20 01), whose success is 0x9F; 0x91 means
"this item has no content" (e.g. no appended address) and is an outcome, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from devices.idcard import errors


class Sw3(IntEnum):
    OK = 0x90
    FIND_OK = 0x9F
    NO_CONTENT = 0x91
    CHECKSUM_ERROR = 0x10
    LENGTH_ERROR = 0x11
    COMMAND_ERROR = 0x21
    UNAUTHORISED_OPERATION = 0x23
    UNRECOGNISED_ERROR = 0x24
    CARD_AUTH_SAM_FAILED = 0x31
    SAM_AUTH_CARD_FAILED = 0x32
    VERIFY_FAILED = 0x33
    UNKNOWN_CARD_TYPE = 0x40
    READ_FAILED = 0x41
    RANDOM_FAILED = 0x47
    SAM_SELF_TEST_FAILED = 0x60
    SAM_NOT_AUTHORISED = 0x66
    NO_CARD = 0x80
    SELECT_FAILED = 0x81


@dataclass(frozen=True)
class StatusInfo:
    meaning: str
    error: type[errors.SamStatusError] | None  # None: not an error


STATUS: dict[int, StatusInfo] = {
    Sw3.OK: StatusInfo("success", None),
    Sw3.FIND_OK: StatusInfo("find card succeeded", None),
    Sw3.NO_CONTENT: StatusInfo("this item has no content on the card", None),
    Sw3.CHECKSUM_ERROR: StatusInfo("checksum error in the request", errors.SamRejectedRequest),
    Sw3.LENGTH_ERROR: StatusInfo("length error in the request", errors.SamRejectedRequest),
    Sw3.COMMAND_ERROR: StatusInfo("command error", errors.SamRejectedRequest),
    Sw3.UNAUTHORISED_OPERATION: StatusInfo("unauthorised operation", errors.SamRejectedRequest),
    Sw3.UNRECOGNISED_ERROR: StatusInfo("unrecognised error", errors.SamFault),
    Sw3.CARD_AUTH_SAM_FAILED: StatusInfo(
        "card failed to authenticate the SAM", errors.CardAuthFailed
    ),
    Sw3.SAM_AUTH_CARD_FAILED: StatusInfo(
        "SAM failed to authenticate the card", errors.CardAuthFailed
    ),
    Sw3.VERIFY_FAILED: StatusInfo("information verification error", errors.CardAuthFailed),
    Sw3.UNKNOWN_CARD_TYPE: StatusInfo("unrecognised card type", errors.CardUnsupported),
    Sw3.READ_FAILED: StatusInfo("read card failed", errors.CardReadFailed),
    Sw3.RANDOM_FAILED: StatusInfo("get random number failed", errors.CardAuthFailed),
    Sw3.SAM_SELF_TEST_FAILED: StatusInfo("SAM self-test failed", errors.SamFault),
    Sw3.SAM_NOT_AUTHORISED: StatusInfo("SAM not authorised", errors.SamFault),
    Sw3.NO_CARD: StatusInfo("find card failed: no card", errors.NoCard),
    Sw3.SELECT_FAILED: StatusInfo("select card failed", errors.CardSelectFailed),
}

ERROR_CODES: tuple[int, ...] = tuple(code for code, info in STATUS.items() if info.error)


def key_for(sw3: int) -> str:
    return f"idcard.sw3.{sw3:02x}" if sw3 in STATUS else "idcard.sw3.unknown"


def error_for(sw3: int, sw1: int = 0, sw2: int = 0, *, command: str = "") -> errors.SamStatusError:
    """The typed error for a status the caller did not expect (unknown codes included)."""
    info = STATUS.get(sw3)
    cls = info.error if info and info.error else errors.SamStatusError
    meaning = info.meaning if info else "unknown status"
    where = f"{command}: " if command else ""
    return cls(
        f"{where}SW3={sw3:02X} ({meaning}), SW1 SW2={sw1:02X} {sw2:02X}",
        sw3=sw3,
        sw1=sw1,
        sw2=sw2,
        key=key_for(sw3),
    )
