"""Start-up and provisioning inputs that used to end in tracebacks or a half-enrolled kiosk (issue 13, item 8)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hardening_helpers import fill_up, small_filesystem
from reporting_helpers import BackOffice
from reporting_helpers import provision as main

from central.embedded import EmbeddedCentral
from kiosk import config as kiosk_config
from kiosk.catalog import load_catalog
from kiosk.config import Config
from kiosk.errors import ConfigError
from kiosk.runtime import open_kiosk


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    folder.mkdir()
    monkeypatch.setenv("KIOSK_STATE", str(folder))
    return folder


@pytest.mark.parametrize(("content", "says"), [
    ("location:\n  name: \xff\xfe大厅\n".encode("latin-1", "ignore") + b"\xff\xfe", "not UTF-8"),
    (b"log_levels: {devices: LOUD}\n", "LOUD"),
    (b"log_levels: [devices]\n", "log_levels"),
    (b"devices: {printer: 'socket://127.0.0.1:9100?timeout=nan'}\n", "timeout"),
    (b"devices: {printer: 'socket://127.0.0.1:9100?timeout=inf'}\n", "timeout"),
    (b"devices: {idcard: 'serial:///dev/ttyUSB0?baud=-9600'}\n", "baud"),
    (b"central: {heartbeat_seconds: .nan}\n", "heartbeat_seconds"),
    (b"timeouts: {idle_seconds: -1}\n", "idle_seconds"),
    (b"devices: [1, 2]\n", "mapping"),
    (b"location: {name: [unclosed\n", "YAML"),
])
def test_a_bad_config_is_a_clear_error(state: Path, content: bytes, says: str, capsys) -> None:
    (state / kiosk_config.CONFIG_NAME).write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        kiosk_config.load(state)
    assert says in str(caught.value)
    # The CLIs say it in plain words with the config exit code, never a traceback.
    assert main(["configure", "--no-input", "--pin", "482916"]) == 50
    err = capsys.readouterr().err
    assert "Traceback" not in err and "misconfigured" in err


@pytest.mark.parametrize("url", [
    "socket://127.0.0.1:9100?timeout=nan", "socket://127.0.0.1:9100?timeout=inf",
    "socket://127.0.0.1:9100?timeout=-1", "socket://127.0.0.1:9100?timeout=abc",
])
def test_configure_refuses_a_printer_timeout_that_is_not_a_finite_number(state: Path, url: str, capsys) -> None:
    assert main(["configure", "--no-input", "--pin", "482916", "--printer", url]) == 50
    assert "timeout" in capsys.readouterr().err
    assert not (state / kiosk_config.CONFIG_NAME).exists()


def test_configure_refuses_a_nan_interval(state: Path, capsys) -> None:
    assert main(["configure", "--no-input", "--pin", "482916", "--heartbeat-seconds", "nan"]) == 50
    assert not (state / kiosk_config.CONFIG_NAME).exists()


@pytest.mark.parametrize("key", [b"", b"not hex at all", b"abc", b"00" * 4, "密钥".encode()])
def test_a_kiosk_without_a_usable_key_serves_no_citizen(state: Path, key: bytes) -> None:
    (state / kiosk_config.KEY_NAME).write_bytes(key)
    with pytest.raises(ConfigError):
        kiosk_config.load_secret(state)
    config = Config(kiosk_id="k-test", devices=kiosk_config.Devices(idcard="", printer="", camera=""))
    kiosk = open_kiosk(config, state, catalog=load_catalog())
    assert kiosk.maintenance.out_of_service_reason() == "ui.oos.no_outbox"


def test_a_kiosk_with_its_key_and_room_is_not_stopped_by_the_check(state: Path) -> None:
    kiosk_config.save_secret(os.urandom(32), state)
    config = Config(kiosk_id="k-test", devices=kiosk_config.Devices(idcard="", printer="", camera=""))
    kiosk = open_kiosk(config, state, catalog=load_catalog())
    assert kiosk.maintenance.out_of_service_reason() == "ui.oos.no_reader"  # the next rule, not the outbox


def test_low_disk_puts_the_kiosk_out_of_service(state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk import readiness

    kiosk_config.save_secret(os.urandom(32), state)
    config = Config(kiosk_id="k-test", devices=kiosk_config.Devices(idcard="", printer="", camera=""))
    kiosk = open_kiosk(config, state, catalog=load_catalog())
    monkeypatch.setattr(readiness, "MIN_FREE_BYTES", readiness.free_bytes(state) + 2**30)
    assert kiosk.maintenance.out_of_service_reason() == "ui.oos.disk_low"


def _kiosk_ids(backoffice: BackOffice) -> set[str]:
    return {k["kiosk_id"] for k in backoffice.get("/kiosks").json()}


def test_enrol_on_a_full_disk_keeps_the_code_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, central: EmbeddedCentral, backoffice: BackOffice, capsys
) -> None:
    code = central.pairing_code()
    before = _kiosk_ids(backoffice)
    with small_filesystem(tmp_path / "disk") as disk:
        folder = disk / "state"
        folder.mkdir()
        monkeypatch.setenv("KIOSK_STATE", str(folder))
        fill_up(disk)
        assert main(["enrol", "--insecure", "--server", central.url, "--code", code]) == 50
        err = capsys.readouterr().err
        assert "Traceback" not in err and "cannot be written" in err
        assert not (folder / kiosk_config.KEY_NAME).exists()
        assert sorted(p.name for p in folder.iterdir()) == []
    assert _kiosk_ids(backoffice) == before  # no orphan kiosk at the centre
    roomy = tmp_path / "roomy"
    monkeypatch.setenv("KIOSK_STATE", str(roomy))
    assert main(["enrol", "--insecure", "--server", central.url, "--code", code]) == 0  # the code still works


def test_a_key_rewritten_on_a_full_disk_keeps_the_old_one(tmp_path: Path) -> None:
    with small_filesystem(tmp_path / "disk") as disk:
        old = os.urandom(32)
        kiosk_config.save_secret(old, disk)
        kiosk_config.save(Config(kiosk_id="k-old"), disk)
        fill_up(disk)
        with pytest.raises(OSError):
            kiosk_config.save_secret(os.urandom(32), disk)
        with pytest.raises(OSError):
            kiosk_config.save(Config(kiosk_id="k-new" + "x" * 5000), disk)
        assert kiosk_config.load_secret(disk) == old  # never a 0-byte kiosk.key
        assert kiosk_config.load(disk).kiosk_id == "k-old"
        assert not [p for p in disk.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("server", ["http://central.example:8700", "ftp://central.example", "central.example"])
def test_enrol_refuses_anything_but_https_without_insecure(
    state: Path, central: EmbeddedCentral, server: str, capsys
) -> None:
    assert main(["enrol", "--server", server, "--code", "ABCD-EFGH"]) == 50
    err = capsys.readouterr().err
    assert "Traceback" not in err and ("https://" in err or "--insecure" in err)
    assert not (state / kiosk_config.KEY_NAME).exists()


def test_enrol_over_http_needs_insecure_and_then_keeps_the_code(state: Path, central: EmbeddedCentral, capsys) -> None:
    code = central.pairing_code()
    assert main(["enrol", "--server", central.url, "--code", code]) == 50
    assert "--insecure" in capsys.readouterr().err
    assert main(["enrol", "--insecure", "--server", central.url, "--code", code]) == 0


SIM_FOLDERS = ("idcard-sim-", "kiosk-sim-state-", "kiosk-central-")


def _sim_folders(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if p.name.startswith(SIM_FOLDERS))


@pytest.mark.parametrize(("argv", "started"), [
    (["--sim", "--window"], "idcard-sim-"),  # the UI running
    (["--sim", "--script", "OUT"], "kiosk-sim-state-"),  # still starting up
])
def test_sigterm_of_kiosk_run_leaves_no_simulator_folders(tmp_path: Path, argv: list[str], started: str) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "SDL_VIDEODRIVER": "offscreen", "KIVY_NO_CONSOLELOG": "1",
           "KIVY_HOME": str(tmp_path / "kivy"), "KIVY_NO_ARGS": "1"}
    env.pop("DISPLAY", None)
    kiosk = Path(sys.executable).with_name("kiosk")
    argv = [str(tmp_path / "out") if a == "OUT" else a for a in argv]
    process = subprocess.Popen([str(kiosk), "run", *argv], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not any(n.startswith(started) for n in _sim_folders(tmp)):
            assert process.poll() is None, process.stderr.read().decode(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "the simulated kiosk never started"
            time.sleep(0.2)
        time.sleep(1.0)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert _sim_folders(tmp) == []
