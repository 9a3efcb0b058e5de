"""Every delivered application is logged with its receipt reference, and nothing personal."""

from __future__ import annotations

import pytest
from reporting_helpers import Enrolled

from identity.idnumber import generate_person
from kiosk.outbox import Outbox


def test_a_delivered_submission_is_logged_with_its_reference(
    outbox: Outbox, kiosk: Enrolled, caplog: pytest.LogCaptureFixture
) -> None:
    import random

    person = generate_person(random.Random(7))
    reference = "GJZ20260101000042"
    record = outbox.enqueue_submission(reference, "birth", {"answers": {"id_number": person.id_number}})
    caplog.set_level("INFO", logger="kiosk.outbox")
    assert outbox.drain(kiosk.client()).sent == 1
    # the same LogRecord can reach caplog's handler twice when an earlier test left logging set up
    delivered = {id(r): r for r in caplog.records if getattr(r, "event", "") == "submission.delivered"}
    assert {(r.record, r.reference) for r in delivered.values()} == {(record, reference)}
    assert person.id_number not in caplog.text
