"""The 256-byte text block of a SAM read: layouts of the four card types, parsing and building.

The block is UCS-2 little-endian, fixed-width fields padded with spaces (fact sheet §2). The
card type is the character at byte 248: space (or NUL) = resident ID card, ``J`` = 港澳台居民
居住证, ``I`` = 外国人永久居留身份证 2017, ``Y`` = the 2023 edition. Layouts are data (one
table per type), used both to parse a card and, in the simulator, to build one, so the two
can never disagree.

Only trailing spaces and NULs are trimmed (cutting at the first space, as some public code
does, breaks foreign names). "长期" as the end of validity means long-term: ``valid_until``
is None.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from devices.idcard import codes
from devices.idcard.errors import CardDataError
from identity.idnumber import normalise
from identity.record import CardType, IdentityRecord

TEXT_LEN = 256
TYPE_FLAG_OFFSET = 248
LONG_TERM = "长期"


@dataclass(frozen=True)
class Field:
    name: str
    offset: int  # bytes
    length: int  # bytes (two per character)


_COMMON_TAIL = (
    Field("issuer", 158, 30),
    Field("valid_from", 188, 16),
    Field("valid_until", 204, 16),
)

LAYOUTS: dict[CardType, tuple[Field, ...]] = {
    CardType.RESIDENT: (
        Field("name", 0, 30),
        Field("sex", 30, 2),
        Field("nation", 32, 4),
        Field("birth", 36, 16),
        Field("address", 52, 70),
        Field("id_number", 122, 36),
        *_COMMON_TAIL,
    ),
    CardType.HMT_RESIDENCE: (
        Field("name", 0, 30),
        Field("sex", 30, 2),
        Field("birth", 36, 16),
        Field("address", 52, 70),
        Field("id_number", 122, 36),
        *_COMMON_TAIL,
        Field("pass_number", 220, 18),
        Field("issue_count", 238, 4),
    ),
    CardType.FOREIGN_2017: (
        Field("english_name", 0, 120),
        Field("sex", 120, 2),
        Field("id_number", 122, 30),
        Field("nationality", 152, 6),
        Field("name", 158, 30),
        Field("valid_from", 188, 16),
        Field("valid_until", 204, 16),
        Field("birth", 220, 16),
        Field("card_version", 236, 4),
        Field("authority_code", 240, 8),
    ),
    CardType.FOREIGN_2023: (
        Field("name", 0, 30),
        Field("sex", 30, 2),
        Field("renewal_count", 32, 4),
        Field("birth", 36, 16),
        Field("english_name_1", 52, 70),
        Field("id_number", 122, 36),
        *_COMMON_TAIL,
        Field("english_name_2", 220, 22),
        Field("nationality", 242, 6),
        Field("old_number_link", 250, 6),
    ),
}

TYPE_FLAGS: dict[CardType, str] = {
    CardType.RESIDENT: " ",
    CardType.HMT_RESIDENCE: "J",
    CardType.FOREIGN_2017: "I",
    CardType.FOREIGN_2023: "Y",
}
_FLAG_TO_TYPE = {flag: card_type for card_type, flag in TYPE_FLAGS.items()} | {
    "\0": CardType.RESIDENT
}


def card_type_of(block: bytes) -> CardType:
    if len(block) != TEXT_LEN:
        raise CardDataError(f"text block is {len(block)} bytes, expected {TEXT_LEN}")
    flag = block[TYPE_FLAG_OFFSET : TYPE_FLAG_OFFSET + 2].decode("utf-16-le", errors="replace")
    try:
        return _FLAG_TO_TYPE[flag]
    except KeyError:
        raise CardDataError(f"unknown card type flag {flag!r}") from None


def raw_fields(block: bytes) -> tuple[CardType, dict[str, str]]:
    """Every field of the block, untrimmed, by the layout of its card type."""
    card_type = card_type_of(block)
    values = {}
    for field in LAYOUTS[card_type]:
        chunk = block[field.offset : field.offset + field.length]
        values[field.name] = chunk.decode("utf-16-le", errors="replace")
    return card_type, values


def _date(value: str, what: str) -> dt.date | None:
    if not value:
        return None
    if len(value) != 8 or not value.isdigit():
        raise CardDataError(f"{what} {value!r} is not YYYYMMDD")
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise CardDataError(f"{what} {value!r} is not a date") from None


def _valid_until(value: str) -> dt.date | None:
    return None if value == LONG_TERM else _date(value, "valid_until")


def parse(block: bytes, photo_wlt: bytes | None = None) -> IdentityRecord:
    """The record a text block describes (raises :class:`CardDataError` if it is not one)."""
    card_type, raw = raw_fields(block)
    if card_type is CardType.FOREIGN_2023:
        # Chars 1–35 at byte 52, 36–46 at byte 220: join untrimmed, then trim the end.
        raw["english_name"] = raw.pop("english_name_1") + raw.pop("english_name_2")
    values = {name: text.rstrip(" \0") for name, text in raw.items()}
    sex_code = values.pop("sex", "")
    record = IdentityRecord(
        card_type=card_type,
        name=values.pop("name", ""),
        id_number=normalise(values.pop("id_number", "")),
        sex=codes.sex_name(sex_code),
        birth_date=_date(values.pop("birth", ""), "birth"),
        address=values.pop("address", ""),
        issuer=values.pop("issuer", ""),
        valid_from=_date(values.pop("valid_from", ""), "valid_from"),
        valid_until=_valid_until(values.pop("valid_until", "")),
        english_name=values.pop("english_name", ""),
        photo_wlt=photo_wlt,
    )
    if card_type is CardType.RESIDENT:
        record.nation = codes.nation_name(values.pop("nation", ""))
    elif "nationality" in values:
        record.nation = values.pop("nationality")
    if not record.name:
        record.name = record.english_name
    if not record.id_number:
        raise CardDataError("the card has no ID number")
    if sex_code and not record.sex:
        values["sex_code"] = sex_code
    record.extra = {name: text for name, text in values.items() if text}
    return record


def build(card_type: CardType, values: dict[str, str]) -> bytes:
    """A text block with ``values`` in the layout of ``card_type`` (for the simulator and tests).

    ``english_name`` on a 2023 card is split over its two slots, as the card does.
    """
    values = dict(values)
    if card_type is CardType.FOREIGN_2023 and "english_name" in values:
        english = values.pop("english_name")
        values["english_name_1"], values["english_name_2"] = english[:35], english[35:]
    block = bytearray(" ".encode("utf-16-le") * (TEXT_LEN // 2))
    layout = {field.name: field for field in LAYOUTS[card_type]}
    unknown = set(values) - set(layout)
    if unknown:
        raise ValueError(f"no such field on a {card_type.value} card: {sorted(unknown)}")
    for name, text in values.items():
        field = layout[name]
        encoded = text.encode("utf-16-le")
        if len(encoded) > field.length:
            raise ValueError(f"{name} {text!r} does not fit in {field.length // 2} characters")
        block[field.offset : field.offset + len(encoded)] = encoded
    flag = TYPE_FLAGS[card_type].encode("utf-16-le")
    block[TYPE_FLAG_OFFSET : TYPE_FLAG_OFFSET + 2] = flag
    return bytes(block)
