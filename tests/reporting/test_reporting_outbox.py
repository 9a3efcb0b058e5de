"""The outbox against a real central server on 127.0.0.1: delivery, failures, durability, secrecy."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest
from reporting_helpers import BackOffice, Enrolled, server_submissions

from central.embedded import EmbeddedCentral
from identity.idnumber import generate_person
from kiosk.central_client import CentralClient, Reply
from kiosk.crypto import DecryptionError
from kiosk.outbox import REJECTED, Backoff, InvalidRecord, Material, Outbox, OutboxFull
from wire.errors import ExitCode


class Counting:
    """A real client that also counts how many deliveries were attempted."""

    def __init__(self, client: CentralClient) -> None:
        self.client = client
        self.calls = 0

    def deliver(self, *args: object, **kwargs: object) -> Reply:
        self.calls += 1
        return self.client.deliver(*args, **kwargs)  # type: ignore[arg-type]


class FakeClock:
    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def _submission(outbox: Outbox, n: int) -> str:
    person = generate_person(random.Random(n))
    return outbox.enqueue_submission(
        f"REF-{n:05d}",
        "new_enterprise",
        {"applicant": {"name": person.name, "id_number": person.id_number}},
        [Material("id_front.jpg", b"\xff\xd8\xff" + bytes([n % 256]) * 64)],
    )


def test_enqueue_then_drain_delivers_each_record_once(
    outbox: Outbox, kiosk: Enrolled, central: EmbeddedCentral
) -> None:
    ids = [_submission(outbox, n) for n in range(5)]
    events = outbox.enqueue_events([{"at": "2025-01-01T00:00:00Z", "kind": "device", "device": "printer",
                                     "state": "degraded", "reason": "printer.paper_near_end"}])
    assert outbox.depth() == 6
    report = outbox.drain(kiosk.client())
    assert (report.sent, report.rejected, report.stopped) == (6, 0, "")
    assert outbox.depth() == 0
    stored = server_submissions(central, kiosk.kiosk_id)
    assert sorted(i for i, _ in stored) == sorted(ids)
    assert events not in ids


def test_redelivery_of_an_acknowledged_record_is_stored_once(
    outbox: Outbox, kiosk: Enrolled, central: EmbeddedCentral
) -> None:
    record = _submission(outbox, 7)
    body = outbox.payload(record)
    client = kiosk.client()
    first = client.deliver("/submissions", body, record)
    again = client.deliver("/submissions", body, record)  # as after a crash before the local delete
    assert (first.status, again.status) == (201, 200)
    assert first.body == again.body
    outbox.drain(client)
    assert [i for i, _ in server_submissions(central, kiosk.kiosk_id)] == [record]


def test_payloads_are_encrypted_at_rest(tmp_path: Path, kiosk: Enrolled) -> None:
    person = generate_person(random.Random(42))
    box = Outbox.in_state_dir(tmp_path, kiosk.secret)
    record = box.enqueue_submission(
        "REF-1", "new_enterprise", {"applicant": {"name": person.name, "id_number": person.id_number}}
    )
    assert person.id_number.encode() in box.payload(record)
    box.close()
    on_disk = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("outbox"))
    assert record.encode() in on_disk  # the file is the right one
    for secret in (person.id_number, person.name):
        assert secret.encode() not in on_disk
        assert secret.encode("utf-16-le") not in on_disk
    with pytest.raises(DecryptionError):
        Outbox.in_state_dir(tmp_path, b"another kiosk's key").payload(record)


def test_server_down_for_a_week_then_everything_arrives(
    tmp_path: Path, kiosk: Enrolled, central: EmbeddedCentral, dead_url: str
) -> None:
    clock = FakeClock()
    backoff = Backoff(base=15.0, cap=3600.0)
    box = Outbox.in_state_dir(tmp_path, kiosk.secret, clock=clock, backoff=backoff, rng=random.Random(1))
    offline = Counting(kiosk.client(dead_url))
    week, tick = 7 * 86_400.0, 300.0
    ids = []
    start = clock.now
    while clock.now - start < week:
        if int(clock.now - start) % (4 * 3600) == 0:  # a citizen every four hours
            ids.append(_submission(box, len(ids)))
        report = box.drain(offline)
        assert report.sent == 0
        assert box.link_retry_at() - clock.now <= backoff.cap
        clock.now += tick
    assert box.depth() == len(ids) == 42
    # Backoff, not hammering: about one try per capped interval, far fewer than the 2 016 ticks.
    assert offline.calls <= 40 + week / (backoff.cap * (1 - backoff.jitter))
    assert offline.calls >= week / backoff.cap
    assert box.alarm() == ""

    online = kiosk.client()
    clock.now += backoff.cap
    report = box.drain(online)
    assert report.sent == len(ids)
    assert box.depth() == 0
    assert sorted(i for i, _ in server_submissions(central, kiosk.kiosk_id)) == sorted(ids)
    box.close()


def test_auth_failure_stops_the_queue_and_raises_an_alarm(
    outbox: Outbox, kiosk: Enrolled, backoffice: BackOffice, central: EmbeddedCentral
) -> None:
    ids = [_submission(outbox, n) for n in range(3)]
    backoffice.revoke(kiosk.kiosk_id)
    client = Counting(kiosk.client())
    report = outbox.drain(client)
    assert report.stopped == "central.auth_failed"
    assert client.calls == 1
    assert outbox.alarm() == "central.auth_failed"
    assert "revoked" in outbox.alarm_detail()
    again = outbox.drain(client)
    assert (again.stopped, client.calls) == ("alarm", 1)  # no further request while alarmed
    assert outbox.depth() == len(ids)
    assert server_submissions(central, kiosk.kiosk_id) == []


def test_a_bad_signature_key_is_an_auth_failure(outbox: Outbox, kiosk: Enrolled) -> None:
    _submission(outbox, 1)
    wrong = CentralClient(kiosk.url, kiosk.kiosk_id, b"\x00" * 32)
    assert outbox.drain(wrong).stopped == "central.auth_failed"
    assert outbox.depth() == 1


def test_a_refused_record_is_parked_and_reported_not_dropped(
    tmp_path: Path, central: EmbeddedCentral, kiosk: Enrolled
) -> None:
    from reporting_helpers import enrol

    other = enrol(central)
    mine = Outbox.in_state_dir(tmp_path / "a", kiosk.secret)
    theirs = Outbox.in_state_dir(tmp_path / "b", other.secret)
    taken = _submission(mine, 1)
    mine.drain(kiosk.client())
    # Another kiosk sends a record under an id that is already someone else's: 403 forbidden.
    clash = theirs._enqueue("submission", f'{{"id":"{taken}","reference":"R","scenario":"s"}}'.encode(),
                            record_id=taken)
    good = _submission(theirs, 2)
    report = theirs.drain(other.client())
    assert report.rejected == 1 and report.sent >= 1
    parked = theirs.rejected()
    assert [r.id for r in parked] == [clash]
    assert parked[0].state == REJECTED and "forbidden" in parked[0].last_error
    assert theirs.alarm() == ""
    assert good in {i for i, _ in server_submissions(central, other.kiosk_id)}
    assert theirs.depth() == 0  # the rejection report (an event) went out too
    mine.close()
    theirs.close()


def test_invalid_record_is_refused_at_enqueue(outbox: Outbox) -> None:
    with pytest.raises(InvalidRecord) as error:
        outbox.enqueue_submission("", "new_enterprise", {"applicant": {"id_number": "x"}})
    assert error.value.key == "outbox.invalid_record"
    assert outbox.depth() == 0


def test_full_database_is_a_typed_error_and_keeps_what_was_stored(tmp_path: Path, kiosk: Enrolled) -> None:
    box = Outbox.in_state_dir(tmp_path, kiosk.secret)
    kept = box.enqueue_events([{"at": "2025-01-01T00:00:00Z", "kind": "boot"}])
    pages = box._db.execute("PRAGMA page_count").fetchone()[0]
    box._db.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(OutboxFull) as error:
        for n in range(50):
            box.enqueue_submission(f"R{n}", "s", {}, [Material("big.jpg", random.randbytes(20_000))])
    assert error.value.key == "outbox.full"
    assert error.value.exit_code == ExitCode.OUTBOX
    assert box.depth() >= 1
    assert b"boot" in box.payload(kept)
    box.close()
    # After the failed insert the file is consistent and reopens with the earlier record.
    reopened = Outbox.in_state_dir(tmp_path, kiosk.secret)
    assert kept in {r.id for r in reopened.records()}
    reopened.close()


def test_tampered_payload_is_parked_as_undecryptable(tmp_path: Path, kiosk: Enrolled) -> None:
    box = Outbox.in_state_dir(tmp_path, kiosk.secret)
    record = _submission(box, 3)
    box.close()
    with sqlite3.connect(tmp_path / "outbox.sqlite3") as db:
        db.execute("UPDATE records SET payload = ? WHERE id = ?", (b"\x00" * 64, record))
    box = Outbox.in_state_dir(tmp_path, kiosk.secret)
    report = box.drain(kiosk.client())
    assert report.rejected == 1
    assert box.rejected()[0].last_error.startswith("outbox.undecryptable")
    box.close()
