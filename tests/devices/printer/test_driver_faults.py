"""Every status fault through the real TCP simulator, failed jobs and reprint, URLs and transports."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from hardware import needs_simulator

from devices.errors import DeviceAbsent
from devices.printer.document import Receipt, Text
from devices.printer.driver import ReceiptPrinter
from devices.printer.errors import NothingToReprint, PrinterNotReady, PrinterUrlError, PrintFailed
from devices.printer.simulator import PrinterSimulator
from devices.printer.status import raw_of
from devices.printer.transport import find_usb_printer

SMALL = Receipt([Text("受理编号：SL-1")])


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ({"paper": "out"}, "printer.paper_out"),
        ({"cover_open": True}, "printer.cover_open"),
        ({"offline": True}, "printer.offline"),
        ({"cutter_error": True}, "printer.cutter_error"),
    ],
)
def test_fault_before_the_job_sends_nothing(printer, sim, condition, reason) -> None:
    sim.set(**condition)
    assert (printer.status().state, printer.status().reason) == ("fault", reason)
    with pytest.raises(PrinterNotReady) as caught:
        printer.print(SMALL)
    assert caught.value.key == reason
    assert sim.jobs == []
    # The rendered job is kept: once fixed, reprint sends it.
    sim.set(paper="ok", cover_open=False, offline=False, cutter_error=False)
    printer.reprint()
    assert sim.wait_for_jobs(1)[0].lines == ["受理编号：SL-1"]


def test_paper_near_end_prints_and_reports_degraded(printer, sim) -> None:
    sim.set(paper="near_end")
    result = printer.print(SMALL)
    assert (result.status.state, result.status.reason) == ("degraded", "printer.paper_near_end")
    assert sim.wait_for_jobs(1)[0].complete


def test_paper_runs_out_mid_job_then_reprint(printer, sim) -> None:
    sim.set(paper_out_after=10)
    with pytest.raises(PrintFailed) as caught:
        printer.print(SMALL)
    assert caught.value.reason == "printer.paper_out"
    assert caught.value.key == "printer.print_failed"
    assert printer.state.reason == "printer.paper_out"
    first = sim.wait_for_jobs(1)[0]
    assert (first.complete, first.failure) == (False, "paper_out")
    sim.set(paper="ok")
    printer.reprint()
    second = sim.wait_for_jobs(2)[1]
    assert second.complete and second.data == printer.last_job


def test_peer_closing_mid_job_fails_and_reprint_works(printer, sim) -> None:
    sim.set(close_after=8)  # the link drops 8 bytes into the job
    with pytest.raises(PrintFailed) as caught:
        printer.print(SMALL)
    assert caught.value.reason == "printer.connection_lost"
    assert sim.wait_for_jobs(1)[0].failure == "connection_closed"
    printer.reprint()  # a new connection
    assert sim.wait_for_jobs(2)[1].lines == ["受理编号：SL-1"]


def test_printer_that_stops_answering_status(printer, sim) -> None:
    sim.set(no_status=True)
    assert (printer.status().state, printer.status().reason) == ("absent", "printer.no_answer")
    with pytest.raises(PrinterNotReady):
        printer.print(SMALL)


def test_garbled_status_answer_is_a_fault_not_a_crash() -> None:
    """A device on port 9100 that answers DLE EOT with bytes no printer sends (not 0xx1xx10)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        received: list[bytes] = []

        def answer_garbage() -> None:
            for _ in range(2):  # the driver reconnects after a garbled answer
                peer, _ = server.accept()
                with peer:
                    while chunk := peer.recv(4096):
                        received.append(chunk)
                        peer.sendall(b"\x00" * 4)

        worker = threading.Thread(target=answer_garbage, daemon=True)
        worker.start()
        with ReceiptPrinter(f"socket://127.0.0.1:{port}?timeout=1") as printer:
            status = printer.status()
            assert (status.state, status.reason, raw_of(status)) == ("fault", "printer.bad_status", b"\0" * 4)
            with pytest.raises(PrinterNotReady) as caught:
                printer.print(SMALL)
            assert caught.value.key == "printer.bad_status"
            assert printer.last_job is not None  # kept for a reprint
        worker.join(5)
    assert all(b"\x1b@" not in chunk for chunk in received)  # no job bytes went out


def test_refused_connection_is_absent() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens on it once closed
    with ReceiptPrinter(f"socket://127.0.0.1:{port}?timeout=1") as printer:
        assert (printer.status().state, printer.status().reason) == ("absent", "printer.absent")
        with pytest.raises(PrinterNotReady) as caught:
            printer.print(SMALL)
        assert caught.value.key == "printer.absent"


@needs_simulator("printer")
def test_reprint_before_any_job() -> None:
    with ReceiptPrinter("sim://printer") as printer, pytest.raises(NothingToReprint):
        printer.reprint()


@needs_simulator("printer")
@pytest.mark.parametrize(
    ("url", "state", "reason"),
    [
        ("sim://printer", "ok", "printer.ready"),
        ("sim://printer?paper=near_end", "degraded", "printer.paper_near_end"),
        ("sim://printer?paper=out", "fault", "printer.paper_out"),
        ("sim://printer?cover=open", "fault", "printer.cover_open"),
        ("sim://printer?offline=1&width=58", "fault", "printer.offline"),
    ],
)
def test_sim_urls(url: str, state: str, reason: str) -> None:
    with ReceiptPrinter(url) as printer:
        assert (printer.status().state, printer.status().reason) == (state, reason)
        assert printer.profile.columns == (32 if "width=58" in url else 48)


@needs_simulator("printer")
def test_sim_url_stops_its_simulator() -> None:
    printer = ReceiptPrinter("sim://printer")
    sim = printer.simulator
    assert sim is not None
    printer.close()
    with pytest.raises(OSError):
        socket.create_connection((sim.host, sim.port), timeout=1)


def test_file_url_writes_the_job_without_status(tmp_path: Path) -> None:
    out = tmp_path / "job.bin"
    with ReceiptPrinter(f"file://{out}?width=58") as printer:
        assert printer.status().reason == "printer.status_unknown"
        printer.print(SMALL)
        assert out.read_bytes() == printer.last_job


@pytest.mark.parametrize(
    "url",
    [
        "ftp://printer",
        "socket://127.0.0.1:9100?width=70",
        "socket://127.0.0.1:9100?encoding=big5",
        "socket://127.0.0.1:9100?color=red",
        "sim://printer?paper=maybe",
        "serial:///dev/ttyUSB0?baud=fast",
        "usb://zz:01",
        "socket://",
    ],
)
def test_bad_urls_are_clear_errors(url: str) -> None:
    with pytest.raises(PrinterUrlError) as caught:
        ReceiptPrinter(url).status()
    assert caught.value.key == "printer.bad_url"


def test_missing_serial_port_is_absent() -> None:
    with ReceiptPrinter("serial:///dev/ttyUSB97?timeout=1") as printer:
        assert printer.status().state == "absent"


def test_usb_printer_is_found_through_sysfs(tmp_path: Path) -> None:
    # The layout the usblp driver creates: /sys/class/usbmisc/lp0/device -> the USB interface.
    device = tmp_path / "devices" / "1-1"
    interface = device / "1-1:1.0"
    interface.mkdir(parents=True)
    (device / "idVendor").write_text("0416\n")
    (device / "idProduct").write_text("5011\n")
    lp0 = tmp_path / "usbmisc" / "lp0"
    lp0.mkdir(parents=True)
    (lp0 / "device").symlink_to(interface)
    assert find_usb_printer(0x0416, 0x5011, tmp_path / "usbmisc") == Path("/dev/usb/lp0")
    with pytest.raises(DeviceAbsent) as caught:
        find_usb_printer(0x04B8, 0x0202, tmp_path / "usbmisc")
    assert caught.value.key == "printer.absent"


def test_usb_url_without_the_printer_is_absent() -> None:
    with ReceiptPrinter("usb://04b8:0e15") as printer:
        assert (printer.status().state, printer.status().reason) == ("absent", "printer.absent")


def test_sim_fixture_is_58mm(sim: PrinterSimulator) -> None:
    assert sim.url.endswith("width=58")
