"""Golden ESC/POS bytes for each receipt element, rendered for the 58 mm GB18030 profile."""

from __future__ import annotations

from dataclasses import replace

import pytest
from printer_hex import hexbytes

from devices.printer.document import (
    Cut,
    Feed,
    KeyValue,
    QrCode,
    Receipt,
    Separator,
    Table,
    Text,
    Title,
)
from devices.printer.profile import PAPER_58
from devices.printer.render import render

START = "1b 40  # ESC @ initialise"
END_LEFT = "1d 56 42 00  # GS V 66 0: feed to the cutter, partial cut"


def element_bytes(element, profile=PAPER_58) -> bytes:
    return render(Receipt([element, Cut()]), profile)


def test_title_is_centred_double_size_bold_in_kanji_mode() -> None:
    assert element_bytes(Title("受理回执")) == hexbytes(f"""
        {START}
        1b 61 01                  # ESC a 1: centre
        1d 21 11                  # GS ! 0x11: double width and height
        1b 45 01                  # ESC E 1: bold
        1c 26                     # FS &: Chinese (Kanji) mode
        ca dc c0 ed bb d8 d6 b4   # 受理回执 in GB18030
        0a                        # LF
        1b 45 00                  # bold off
        1d 21 00                  # normal size
        1c 2e                     # FS .: leave Chinese mode before the cut
        1b 61 00                  # ESC a 0: left
        {END_LEFT}
    """)


def test_ascii_text_never_enters_kanji_mode() -> None:
    assert element_bytes(Text("Ref A1")) == hexbytes(f"""
        {START}
        52 65 66 20 41 31 0a      # "Ref A1" LF
        {END_LEFT}
    """)


def test_bold_text() -> None:
    assert element_bytes(Text("OK", bold=True)) == hexbytes(f"""
        {START}
        1b 45 01 4f 4b 0a 1b 45 00   # bold on, "OK" LF, bold off
        {END_LEFT}
    """)


def test_key_value_pads_the_value_to_the_right_edge() -> None:
    # 编号： is 6 columns, A1 is 2: the 24 columns between become one jump to column 30.
    assert element_bytes(KeyValue("编号：", "A1")) == hexbytes(f"""
        {START}
        1c 26                      # FS &
        b1 e0 ba c5 a3 ba          # 编号：(full-width colon a3 ba, not "?")
        1b 24 68 01                # ESC $ 360: column 30 x 12 dots
        41 31 0a                   # A1 LF
        1c 2e                      # FS .
        {END_LEFT}
    """)


def test_separator_fills_the_width() -> None:
    assert element_bytes(Separator()) == hexbytes(f"{START}\n{'2d ' * 32} 0a\n{END_LEFT}")


def test_feed() -> None:
    assert element_bytes(Feed(3)) == hexbytes(f"{START}\n1b 64 03  # ESC d 3\n{END_LEFT}")


def test_short_runs_of_spaces_stay_spaces() -> None:
    assert element_bytes(Text("a    b")) == hexbytes(f"{START}\n61 20 20 20 20 62 0a\n{END_LEFT}")


def test_full_cut() -> None:
    assert render(Receipt([Cut(partial=False)]), PAPER_58) == hexbytes(
        f"{START}\n1d 56 41 00  # GS V 65 0"
    )


def test_a_final_cut_is_added_when_missing() -> None:
    assert render(Receipt([]), PAPER_58) == hexbytes(f"{START}\n{END_LEFT}")


def test_table() -> None:
    table = Table(("Item", "Days"), (("A", "3"),))
    # 32 columns, gap 1: "Days" column 4 wide, the first column takes the other 27.
    assert element_bytes(table) == hexbytes(f"""
        {START}
        49 74 65 6d 1b 24 50 01 44 61 79 73 0a    # "Item", ESC $ 336 (column 28), "Days"
        {"2d " * 32} 0a                           # the rule under the header
        41 1b 24 74 01 33 0a                      # "A", ESC $ 372 (column 31), "3"
        {END_LEFT}
    """)


def test_native_qr() -> None:
    assert element_bytes(QrCode("AB", size=4)) == hexbytes(f"""
        {START}
        1b 61 01                          # centre
        1d 28 6b 04 00 31 41 32 00        # GS ( k fn 165: model 2
        1d 28 6b 03 00 31 43 04           # fn 167: module size 4 dots
        1d 28 6b 03 00 31 45 31           # fn 169: error correction M
        1d 28 6b 05 00 31 50 30 41 42     # fn 180: store "AB" (pL = 2 + 3)
        1d 28 6b 03 00 31 51 30           # fn 181: print
        1b 61 00                          # left again before the cut
        {END_LEFT}
    """)


def test_raster_qr_fallback_for_printers_without_native_qr() -> None:
    data = element_bytes(QrCode("AB", size=4), replace(PAPER_58, native_qr=False))
    assert b"\x1d(k" not in data
    # version 1 QR: 21 modules + 2x4 quiet zone = 29 modules x 4 dots = 116 dots -> 15 bytes a row
    header = hexbytes("1d 76 30 00  0f 00  74 00  # GS v 0, 15 bytes x 116 rows")
    assert data.startswith(hexbytes(START) + hexbytes("1b 61 01") + header)
    assert len(data) == 2 + 3 + 8 + 15 * 116 + 3 + 4


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("gb18030", "81 30 84 36"), ("gbk", None)],  # ¥ U+00A5 exists in GB18030 only
)
def test_yen_sign_by_encoding(encoding: str, expected: str | None) -> None:
    data = element_bytes(Text("¥1"), replace(PAPER_58, encoding=encoding))
    if expected:
        assert hexbytes(expected + " 31 0a") in data
    else:
        assert b"\x1dv0" in data  # drawn as a raster line, not sent as "?"
    assert b"?" not in data
