"""The social security card's (社会保障卡) SSSE application: AID, files, TLV records, field codecs.

Shared by the reader (decoding) and the virtual card (encoding) so both speak one layout.
Sources (see /work/shared/reference/idcard-readers.md §6.2): SSSE AID "sx1.sh.社会保障" in GBK
(S36, S37); EF05 tags 01–07 and EF06 tags 08–0D with their lengths (S38, S39, tecsun builder).
Where those leave the value encoding open we follow 《社会保障（个人）卡规范》's data formats:
``an`` fields are ASCII, ``cn`` fields (dates, 民族, 出生地) are BCD, 姓名 is GBK padded with
0x00 or spaces, 卡识别码 is 16 binary bytes shown as hex (S39 "330300D156…").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

SSSE_AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")
EF05 = 0xEF05  # 卡片基本信息 (card data)
EF06 = 0xEF06  # 持卡人基本信息 (holder data)


class Codec(Enum):
    ASCII = "an"
    BCD = "cn"
    GBK = "gbk"
    HEX = "b"


@dataclass(frozen=True)
class Field:
    tag: int
    name: str  # our key, used in IdentityRecord.extra and the CLI
    label: str  # the name the 社保卡 specification uses
    length: int
    codec: Codec


EF05_FIELDS: tuple[Field, ...] = (
    Field(0x01, "card_id", "卡识别码", 16, Codec.HEX),
    Field(0x02, "card_kind", "卡的类别", 1, Codec.ASCII),
    Field(0x03, "spec_version", "规范版本", 4, Codec.ASCII),
    Field(0x04, "init_org", "初始化机构编号", 12, Codec.HEX),
    Field(0x05, "issued", "发卡日期", 4, Codec.BCD),
    Field(0x06, "valid_until", "卡有效期", 4, Codec.BCD),
    Field(0x07, "card_number", "卡号", 9, Codec.ASCII),
)
EF06_FIELDS: tuple[Field, ...] = (
    Field(0x08, "id_number", "社会保障号码", 18, Codec.ASCII),
    Field(0x09, "name", "姓名", 30, Codec.GBK),
    Field(0x0A, "sex", "性别", 1, Codec.ASCII),
    Field(0x0B, "nation", "民族", 1, Codec.BCD),
    Field(0x0C, "birthplace", "出生地", 3, Codec.BCD),
    Field(0x0D, "birth_date", "出生日期", 4, Codec.BCD),
)
FILES: dict[int, tuple[Field, ...]] = {EF05: EF05_FIELDS, EF06: EF06_FIELDS}


class LayoutError(ValueError):
    """Bytes that do not follow the layout (the reader turns it into a typed DeviceError)."""


def encode_value(field: Field, text: str) -> bytes:
    """The fixed-length bytes of one field (used by the virtual card)."""
    if field.codec is Codec.ASCII:
        raw = text.encode("ascii")
    elif field.codec is Codec.GBK:
        raw = text.encode("gbk")
    else:  # BCD and HEX both take hex digits
        raw = bytes.fromhex(text)
    if len(raw) > field.length:
        raise LayoutError(f"{field.label}: {len(raw)} bytes, at most {field.length}")
    return raw.ljust(field.length, b"\x00")


def decode_value(field: Field, raw: bytes) -> str:
    """One field's text; padding (00, 20, and FF for hex fields) removed."""
    if field.codec is Codec.GBK:
        try:
            return raw.rstrip(b"\x00 ").decode("gbk").strip()
        except UnicodeDecodeError as error:
            raise LayoutError(f"{field.label}: not GBK text") from error
    if field.codec is Codec.ASCII:
        try:
            return raw.rstrip(b"\x00 ").decode("ascii")
        except UnicodeDecodeError as error:
            raise LayoutError(f"{field.label}: not ASCII text") from error
    digits = raw.hex().upper()
    if field.codec is Codec.BCD:
        if not digits.isdigit():
            raise LayoutError(f"{field.label}: not BCD digits: {digits}")
        return digits
    return digits


def tlv_record(field: Field, value: bytes) -> bytes:
    if len(value) > 0xFF:
        raise LayoutError(f"{field.label}: record too long")
    return bytes((field.tag, len(value))) + value


def iter_tlv(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Tag/value pairs of a run of one-byte-tag, one-byte-length records."""
    pos = 0
    while pos < len(data):
        if data[pos] in (0x00, 0xFF):  # padding after the last record
            return
        if pos + 2 > len(data):
            raise LayoutError(f"truncated TLV header at byte {pos}")
        tag, length = data[pos], data[pos + 1]
        end = pos + 2 + length
        if end > len(data):
            raise LayoutError(f"TLV tag {tag:02X} wants {length} bytes, {len(data) - pos - 2} left")
        yield tag, data[pos + 2 : end]
        pos = end


def parse_record(field: Field, record: bytes) -> str:
    """The text of one READ RECORD answer, which must be this field's TLV."""
    pairs = list(iter_tlv(record))
    if not pairs or pairs[0][0] != field.tag:
        got = f"{pairs[0][0]:02X}" if pairs else "nothing"
        raise LayoutError(f"{field.label}: expected tag {field.tag:02X}, got {got}")
    return decode_value(field, pairs[0][1])


def parse_date(text: str) -> dt.date | None:
    """A YYYYMMDD BCD date; all-zero or 99991231-style open dates give None."""
    if not text or set(text) <= {"0"}:
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as error:
        raise LayoutError(f"not a date: {text}") from error


# GB/T 3304 nation codes (idcard-readers.md §2.8), as stored in 民族 (cn 1 byte).
NATIONS: dict[str, str] = dict(
    zip(
        [f"{n:02d}" for n in range(1, 57)] + ["97", "98"],
        [
            "汉",
            "蒙古",
            "回",
            "藏",
            "维吾尔",
            "苗",
            "彝",
            "壮",
            "布依",
            "朝鲜",
            "满",
            "侗",
            "瑶",
            "白",
            "土家",
            "哈尼",
            "哈萨克",
            "傣",
            "黎",
            "傈僳",
            "佤",
            "畲",
            "高山",
            "拉祜",
            "水",
            "东乡",
            "纳西",
            "景颇",
            "柯尔克孜",
            "土",
            "达斡尔",
            "仫佬",
            "羌",
            "布朗",
            "撒拉",
            "毛南",
            "仡佬",
            "锡伯",
            "阿昌",
            "普米",
            "塔吉克",
            "怒",
            "乌孜别克",
            "俄罗斯",
            "鄂温克",
            "德昂",
            "保安",
            "裕固",
            "京",
            "塔塔尔",
            "独龙",
            "鄂伦春",
            "赫哲",
            "门巴",
            "珞巴",
            "基诺",
            "其他",
            "外国血统中国籍人士",
        ],
        strict=True,
    )
)
SEXES: dict[str, str] = {"1": "男", "2": "女", "0": "", "9": ""}  # GB/T 2261.1
