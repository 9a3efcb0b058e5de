"""Enrolment tells a technician what is wrong, exits non-zero on refusal, and keeps the queue."""

from __future__ import annotations

from pathlib import Path

import pytest
from reporting_helpers import BackOffice, server_submissions
from reporting_helpers import provision as main

from central.embedded import EmbeddedCentral
from kiosk import config as kiosk_config
from kiosk.central_client import CentralClient
from kiosk.outbox import Outbox

CITIZEN_TEXT = "Your application is saved"


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("KIOSK_STATE", str(folder))
    return folder


def _enrol(central: EmbeddedCentral, *extra: str) -> int:
    return main(["enrol", "--insecure", "--server", central.url, "--code", central.pairing_code(), *extra])


def test_revoked_with_two_queued_then_re_enrolled_delivers_both_exactly_once(
    state: Path, central: EmbeddedCentral, backoffice: BackOffice
) -> None:
    assert _enrol(central) == 0
    old = kiosk_config.load(state).kiosk_id
    old_secret = kiosk_config.load_secret(state)
    box = Outbox.in_state_dir(state, old_secret)
    references = ["GJZ20260101000101", "GJZ20260101000102"]
    for reference in references:
        box.enqueue_submission(reference, "birth", {"answers": {}})
    backoffice.revoke(old)
    client = CentralClient(central.url, old, old_secret, timeout=5.0)
    assert box.drain(client).sent == 0
    box.close()


    assert _enrol(central, "--force") == 0
    new = kiosk_config.load(state).kiosk_id
    new_secret = kiosk_config.load_secret(state)
    assert new != old and new_secret != old_secret
    box = Outbox.in_state_dir(state, new_secret)
    assert box.depth() == 2 and box.alarm() == ""
    client = CentralClient(central.url, new, new_secret, timeout=5.0)
    assert box.drain(client).sent == 2
    assert box.drain(client).sent == 0
    box.close()
    stored = sorted(ref for _id, ref in server_submissions(central, new))
    assert stored == references
    assert server_submissions(central, old) == []


def test_enrol_on_an_enrolled_kiosk_without_force_is_a_refusal(
    state: Path, central: EmbeddedCentral, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _enrol(central) == 0
    capsys.readouterr()
    assert _enrol(central) != 0
    assert "already enrolled" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("server", "words"),
    [
        ("ftp://127.0.0.1:21", "not a centre address"),
        ("{dead}", "Nothing answers at"),
        ("{central}/some/path", "not as a kiosk centre"),
        ("{https}", "plain http"),
    ],
)
def test_enrol_failures_are_in_technician_words(
    server: str, words: str, state: Path, central: EmbeddedCentral, dead_url: str,
    capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.format(dead=dead_url, central=central.url, https=central.url.replace("http://", "https://"))
    code = central.pairing_code()
    assert main(["enrol", "--insecure", "--server", url, "--code", code]) != 0
    err = capsys.readouterr().err
    assert words in err
    assert CITIZEN_TEXT not in err and "pairing code was refused" not in err and "Traceback" not in err
    assert "against the enrolment CA file" not in err
    assert not (state / kiosk_config.KEY_NAME).exists()
    # The code was not spent: it still enrols.
    assert main(["enrol", "--insecure", "--server", central.url, "--code", code]) == 0
