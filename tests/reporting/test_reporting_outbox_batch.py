"""The outbox sends consecutive JSON records several to a signed POST /batch (real server)."""

from __future__ import annotations

import gzip
import random
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from reporting_helpers import BackOffice, Enrolled, server_submissions
from sqlalchemy import select

from central.embedded import EmbeddedCentral
from central.models import DeviceEventRow, LogUpload
from central.models_applications import HelpCall, Rating
from identity.idnumber import generate_person
from kiosk.central_client import BatchOutcome, CentralClient, Reply
from kiosk.outbox import Material, Outbox


class Recording:
    """The real client, recording each request it makes: ("batch", n) or ("single", path)."""

    def __init__(self, client: CentralClient) -> None:
        self.client = client
        self.calls: list[tuple[str, object]] = []

    def deliver(self, path: str, body: bytes, key: str, **kwargs: object) -> Reply:
        self.calls.append(("single", path))
        return self.client.deliver(path, body, key, **kwargs)  # type: ignore[arg-type]

    def deliver_batch(self, records: Sequence[tuple[str, str, bytes]]) -> list[BatchOutcome]:
        self.calls.append(("batch", len(records)))
        return self.client.deliver_batch(records)


class NoBatchCentre(CentralClient):
    """The real client against a centre that has no /batch yet (a real 404 from the server)."""

    def deliver_batch(self, records: Sequence[tuple[str, str, bytes]]) -> list[BatchOutcome]:
        self.request("POST", "/batch-not-here", b"{}", headers={"Content-Type": "application/json"})
        raise AssertionError("unreachable: the server answers 404")


def _submission(outbox: Outbox, n: int) -> str:
    person = generate_person(random.Random(n))
    return outbox.enqueue_submission(
        f"REF-B{n:05d}", "new_enterprise",
        {"applicant": {"name": person.name, "id_number": person.id_number}},
        [Material("id_front.jpg", b"\xff\xd8\xff" + bytes([n % 256]) * 2048)],
    )


def _event(outbox: Outbox, n: int) -> str:
    return outbox.enqueue_events([{"at": "2025-01-01T00:00:00Z", "kind": "device", "device": "printer",
                                   "state": "ok", "reason": f"n{n}"}])


def _logs(outbox: Outbox) -> str:
    lines = b'{"at": "2025-01-01T00:00:00+00:00", "msg": "hello"}\n'
    return outbox.enqueue_logs(gzip.compress(lines), "2025-01-01T00:00:00+00:00",
                               "2025-01-01T00:01:00+00:00")


def test_a_mixed_queue_goes_in_batches_and_logs_alone(
    tmp_path: Path, kiosk: Enrolled, central: EmbeddedCentral
) -> None:
    box = Outbox.in_state_dir(tmp_path, kiosk.secret, batch_records=4)
    subs = [_submission(box, n) for n in range(5)]
    events = [_event(box, n) for n in range(2)]
    logs = _logs(box)
    rating = box.enqueue_rating("REF-B00000", "new_enterprise", 5)
    help_call = box.enqueue_help_call("form", "new_enterprise", "page1")
    client = Recording(kiosk.client())
    report = box.drain(client)
    assert (report.sent, report.rejected, report.failed, report.stopped) == (10, 0, 0, "")
    assert box.depth() == 0
    # 5 submissions + 2 events in batches of 4 (4 + 3), the log batch alone, then the last two
    assert client.calls == [("batch", 4), ("batch", 3), ("single", "/logs"), ("batch", 2)]
    assert sorted(i for i, _ in server_submissions(central, kiosk.kiosk_id)) == sorted(subs)
    with central.state.sessions() as db:
        assert sorted(db.scalars(select(DeviceEventRow.batch_id).where(
            DeviceEventRow.kiosk_id == kiosk.kiosk_id))) == sorted(events)
        assert db.scalars(select(LogUpload.id).where(LogUpload.kiosk_id == kiosk.kiosk_id)).all() == [logs]
        assert db.get(Rating, rating) is not None
        assert db.get(HelpCall, help_call) is not None
    box.close()


def test_a_refused_record_in_a_batch_is_parked_and_the_rest_delivered(
    outbox: Outbox, kiosk: Enrolled, central: EmbeddedCentral
) -> None:
    before = _submission(outbox, 1)
    unknown = outbox.enqueue_supplement("REF-NO-SUCH", [Material("redo.jpg", b"\xff\xd8\xff" * 10)])
    after = _submission(outbox, 2)
    report = outbox.drain(kiosk.client())
    assert (report.sent, report.rejected) == (3, 1)  # the third sent: the rejection's event
    parked = outbox.rejected()
    assert [r.id for r in parked] == [unknown]
    assert "reference_unknown" in parked[0].last_error
    assert outbox.depth() == 0 and outbox.alarm() == ""
    assert sorted(i for i, _ in server_submissions(central, kiosk.kiosk_id)) == sorted([before, after])


def test_a_centre_without_batches_gets_the_records_one_by_one(
    outbox: Outbox, kiosk: Enrolled, central: EmbeddedCentral
) -> None:
    ids = [_submission(outbox, n) for n in range(4)]
    old = NoBatchCentre(kiosk.url, kiosk.kiosk_id, kiosk.secret)
    client = Recording(old)
    client.deliver_batch = old.deliver_batch  # type: ignore[method-assign]
    report = outbox.drain(client)
    assert (report.sent, report.rejected, report.stopped) == (4, 0, "")
    assert [c for c in client.calls if c[0] == "single"] == [("single", "/submissions")] * 4
    assert sorted(i for i, _ in server_submissions(central, kiosk.kiosk_id)) == sorted(ids)
    more = _submission(outbox, 9)
    client.calls.clear()
    outbox.drain(client)  # batching stays off for a while: no 404 asked again
    assert client.calls == [("single", "/submissions")]
    assert more in {i for i, _ in server_submissions(central, kiosk.kiosk_id)}


def test_a_dead_link_during_a_batch_loses_nothing(
    tmp_path: Path, kiosk: Enrolled, central: EmbeddedCentral, dead_url: str
) -> None:
    box = Outbox.in_state_dir(tmp_path, kiosk.secret)
    ids = [_submission(box, n) for n in range(3)]
    report = box.drain(kiosk.client(dead_url))
    assert (report.sent, report.stopped) == (0, "central.unreachable")
    assert box.depth() == 3 and box.link_failures() == 1
    assert [r.attempts for r in box.records()] == [1, 0, 0]
    with sqlite3.connect(tmp_path / "outbox.sqlite3") as db:
        db.execute("UPDATE meta SET value = '0' WHERE key = 'link_next_at'")
    assert box.drain(kiosk.client()).sent == 3
    assert sorted(i for i, _ in server_submissions(central, kiosk.kiosk_id)) == sorted(ids)
    box.close()


def test_a_revoked_kiosk_batch_raises_the_alarm(
    outbox: Outbox, kiosk: Enrolled, backoffice: BackOffice, central: EmbeddedCentral
) -> None:
    for n in range(3):
        _submission(outbox, n)
    backoffice.revoke(kiosk.kiosk_id)
    client = Recording(kiosk.client())
    report = outbox.drain(client)
    assert report.stopped == "central.auth_failed"
    assert client.calls == [("batch", 3)]
    assert outbox.alarm() == "central.auth_failed"
    assert outbox.depth() == 3
    assert server_submissions(central, kiosk.kiosk_id) == []


def test_an_unreadable_record_is_parked_and_its_batch_goes_on(
    tmp_path: Path, kiosk: Enrolled, central: EmbeddedCentral
) -> None:
    box = Outbox.in_state_dir(tmp_path, kiosk.secret)
    ids = [_submission(box, n) for n in range(3)]
    with sqlite3.connect(tmp_path / "outbox.sqlite3") as db:
        db.execute("UPDATE records SET payload = ? WHERE id = ?", (b"\x00" * 64, ids[1]))
    report = box.drain(kiosk.client())
    assert report.rejected == 1
    assert [r.id for r in box.rejected()] == [ids[1]]
    assert sorted(i for i, _ in server_submissions(central, kiosk.kiosk_id)) == sorted([ids[0], ids[2]])
    box.close()
