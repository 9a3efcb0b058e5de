"""Receipts for printer models from python-escpos's database, checked against its Dummy printer.

The expected bytes are built with ``escpos.printer.Dummy`` for the same model: initialise,
alignment, emphasis, character size, native QR, raster images and the partial cut come from
the library; only what it cannot do is added raw, and that is the project's Chinese text layer
(``FS &`` … ``FS .`` with GB18030/GBK text) and the plain text bytes (the library's text path
would send ``ESC t`` code-page switches and turn Chinese punctuation into ``?``).
"""

from __future__ import annotations

import pytest
from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy

from devices.printer import commands as cmd
from devices.printer.document import Cut, KeyValue, QrCode, Receipt, Text, Title
from devices.printer.models import find_model, printer_models
from devices.printer.profile import profile_from_options
from devices.printer.raster import qr_image
from devices.printer.render import TEAR_OFF_LINES, render


def dummy(model: str) -> Dummy:
    printer = Dummy(profile=model)
    printer.hw("INIT")
    return printer


def chinese(printer: Dummy, text: str, encoding: str = "gb18030") -> None:
    printer._raw(text.encode(encoding) + cmd.LF)


def test_the_acceptance_receipt_for_a_tm_t88v_matches_python_escpos() -> None:
    profile = profile_from_options({"profile": "TM-T88V", "cjk": "1"})
    assert (profile.columns, profile.dots, profile.native_qr, profile.cut) == (42, 512, True, "both")
    receipt = Receipt([
        Title("受理回执"),
        Text("Ref A1", bold=True),
        KeyValue("编号：", "A1"),
        QrCode("https://kiosk.example/t/A1", size=6),
        Cut(),
    ])

    expected = dummy("TM-T88V")
    expected.set(align="center")
    expected.set(custom_size=True, width=2, height=2)
    expected.set(bold=True)
    expected._raw(cmd.KANJI_ON)
    chinese(expected, "受理回执")
    expected.set(bold=False)
    expected.set(custom_size=True, width=1, height=1)
    expected.set(align="left")
    expected.set(bold=True)
    expected._raw(b"Ref A1\n")
    expected.set(bold=False)
    # 编号： takes 6 of 42 columns; A1 is right-aligned: one ESC $ jump to column 40.
    expected._raw("编号：".encode("gb18030") + cmd.position(40 * 12) + b"A1\n")
    expected.set(align="center")
    expected.qr("https://kiosk.example/t/A1", native=True, size=6, ec=QR_ECLEVEL_M)
    expected._raw(cmd.KANJI_OFF)
    expected.set(align="left")
    expected.cut(mode="PART", feed=False)

    assert render(receipt, profile) == expected.output


def test_a_raster_qr_is_byte_for_byte_python_escpos_bit_image_raster() -> None:
    profile = profile_from_options({"profile": "POS-5890"})  # no native QR in the database
    assert not profile.native_qr
    expected = dummy("POS-5890")
    expected.set(align="center")
    expected.image(qr_image("AB", 4, "M"), impl="bitImageRaster", fragment_height=255)
    expected.set(align="left")
    expected._raw(cmd.feed(TEAR_OFF_LINES))  # POS-5890 has no cutter: feed past the tear bar
    assert render(Receipt([QrCode("AB", size=4)]), profile) == expected.output


def test_chinese_text_on_a_model_without_a_known_chinese_font_is_drawn() -> None:
    profile = profile_from_options({"profile": "TM-T20II"})
    assert not profile.cjk_font  # the database says nothing of a Chinese font ROM
    data = render(Receipt([Text("受理回执")]), profile)
    assert cmd.KANJI_ON not in data
    assert data.startswith(cmd.INIT + b"\x1dv0\x00")  # one GS v 0 raster line, no text bytes


def test_only_a_partial_cutter_gets_a_partial_cut_even_for_a_full_cut() -> None:
    profile = profile_from_options({"profile": "TM-U220B", "cjk": "1", "qr": "native"})
    assert profile.cut == "partial"
    expected = dummy("TM-U220B")
    expected.cut(mode="PART", feed=False)
    assert render(Receipt([Cut(partial=False)]), profile) == expected.output


def test_every_printer_model_renders_a_receipt_within_its_width() -> None:
    receipt = Receipt([Title("受理回执"), KeyValue("事项", "设立登记"), QrCode("https://x/t/1")])
    rendered = 0
    for model in printer_models():
        options = {"profile": model.key, "cjk": "1", "qr": "native"}
        if model.dots is None:
            options["width"] = "80"
        if not model.raster and not model.native_qr:
            continue  # an impact printer with neither raster nor native QR cannot print a QR
        profile = profile_from_options(options)
        assert profile.cell_dots >= 12, model.key
        assert render(receipt, profile).startswith(cmd.INIT)
        rendered += 1
    assert rendered >= 25


@pytest.mark.parametrize("name", ["tm-t88v", "TM-T88V"])
def test_models_are_found_by_name_in_any_case(name: str) -> None:
    assert find_model(name).vendor == "Epson"
