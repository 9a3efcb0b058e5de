"""The technician's commands: enrol, configure, detect, selftest, install-service, escalate."""

from __future__ import annotations

import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from reporting_helpers import BackOffice
from reporting_helpers import provision as main

from central.embedded import EmbeddedCentral
from kiosk import config as kiosk_config
from kiosk.crypto import verify_pin
from kiosk.outbox import Outbox
from wire.errors import ExitCode


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("KIOSK_STATE", str(folder))
    return folder


def test_enrol_writes_config_and_private_key_and_is_idempotent(
    state: Path, central: EmbeddedCentral, backoffice: BackOffice, capsys: pytest.CaptureFixture[str]
) -> None:
    code = central.pairing_code()
    assert main(["enrol", "--insecure", "--server", central.url, "--code", code, "--location", "测试大厅 1号机"]) == 0
    config = kiosk_config.load(state)
    assert config.kiosk_id and config.central.url == central.url
    assert config.location.name == "测试大厅 1号机"
    key = state / kiosk_config.KEY_NAME
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(kiosk_config.load_secret(state)) == 32
    assert backoffice.kiosk(config.kiosk_id)["location"]["name"] == "测试大厅 1号机"

    capsys.readouterr()
    assert main(["enrol", "--insecure", "--server", central.url, "--code", "anything"]) == ExitCode.CONFIG
    assert "already enrolled" in capsys.readouterr().err
    assert kiosk_config.load(state).kiosk_id == config.kiosk_id

    # A used code is refused with the central error's exit code, and nothing changes.
    assert main(["enrol", "--insecure", "--server", central.url, "--code", code, "--force"]) == 40
    assert "pairing code was refused" in capsys.readouterr().err
    assert kiosk_config.load(state).kiosk_id == config.kiosk_id

    assert main(["enrol", "--insecure", "--server", central.url, "--code", central.pairing_code(), "--force"]) == 0
    assert kiosk_config.load(state).kiosk_id != config.kiosk_id


def test_enrol_against_nothing_is_unreachable(state: Path, dead_url: str, capsys) -> None:
    assert main(["enrol", "--insecure", "--server", dead_url, "--code", "ABC"]) == 40
    assert "Nothing answers at" in capsys.readouterr().err
    assert not (state / kiosk_config.KEY_NAME).exists()


def test_configure_for_mass_provisioning(state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO("482916\n"))
    assert main([
        "configure", "--location", "甘井子区大厅 2号机", "--idle-seconds", "90", "--warning-seconds", "25",
        "--languages", "zh_CN,en", "--pin-stdin", "--printer", "socket://10.0.0.5:9100",
        "--idcard", "serial:///dev/ttyUSB0?baud=115200", "--log-level", "devices.printer=debug",
    ]) == 0
    config = kiosk_config.load(state)
    assert config.location.name == "甘井子区大厅 2号机"
    assert (config.timeouts.idle_seconds, config.timeouts.warning_seconds) == (90.0, 25.0)
    assert config.devices.printer == "socket://10.0.0.5:9100"
    assert config.log_levels == {"devices.printer": "DEBUG"}
    assert "482916" not in (state / "config.yaml").read_text()
    assert verify_pin("482916", config.maintenance_pin_hash)
    assert not verify_pin("482917", config.maintenance_pin_hash)
    # Later runs keep the PIN without asking for it again.
    assert main(["configure", "--no-input", "--camera", "camera://0"]) == 0
    assert kiosk_config.load(state).maintenance_pin_hash == config.maintenance_pin_hash


@pytest.mark.parametrize("argv", [
    ["--idle-seconds", "-5"],
    ["--warning-seconds", "500"],
    ["--languages", "fr"],
    ["--printer", "http://x"],
    ["--pin", "12ab"],
    ["--pin", "1111"],
    ["--region-code", "21"],
    ["--log-level", "devices=LOUD"],
])
def test_configure_refuses_bad_values_and_writes_nothing(state: Path, argv: list[str], capsys) -> None:
    assert main(["configure", "--no-input", "--pin", "482916", *argv]) == 50  # a later --pin wins
    assert "not valid" in capsys.readouterr().err
    assert not (state / "config.yaml").exists()


def test_configure_without_a_pin_and_no_terminal_is_an_error(state: Path, capsys) -> None:
    assert main(["configure", "--no-input", "--location", "x"]) == 50
    assert "missing" in capsys.readouterr().err


@pytest.fixture
def fake_network_printer() -> Iterator[tuple[str, int]]:
    """A TCP peer on 127.0.0.1 that answers DLE EOT 1 with 'online, no error' (0x12)."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                if conn.recv(3) == b"\x10\x04\x01":
                    conn.sendall(b"\x12")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()
    stop.set()
    thread.join()
    server.close()


def test_detect_finds_a_sam_reader_and_a_network_printer_and_writes_them(
    state: Path, fake_network_printer: tuple[str, int], capsys
) -> None:
    from devices.idcard.sam_simulator import SamSimulator

    host, port = fake_network_printer
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        silent = probe.getsockname()[1]
    with SamSimulator() as sam:
        code = main(["detect", "--no-scan", "--no-pcsc", "--no-cameras", "--serial", sam.path,
                     "--printer-host", f"{host}:{port}", "--printer-host", f"127.0.0.1:{silent}", "--write"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"socket://{host}:{port}" in out and "SAM" in out
    config = kiosk_config.load(state)
    assert config.devices.idcard == sam.path
    assert config.devices.printer == f"socket://{host}:{port}"
    assert f"socket://127.0.0.1:{silent}" in out  # listed as absent, not written


def test_detect_with_nothing_there(state: Path, dead_url: str, capsys) -> None:
    port = dead_url.rsplit(":", 1)[1]
    assert main(["detect", "--no-scan", "--no-pcsc", "--no-cameras", "--printer-host", f"127.0.0.1:{port}"]) == 3
    assert "no device found" in capsys.readouterr().out


def test_selftest_with_simulators_and_the_centre(state: Path, central: EmbeddedCentral, capsys) -> None:
    assert main(["enrol", "--insecure", "--server", central.url, "--code", central.pairing_code()]) == 0
    assert main(["configure", "--no-input", "--pin", "482916", "--idcard", "sim://idcard",
                 "--printer", "sim://printer", "--camera", ""]) == 0
    capsys.readouterr()
    assert main(["selftest", "--no-print"]) == 4  # simulators in a production config fail
    assert "simulator in a production config" in capsys.readouterr().out
    assert main(["configure", "--no-input", "--simulation"]) == 0
    capsys.readouterr()
    assert main(["selftest"]) == 0
    out = capsys.readouterr().out
    assert "signed heartbeat accepted" in out
    assert "test page printed" in out
    fleet = requests.get(
        f"{central.url}/api/v1/kiosks", headers={"Authorization": f"Bearer {central.token('viewer')}"}, timeout=5
    ).json()
    mine = next(k for k in fleet if k["kiosk_id"] == kiosk_config.load(state).kiosk_id)  # others share the server
    assert mine["devices"]["idcard"]["state"] == "ok"  # the back office sees the self-test
    # A broken key is caught by the centre check.
    kiosk_config.save_secret(b"\x01" * 32, state)
    assert main(["selftest", "--no-print"]) == 4
    assert "central.auth_failed" in capsys.readouterr().out


def test_install_service_writes_units_idempotently(state: Path, tmp_path: Path, capsys) -> None:
    units = tmp_path / "units"
    argv = ["install-service", "--unit-dir", str(units), "--watchdog-seconds", "20"]
    assert main(argv) == 0
    service = (units / "kiosk.service").read_text()
    for line in ("Restart=always", "WatchdogSec=20", "StartLimitBurst=5", "StartLimitIntervalSec=300",
                 "OnFailure=kiosk-escalate.service", "Type=notify", "MALLOC_ARENA_MAX=2", f"KIOSK_STATE={state.resolve()}"):
        assert line in service
    assert "provisioning.cli escalate" in (units / "kiosk-escalate.service").read_text()
    before = {p.name: p.stat().st_mtime_ns for p in units.iterdir()}
    capsys.readouterr()
    assert main(argv) == 0
    assert capsys.readouterr().out.count("unchanged") == 2
    assert {p.name: p.stat().st_mtime_ns for p in units.iterdir()} == before
    assert main([*argv, "--dry-run", "--unit-dir", str(tmp_path / "elsewhere")]) == 0
    assert "Restart=always" in capsys.readouterr().out
    assert not (tmp_path / "elsewhere").exists()
    assert main(["install-service", "--unit-dir", str(units), "--watchdog-seconds", "0"]) == 50


def test_escalate_reboots_once_then_marks_out_of_service(state: Path, capsys) -> None:
    kiosk_config.save_secret(b"\x02" * 32, state)
    assert main(["escalate", "--no-reboot"]) == 0
    assert "rebooting" in capsys.readouterr().out
    assert main(["escalate", "--no-reboot"]) == 0
    assert "out of service" in capsys.readouterr().out
    box = Outbox.in_state_dir(state, b"\x02" * 32)
    assert box.setting("out_of_service") == "1"
    assert box.setting("out_of_service_reason") == "crash_loop"
    box.close()
