"""The kiosk's logs: JSON lines, masking of personal data, rotation, reading a time range."""

from __future__ import annotations

import json
import logging
import random
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from identity.idnumber import generate_person, mask
from kiosk import logs

# A 统一社会信用代码 of the form printed in GB 32100-2015's examples (check character valid).
USCC = "91350100M000100Y43"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _uscc(rng: random.Random) -> str:
    body = "91" + "210211" + "".join(rng.choice(_USCC_CHARS) for _ in range(9))
    weights = [pow(3, i, 31) for i in range(17)]
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body, weights, strict=True))
    return body + _USCC_CHARS[(31 - total % 31) % 31]


@pytest.fixture
def log_folder(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "logs"
    hooks = sys.excepthook, threading.excepthook
    handler = logs.setup(folder, kiosk_id="k-test", levels={"devices.noisy": "WARNING"})
    yield folder
    logging.getLogger().removeHandler(handler)
    handler.close()
    logs.end_session()
    sys.excepthook, threading.excepthook = hooks


def _lines(folder: Path) -> list[str]:
    return [line for path in logs.log_files(folder) for line in path.read_text("utf-8").splitlines()]


def test_uscc_check_character() -> None:
    assert logs.is_uscc(USCC)
    assert not logs.is_uscc(USCC[:-1] + "4")
    rng = random.Random(3)
    assert all(logs.is_uscc(_uscc(rng)) for _ in range(50))


def test_a_whole_session_leaves_no_personal_data_in_any_line(log_folder: Path) -> None:
    rng = random.Random(11)
    person = generate_person(rng)
    phone = "139" + "".join(str(rng.randrange(10)) for _ in range(8))
    address = "辽宁省大连市甘井子区华北路" + str(rng.randrange(100, 999)) + "号3单元501室"
    company_code = _uscc(rng)
    session = logging.getLogger("kiosk.session")
    reader = logging.getLogger("devices.idcard.sam_reader")

    session_id = logs.new_session()
    logs.register_sensitive(person.name, address, phone)
    logs.event(session, "session.start", scenario="new_enterprise")
    reader.info("card read: %s %s %s", person.name, person.id_number, address)
    logs.event(session, "form.answers", answers={
        "applicant": {"name": person.name, "id_number": person.id_number, "mobile": phone,
                      "address": address},
        "enterprise": {"name": "大连鑫源商贸有限公司", "uscc": company_code},
        "姓名": person.name, "住址": address,
    })
    session.warning("validation failed for 姓名：%s 电话=%s", person.name, phone)
    session.info("lower-case x: %s", person.id_number.lower())
    session.info("legal person's enterprise %s registered", company_code, extra={"uscc": USCC})
    try:
        raise ValueError(f"cannot submit for {person.id_number} at {address}")
    except ValueError:
        session.exception("submission failed", extra={"event": "submission.failed"})
    logs.event(session, "receipt.printed", contact=f"{person.name} {phone}", items=[person.name, person.id_number])
    logs.end_session()
    # After the session the name is no longer registered, but ID numbers and phones still are masked.
    session.info("late line mentions %s and %s", person.id_number, phone)

    lines = _lines(log_folder)
    assert len(lines) >= 9
    text = "\n".join(lines)
    for secret in (person.id_number, person.id_number.lower(), person.name, phone, address):
        assert secret not in text, secret
    assert "华北路" not in text
    assert mask(person.id_number) in text  # masked, not dropped: support can still match a visit
    assert company_code in text and USCC in text
    assert "大连鑫源商贸有限公司" in text
    records = [json.loads(line) for line in lines]
    for record in records:
        assert {"ts", "level", "logger", "kiosk", "session", "event", "msg"} <= set(record)
        assert record["kiosk"] == "k-test"
    in_session = [r for r in records if r["logger"] == "kiosk.session"][:-1]
    assert {r["session"] for r in in_session} == {session_id}
    assert records[-1]["session"] == ""
    assert any(r["event"] == "submission.failed" and "exc" in r for r in records)


def test_per_module_levels(log_folder: Path) -> None:
    logging.getLogger("devices.noisy").info("chatter")
    logging.getLogger("devices.noisy").warning("problem")
    msgs = [json.loads(line)["msg"] for line in _lines(log_folder)]
    assert msgs == ["problem"]


def test_rotation_by_size_keeps_n_files_and_read_range_spans_them(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    handler = logs.setup(folder, max_bytes=2_000, backup_count=3)
    try:
        log = logging.getLogger("kiosk.rotate")
        start = time.time()
        for n in range(60):
            logs.event(log, "rotate.line", n=n)
        end = time.time() + 1
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    files = logs.log_files(folder)
    assert len(files) == 4  # current + 3 backups
    assert all(p.stat().st_size <= 2_400 for p in files)
    numbers = [json.loads(line)["n"] for line in logs.read_range(folder, start - 1, end)]
    assert numbers == sorted(numbers) and numbers[-1] == 59  # oldest lines rotated away
    assert 0 not in numbers
    assert list(logs.read_range(folder, end, end + 60)) == []


def test_rotation_by_age(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    handler = logs.setup(folder, max_bytes=10_000_000, backup_count=2, max_age_seconds=3600)
    try:
        log = logging.getLogger("kiosk.age")
        logs.event(log, "age.old")
        handler._started -= 7200  # the file was begun two hours ago
        logs.event(log, "age.new")
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    files = logs.log_files(folder)
    assert [p.name for p in files] == ["kiosk.log.1", "kiosk.log"]
    assert json.loads(files[0].read_text())["event"] == "age.old"
    assert json.loads(files[1].read_text())["event"] == "age.new"


def test_read_range_bounds(log_folder: Path) -> None:
    log = logging.getLogger("kiosk.range")
    logs.event(log, "range.a")
    middle = time.time()
    time.sleep(0.01)
    logs.event(log, "range.b")
    events = [json.loads(line)["event"] for line in logs.read_range(log_folder, middle, time.time() + 1)]
    assert events == ["range.b"]


def test_uncaught_exceptions_reach_stderr_and_the_log_masked(
    log_folder: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # setup() (in the fixture) installed the hooks; the fixture puts the old ones back.
    person = generate_person(random.Random(5))
    logs.register_sensitive(person.name)

    def worker() -> None:
        raise ValueError(f"cannot parse {person.id_number} for {person.name}")

    thread = threading.Thread(target=worker, name="idcard-poller")
    thread.start()
    thread.join()
    try:
        raise RuntimeError(f"main thread saw {person.id_number}")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]

    err = capfd.readouterr().err
    written = "\n".join(_lines(log_folder))
    for text in (err, written):
        assert person.id_number not in text and person.name not in text
        assert mask(person.id_number) in text
    assert "thread idcard-poller" in err and "the main thread" in err
    assert '"event": "uncaught"' in written
