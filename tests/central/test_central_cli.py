"""``kiosk-central`` as a newcomer uses it: help, bootstrap tokens on the database, the fleet
table, commands, revocation, and ``logs pull`` waiting for a (simulated) kiosk to upload."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from central_helpers import SignedKiosk, bearer, count

from central.cli import main
from central.embedded import EmbeddedCentral
from central.models import KioskCommand
from wire.models import utc_now

COMMANDS = [
    "serve",
    "token new",
    "pairing-code new",
    "kiosks",
    "logs pull",
    "revoke",
    "command",
    "openapi",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_explains_itself(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([*command.split(), "--help"])
    assert stopped.value.code == 0
    assert "usage: kiosk-central" in capsys.readouterr().out


def test_bad_input_gets_plain_words(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KIOSK_CENTRAL_TOKEN", raising=False)
    assert main(["kiosks", "--server", "http://127.0.0.1:9"]) == 41
    assert "No back-office token" in capsys.readouterr().err
    assert main(["kiosks", "--server", "http://127.0.0.1:9", "--token", "x"]) == 42
    assert "Cannot reach the central server" in capsys.readouterr().err
    assert main(["logs", "pull", "k-1", "--since", "yesterday-ish", "--token", "x"]) == 41
    assert "Cannot read the time 'yesterday-ish'" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_and_bootstrap_from_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "central"
    assert main(["token", "new", "--role", "admin", "--data", str(data)]) == 0
    token = capsys.readouterr().out.splitlines()[0]
    assert main(["pairing-code", "new", "--ttl", "600", "--data", str(data)]) == 0
    code = capsys.readouterr().out.splitlines()[0]
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "central.cli", "serve", "--port", str(port), "--data", str(data)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60  # a loaded machine starts slowly; a hang still fails
        while True:
            try:
                requests.get(url + "/openapi.json", timeout=5)
                break
            except (requests.ConnectionError, requests.Timeout):
                assert server.poll() is None and time.monotonic() < deadline, (
                    server.stderr.read().decode() if server.stderr else ""
                )
                time.sleep(0.1)
        enrolled = requests.post(
            url + "/api/v1/enrol", json={"pairing_code": code, "hostname": "hall-a-1"}, timeout=10
        )
        assert enrolled.status_code == 201
        assert main(["kiosks", "--server", url, "--token", token]) == 0
        table = capsys.readouterr().out
        assert table.splitlines()[0].split()[:2] == ["KIOSK", "LOCATION"]
        assert enrolled.json()["kiosk_id"] in table
        assert "never" in table
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert (data / "server.key").stat().st_mode & 0o077 == 0


def test_command_and_revoke(
    central: EmbeddedCentral,
    kiosk: SignedKiosk,
    admin_token: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = ["--server", central.url, "--token", admin_token]
    assert (
        main(
            [
                "command",
                kiosk.kiosk_id,
                "out_of_service",
                "--args",
                '{"on": true, "reason": "maintenance"}',
                *server,
            ]
        )
        == 0
    )
    command_id = capsys.readouterr().out.strip()
    assert kiosk.heartbeat().json()["commands"][0]["id"] == command_id
    assert main(["command", kiosk.kiosk_id, "out_of_service", "--args", "[1]", *server]) == 41
    assert main(["command", kiosk.kiosk_id, "upload_logs", "--args", "{}", *server]) == 43
    assert "invalid_args" in capsys.readouterr().err
    assert main(["revoke", kiosk.kiosk_id, *server]) == 0
    assert kiosk.heartbeat().json()["error"] == "revoked"
    assert main(["kiosks", "--json", *server]) == 0
    fleet = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert next(k for k in fleet if k["kiosk_id"] == kiosk.kiosk_id)["revoked"] is True


def test_viewer_token_cannot_queue(
    central: EmbeddedCentral,
    kiosk: SignedKiosk,
    viewer_token: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        main(
            [
                "command",
                kiosk.kiosk_id,
                "reload_catalog",
                "--server",
                central.url,
                "--token",
                viewer_token,
            ]
        )
        == 43
    )
    assert "forbidden_role" in capsys.readouterr().err
    assert count(central, KioskCommand, kiosk_id=kiosk.kiosk_id) == 0


class AnsweringKiosk(threading.Thread):
    """Heartbeats every 0.2 s and answers an upload_logs command the way the kiosk does."""

    def __init__(self, kiosk: SignedKiosk, started: datetime) -> None:
        super().__init__(daemon=True)
        self.kiosk = kiosk
        self.started = started
        self.stop = threading.Event()
        self.acked: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            commands = self.kiosk.heartbeat(acked=list(self.acked)).json().get("commands", [])
            for command in commands:
                if command["kind"] == "upload_logs" and command["id"] not in self.acked:
                    args = command["args"]
                    since = datetime.fromisoformat(args["since"].replace("Z", "+00:00"))
                    lines = [
                        {"at": (since + timedelta(seconds=s)).isoformat(), "msg": f"line {s}"}
                        for s in range(0, 120, 10)
                    ]
                    query = f"since={args['since']}&until={args['until']}&command_id={command['id']}".replace(
                        "+", "%2B"
                    )
                    assert (
                        self.kiosk.upload_logs(command["id"], lines, query=query).status_code == 201
                    )
                    self.acked.append(command["id"])
            self.stop.wait(0.2)


def test_logs_pull_waits_for_the_upload(
    central: EmbeddedCentral,
    kiosk: SignedKiosk,
    viewer_token: str,
    admin_token: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = utc_now().replace(microsecond=0)
    since, until = (now - timedelta(minutes=2)).isoformat(), now.isoformat()
    # a viewer cannot ask the kiosk for an upload: the pull stops with the server's refusal
    assert (
        main(
            [
                "logs",
                "pull",
                kiosk.kiosk_id,
                "--since",
                since,
                "--until",
                until,
                "--out",
                str(tmp_path),
                "--server",
                central.url,
                "--token",
                viewer_token,
            ]
        )
        == 43
    )
    capsys.readouterr()
    answering = AnsweringKiosk(kiosk, now)
    answering.start()
    try:
        code = main(
            [
                "logs",
                "pull",
                kiosk.kiosk_id,
                "--since",
                since,
                "--until",
                until,
                "--out",
                str(tmp_path),
                "--wait",
                "30",
                "--server",
                central.url,
                "--token",
                admin_token,
            ]
        )
    finally:
        answering.stop.set()
        answering.join(timeout=10)
    out = capsys.readouterr().out
    assert code == 0, out
    saved = next(tmp_path.glob(f"{kiosk.kiosk_id}_*.ndjson"))
    assert [json.loads(line)["msg"] for line in saved.read_text().splitlines()] == [
        f"line {s}" for s in range(0, 120, 10)
    ]
    assert "(complete)" in out
    assert len(answering.acked) == 1
    pending = requests.get(
        central.url + "/api/v1/kiosks", headers=bearer(admin_token), timeout=10
    ).json()
    assert next(k for k in pending if k["kiosk_id"] == kiosk.kiosk_id)["pending_commands"] == 0


def test_logs_pull_gives_up_after_wait(
    central: EmbeddedCentral,
    kiosk: SignedKiosk,
    admin_token: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        [
            "logs",
            "pull",
            kiosk.kiosk_id,
            "--since",
            "10m",
            "--out",
            str(tmp_path),
            "--wait",
            "0.5",
            "--server",
            central.url,
            "--token",
            admin_token,
        ]
    )
    assert code == 44
    assert "uploaded only 0%" in capsys.readouterr().err
    assert next(tmp_path.glob("*.ndjson")).read_text() == ""


def test_a_database_password_is_never_printed(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"postgresql+psycopg://alice:s3cret-pw@127.0.0.1:{_free_port()}/nodb"
    assert main(["token", "new", "--role", "admin", "--db", url]) == 41
    err = capsys.readouterr().err
    assert "Cannot open the database" in err and "alice" in err
    assert "s3cret-pw" not in err


def test_an_unwritable_output_path_is_a_plain_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi", "--out", str(tmp_path / "missing" / "openapi.json")]) == 74
    err = capsys.readouterr().err
    assert "could not be read or written" in err and "Traceback" not in err
