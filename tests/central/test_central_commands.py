"""Commands followed to their end: queued → sent → done | failed, the kiosk's outcome stored at
the centre, shown on the console's Kiosk page and by ``kiosk-central command --wait``
(exit 0 done, 46 failed, 47 no result in time), on SQLite and PostgreSQL, with a real
reporting worker and outbox on the kiosk's side."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from central_helpers import bearer

from central.cli import main
from central.embedded import EmbeddedCentral
from kiosk.central_client import CentralClient
from kiosk.heartbeat import ReportingWorker
from kiosk.outbox import Outbox


class Kiosk:
    """An enrolled kiosk's reporting side: its outbox on disk and the worker that beats."""

    def __init__(self, central: EmbeddedCentral, folder: Path) -> None:
        enrolling = CentralClient(central.url)
        reply = enrolling.enrol(central.pairing_code(), "cmd-test", {"name": "大厅 B"}, {})
        enrolling.close()
        self.id, secret = reply["kiosk_id"], bytes.fromhex(reply["secret"])
        self.outbox = Outbox.in_state_dir(folder, secret)
        self.worker = ReportingWorker(
            self.outbox, CentralClient(central.url, self.id, secret, timeout=10),
            kiosk_id=self.id, log_folder=folder / "logs", heartbeat_seconds=0.3,
        )


@pytest.fixture
def kiosk(central: EmbeddedCentral, tmp_path: Path) -> Iterator[Kiosk]:
    kiosk = Kiosk(central, tmp_path)
    yield kiosk
    kiosk.worker.stop()
    kiosk.worker.client.close()
    kiosk.outbox.close()


def _status(central: EmbeddedCentral, token: str, kiosk_id: str, command_id: str) -> dict:
    reply = requests.get(f"{central.url}/api/v1/kiosks/{kiosk_id}/commands/{command_id}",
                         headers=bearer(token), timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()


def _queue(central: EmbeddedCentral, token: str, kiosk_id: str, kind: str) -> str:
    reply = requests.post(f"{central.url}/api/v1/kiosks/{kiosk_id}/commands",
                          json={"kind": kind, "args": {}}, headers=bearer(token), timeout=10)
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def test_a_command_goes_queued_sent_done_with_the_kiosks_result(
    central: EmbeddedCentral, kiosk: Kiosk, admin_token: str, viewer_token: str
) -> None:
    outcomes = iter(["printed", "failed: printer.paper_out"])
    kiosk.worker.register("print_test_page", lambda _args: next(outcomes))
    first = _queue(central, admin_token, kiosk.id, "print_test_page")
    assert _status(central, viewer_token, kiosk.id, first)["state"] == "queued"

    # The beat that hands it out runs it; the state is "sent" until the ack comes back.
    kiosk.worker.heartbeat()
    sent = _status(central, viewer_token, kiosk.id, first)
    assert sent["state"] == "sent" and sent["sent_at"] and sent["result"] == ""
    kiosk.worker.heartbeat()
    done = _status(central, viewer_token, kiosk.id, first)
    assert (done["state"], done["result"]) == ("done", "printed") and done["done_at"]

    # One step of the worker's loop reports what it ran at once (a second beat), not a beat later.
    second = _queue(central, admin_token, kiosk.id, "print_test_page")
    kiosk.worker.step(0)
    failed = _status(central, viewer_token, kiosk.id, second)
    assert (failed["state"], failed["result"]) == ("failed", "failed: printer.paper_out")
    listed = requests.get(f"{central.url}/api/v1/kiosks/{kiosk.id}/commands",
                          headers=bearer(viewer_token), timeout=10).json()
    assert [c["id"] for c in listed] == [second, first]


def test_an_interrupted_or_unknown_command_is_a_failure_and_an_old_ack_is_done(
    central: EmbeddedCentral, kiosk: Kiosk, admin_token: str, viewer_token: str
) -> None:
    interrupted = _queue(central, admin_token, kiosk.id, "reload_catalog")
    unknown = _queue(central, admin_token, kiosk.id, "restart")  # no UI registered a handler
    # The kiosk claimed the first and stopped before it ended (claimed, no outcome stored).
    kiosk.worker.client.heartbeat(kiosk.worker.heartbeat_payload())
    assert kiosk.outbox.claim_command(interrupted, "reload_catalog")
    kiosk.worker.run_command({"id": unknown, "kind": "restart", "args": {}})
    kiosk.worker.heartbeat()
    assert _status(central, viewer_token, kiosk.id, interrupted)["result"] == "failed: command.interrupted"
    assert _status(central, viewer_token, kiosk.id, unknown).items() >= {
        "state": "failed", "result": "unsupported"}.items()

    # A kiosk of the release before results acknowledges with ids only: done, no result.
    old = _queue(central, admin_token, kiosk.id, "print_test_page")
    payload = kiosk.worker.heartbeat_payload()
    kiosk.worker.client.heartbeat(payload)
    kiosk.worker.client.heartbeat({**payload, "acked_commands": [old], "command_results": []})
    assert _status(central, viewer_token, kiosk.id, old).items() >= {"state": "done", "result": ""}.items()


def test_command_wait_prints_the_result_in_plain_words(
    central: EmbeddedCentral, kiosk: Kiosk, admin_token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    server = ["--server", central.url, "--token", admin_token]
    # No kiosk answering: the wait ends at the timeout with its own exit code.
    assert main(["command", kiosk.id, "print_test_page", "--wait", "--timeout", "1", *server]) == 47
    err = capsys.readouterr().err
    assert "no result within 1 s" in err and "waiting for the kiosk's next heartbeat" in err
    assert f"kiosk-central commands {kiosk.id}" in err

    # The kiosk says what each command asks it to say (a test handler).
    kiosk.worker.register("print_test_page", lambda args: args.get("say", "printed"))
    kiosk.worker.start()
    assert main(["command", kiosk.id, "print_test_page", "--wait", "--timeout", "30", *server]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^done .*: printed$", out, re.M), out
    paper_out = ["--args", '{"say": "failed: printer.paper_out"}']
    assert main(["command", kiosk.id, "print_test_page", *paper_out, "--wait", "--timeout", "30",
                 *server]) == 46
    err = capsys.readouterr().err
    assert f"print_test_page on {kiosk.id}: failed: The printer is out of paper. (printer.paper_out)" in err
    kiosk.worker.stop()

    assert main(["commands", kiosk.id, *server]) == 0
    lines = capsys.readouterr().out.splitlines()
    # Newest first; the one that timed out ran once the worker started, and came back too.
    assert [line.split()[2] for line in lines] == ["failed", "done", "done"]
    assert lines[0].endswith("The printer is out of paper. (printer.paper_out)")
    assert main(["command", kiosk.id, "print_test_page", "--wait", "--timeout", "0", *server]) == 41


def test_the_kiosk_page_shows_each_commands_state_and_result(
    central: EmbeddedCentral, kiosk: Kiosk, admin_token: str
) -> None:
    web = requests.Session()
    page = web.post(central.url + "/console/login", data={"token": admin_token}, timeout=10)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    target = f"{central.url}/console/kiosks/{kiosk.id}"
    kiosk.worker.register("print_test_page", lambda _args: "failed: printer.paper_out")
    assert web.post(target + "/command", data={"kind": "print_test_page", "csrf": csrf}, timeout=10).ok
    assert web.post(target + "/command", data={"kind": "restart", "csrf": csrf}, timeout=10).ok
    html = web.get(target, timeout=10).text
    assert html.count('class="pill c-queued"') == 2 and "等待终端下次心跳" in html
    kiosk.worker.step(0)
    html = web.get(target, timeout=10).text
    rows = re.findall(r'<tr class="cmd-(\w+)" data-command="[^"]+">(.*?)</tr>', html, re.S)
    assert [state for state, _ in rows] == ["failed", "failed"]
    assert "打印机缺纸" in rows[1][1] and "printer.paper_out" in rows[1][1]
    assert "不会执行这个命令" in rows[0][1]  # no UI here registered restart
    english = web.get(target, cookies={"kc_lang": "en"}, timeout=10).text
    assert "The printer is out of paper. (printer.paper_out)" in english
