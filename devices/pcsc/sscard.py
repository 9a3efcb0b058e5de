"""The social security card (社会保障卡) driver: a second way to identify a citizen.

Selects the SSSE application, reads EF05 (card data) and EF06 (holder data) record by record
and returns an :class:`IdentityRecord` of type SOCIAL_SECURITY whose ``id_number`` is the
社会保障号码 (the citizen's ID number, checked with ``idnumber.problem``).

Reading a record: READ RECORD with P2=00 and P1 = the field's tag (record identifier, as in S38
YuanTu ``Z9.ReadData``); a card that refuses that (6A83/6A86) is asked by record number with
P2=04 (as the tecsun builder does). No PIN is presented: a card that demands one (6982) gives
``PinRequired`` (idcard-readers.md §6.2 leaves access conditions open).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devices import registry
from devices.pcsc.errors import (
    OK,
    CardDataError,
    CardStatusError,
    NotSocialSecurityCard,
    PcscError,
    PinRequired,
    status_for,
)
from devices.pcsc.reader import CardConnection, PcscContext
from devices.pcsc.sscard_layout import (
    EF05,
    EF06,
    FILES,
    NATIONS,
    SEXES,
    SSSE_AID,
    LayoutError,
    parse_date,
    parse_record,
)
from devices.pcsc.url import BadPcscUrl, parse_pcsc_url, pick_reader
from devices.status import DEGRADED, DeviceKind, DeviceStatus
from identity.idnumber import birth_date, normalise, problem
from identity.record import CardType, IdentityRecord

SW_FILE_NOT_FOUND = 0x6A82
SW_SECURITY = 0x6982
_RETRY_BY_NUMBER = (0x6A83, 0x6A86, 0x6B00)


@dataclass(frozen=True)
class SscardReading:
    """One read: the identity record plus what EF05 says about the card itself."""

    record: IdentityRecord
    card: dict[str, str]  # EF05 fields by name (card_id, card_kind, spec_version, …)
    atr: bytes
    reader: str


class SscardReader:
    """Reads social security cards from the reader a ``pcsc://`` URL names."""

    def __init__(self, url: str, *, on_close: Callable[[], None] | None = None) -> None:
        self.url = url
        self.hint = parse_pcsc_url(url)  # None: the first reader pcscd lists
        self.testbed: Any = None  # the pcscd testbed behind sim://sscard (to insert cards)
        self._on_close = on_close

    def close(self) -> None:
        """Release what the opener started (the testbed behind sim://sscard)."""
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close()

    def health(self) -> DeviceStatus:
        """ok (card or not), degraded (a mute card), absent (no pcscd / no reader); never raises.

        ``detail`` is the reader's name when one was found."""
        try:
            with PcscContext() as context:
                name = pick_reader(self.hint, context.readers())
                status = context.statuses([name])[0]
        except PcscError as error:
            return status_for(error)
        if status.mute:
            return DeviceStatus(DeviceKind.SSCARD, DEGRADED, "pcsc.card_mute", name)
        reason = "pcsc.card_present" if status.card_present else "pcsc.no_card"
        return DeviceStatus(DeviceKind.SSCARD, OK, reason, name)

    def reader_name(self) -> str:
        with PcscContext() as context:
            return pick_reader(self.hint, context.readers())

    def read(self) -> SscardReading:
        """Read the inserted card; raises a :class:`PcscError` subclass on every failure."""
        with PcscContext() as context:
            name = pick_reader(self.hint, context.readers())
            with context.connect(name) as card:
                return read_sscard(card)

    def uid(self) -> bytes:
        with PcscContext() as context, context.connect(self.reader_name()) as card:
            return card.uid()


def _pcsc(url: registry.DeviceUrl) -> SscardReader:
    url.check_options((), BadPcscUrl)
    return SscardReader(url.text)


registry.register_url_error(DeviceKind.SSCARD, BadPcscUrl)
registry.register(DeviceKind.SSCARD, ["pcsc"], _pcsc)


def open_sscard_reader(url: str) -> SscardReader:
    """The driver for ``url`` (``pcsc://`` does no I/O yet: pcscd may come up later)."""
    reader: SscardReader = registry.open_device(DeviceKind.SSCARD, url)
    return reader


def select_ssse(card: CardConnection) -> None:
    response = card.exchange(bytes((0x00, 0xA4, 0x04, 0x00, len(SSSE_AID))) + SSSE_AID + b"\x00")
    if response.sw == SW_FILE_NOT_FOUND:
        raise NotSocialSecurityCard("no SSSE application on this card", sw=response.sw)
    if not response.ok:
        raise CardStatusError(f"select SSSE: SW {response.sw:04X}", sw=response.sw)


def read_file(card: CardConnection, ef: int) -> dict[str, str]:
    """Every field of EF05 or EF06, as text by field name."""
    card.expect_ok(
        bytes((0x00, 0xA4, 0x02, 0x00, 0x02)) + ef.to_bytes(2, "big"), f"select {ef:04X}"
    )
    values: dict[str, str] = {}
    for number, field in enumerate(FILES[ef], start=1):
        le = field.length + 2  # the layout's fixed length; a card that differs says 6Cxx
        response = card.exchange(bytes((0x00, 0xB2, field.tag, 0x00, le)))
        if response.sw in _RETRY_BY_NUMBER:
            response = card.exchange(bytes((0x00, 0xB2, number, 0x04, le)))
        if response.sw == SW_SECURITY:
            raise PinRequired(f"{field.label}: security status not satisfied", sw=response.sw)
        if not response.ok:
            raise CardStatusError(f"read {field.label}: SW {response.sw:04X}", sw=response.sw)
        try:
            values[field.name] = parse_record(field, response.data)
        except LayoutError as error:
            raise CardDataError(str(error), field=field.label) from error
    return values


def read_sscard(card: CardConnection) -> SscardReading:
    select_ssse(card)
    card_data = read_file(card, EF05)
    holder = read_file(card, EF06)
    try:
        record = to_record(card_data, holder)
    except LayoutError as error:
        raise CardDataError(str(error)) from error
    return SscardReading(record=record, card=card_data, atr=card.atr, reader=card.reader)


def to_record(card_data: dict[str, str], holder: dict[str, str]) -> IdentityRecord:
    """EF05 + EF06 → IdentityRecord; the 社会保障号码 must be a valid citizen ID number."""
    number = normalise(holder.get("id_number", ""))
    why = problem(number)
    if why is not None:
        raise CardDataError(f"社会保障号码 is not a valid ID number ({why})", reason=why)
    born = parse_date(holder.get("birth_date", ""))
    if born is not None and born != birth_date(number):
        raise CardDataError("出生日期 does not match the 社会保障号码", reason="birth_date")
    if not holder.get("name"):
        raise CardDataError("姓名 is empty", reason="name")
    extra = {
        key: card_data[key]
        for key in ("card_number", "card_kind", "spec_version", "card_id")
        if card_data.get(key)
    }
    if card_data.get("card_id"):
        extra["region_code"] = card_data["card_id"][:6]  # 统筹区 code (S39)
    if holder.get("birthplace"):
        extra["birthplace"] = holder["birthplace"]
    return IdentityRecord(
        card_type=CardType.SOCIAL_SECURITY,
        name=holder["name"],
        id_number=number,
        sex=SEXES.get(holder.get("sex", ""), ""),
        birth_date=born or birth_date(number),
        nation=NATIONS.get(holder.get("nation", ""), ""),
        valid_from=parse_date(card_data.get("issued", "")),
        valid_until=parse_date(card_data.get("valid_until", "")),
        extra=extra,
    )
