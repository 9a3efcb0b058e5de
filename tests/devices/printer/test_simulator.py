"""The simulator over real TCP and a real pty: receipts decoded back to text and PNG."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from escpos.printer import Network
from hardware import needs_simulator
from PIL import Image

from devices.printer import layout
from devices.printer.document import KeyValue, QrCode, Receipt, Separator, Text, Title
from devices.printer.driver import ReceiptPrinter
from devices.printer.simulator import PrinterSimulator

pytestmark = needs_simulator("printer")

RECEIPT = Receipt(
    [
        Title("受理回执"),
        KeyValue("受理编号：", "SL20240601-0007"),
        Text("您的身份信息已从本机清除，请妥善保管本回执。ＡＢＣ；“引号”"),
        Separator(),
        QrCode("https://zwfw.example.cn/t/SL20240601-0007", caption="扫码查询进度"),
    ]
)


def expected_lines(columns: int) -> list[str]:
    return [
        "受理回执",
        *layout.key_value("受理编号：", "SL20240601-0007", columns),
        *layout.wrap("您的身份信息已从本机清除，请妥善保管本回执。ＡＢＣ；“引号”", columns),
        "-" * columns,
        "[QR https://zwfw.example.cn/t/SL20240601-0007]",
        "扫码查询进度",
    ]


def test_receipt_through_tcp_decodes_to_the_same_text(
    printer: ReceiptPrinter, sim: PrinterSimulator
) -> None:
    result = printer.print(RECEIPT)
    job = sim.wait_for_jobs(1)[0]
    assert job.complete and not job.failure
    assert job.lines == expected_lines(32)
    assert job.overflow == []
    assert job.data == printer.last_job
    assert result.bytes_sent == len(job.data)


def test_png_shows_the_receipt(printer: ReceiptPrinter, sim: PrinterSimulator) -> None:
    printer.print(RECEIPT)
    job = sim.wait_for_jobs(1)[0]
    assert job.png_path is not None and job.png_path.exists()
    image = Image.open(job.png_path).convert("L")
    assert image.width == 384 + 32  # paper dots plus the margins
    # Ink in the title band and a large dark area where the QR is drawn.
    assert image.crop((16, 16, 400, 70)).getextrema()[0] == 0
    dark = sum(1 for p in image.getdata() if p < 128)
    assert dark > 10_000


def test_pty_variant_with_a_serial_url(tmp_path: Path) -> None:
    sim = PrinterSimulator("80", png_dir=tmp_path)
    path = sim.start_pty()
    try:
        with ReceiptPrinter(f"serial://{path}?baud=115200&timeout=1") as printer:
            assert printer.status().reason == "printer.ready"
            sim.set(paper="near_end")
            assert printer.status().state == "degraded"
            printer.print(RECEIPT)
            job = sim.wait_for_jobs(1)[0]
        assert job.lines == expected_lines(48)
    finally:
        sim.stop()


def test_split_commands_across_packets_are_reassembled(sim: PrinterSimulator) -> None:
    data = ReceiptPrinter("file:///dev/null?width=58").render(RECEIPT)
    with socket.create_connection((sim.host, sim.port), timeout=2) as conn:
        for byte in data:  # one byte per send: every command and every hanzi arrives in pieces
            conn.sendall(bytes([byte]))
    job = sim.wait_for_jobs(1)[0]
    assert job.lines == expected_lines(32)


def test_python_escpos_talks_to_the_simulator(sim: PrinterSimulator) -> None:
    client = Network(sim.host, sim.port, timeout=2)
    client.open()
    try:
        assert client.is_online()
        assert client.paper_status() == 2
        sim.set(paper="near_end")
        assert client.paper_status() == 1
        client.text("Hello\n")
        client.qr("ABC", native=False)
        client.cut()
    finally:
        client.close()
    job = sim.wait_for_jobs(1)[0]
    assert job.lines[0] == "Hello"
    assert [line for line in job.lines if line.startswith("[image ")] == ["[image 72x69]"]


@pytest.mark.parametrize("chinese_default", [False, True])
def test_kanji_mode_default(tmp_path: Path, chinese_default: bool) -> None:
    """Our bytes decode whether or not the printer starts in Chinese mode (FS & is always sent)."""
    sim = PrinterSimulator("58", chinese_default=chinese_default).start()
    try:
        with ReceiptPrinter(sim.url) as printer:
            printer.print(Receipt([Text("中文：测试")]))
        assert sim.wait_for_jobs(1)[0].lines == ["中文：测试"]
    finally:
        sim.stop()
