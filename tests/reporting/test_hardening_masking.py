"""The masker over generated variants of phones and ID numbers, and logging's own error path (issue 13, item 6)."""

from __future__ import annotations

import errno
import json
import logging
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity.idnumber import generate_person
from kiosk import logs

FOLD = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "＋": "+", "－": "-", "\u3000": " "})


def _digits_only(text: str) -> str:
    """The text as a reader would see the numbers: full-width folded, separators gone."""
    return re.sub(r"[\s\-]", "", text.translate(FOLD))


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) - 0x30 + 0xFF10) if c.isdigit() else ("Ｘ" if c == "X" else c) for c in text)


def _grouped(number: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, start = [], 0
    for size in sizes:
        parts.append(number[start:start + size])
        start += size
    parts.append(number[start:])
    return sep.join(p for p in parts if p)


phones = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
persons = st.integers(min_value=0, max_value=2**32).map(lambda seed: generate_person(random.Random(seed)))
separators = st.sampled_from(["", " ", "-"])
contexts = st.sampled_from([
    "{}", "手机号{}。", "联系电话：{}", "call {} now", '{{"note": "{}"}}', "申请人 {} 已提交", "({})",
])


@st.composite
def phone_variants(draw: st.DrawFn) -> tuple[str, str]:
    number = draw(phones)
    sep = draw(separators)
    text = _grouped(number, draw(st.sampled_from([(3, 4), (3, 8), (4, 4)])), sep)
    text = draw(st.sampled_from(["", "+86", "+86 ", "0086", "0086 ", "86", "86-", "+86-"])) + text
    if draw(st.booleans()):
        text = _full_width(text)
    return number, draw(contexts).format(text)


@st.composite
def id_variants(draw: st.DrawFn) -> tuple[str, str]:
    number = draw(persons).id_number
    sep = draw(separators)
    sizes = draw(st.sampled_from([(6, 8), (6, 4, 4), (4, 4, 4, 4), (3, 3, 4, 4)]))
    text = _grouped(number, sizes, sep)
    if draw(st.booleans()):
        text = _full_width(text)
    return number, draw(contexts).format(text)


@st.composite
def legacy_variants(draw: st.DrawFn) -> tuple[str, str]:
    person = draw(persons)
    # First generation: region, yymmdd, 3-digit sequence (no check digit).
    number = person.id_number[:6] + person.id_number[8:14] + person.id_number[14:17]
    text = _grouped(number, draw(st.sampled_from([(6, 6), (6, 3, 3), (15,)])), draw(separators))
    if draw(st.booleans()):
        text = _full_width(text)
    return number, draw(contexts).format(text)


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(phone_variants())
def test_phones_in_every_form_are_masked(case: tuple[str, str]) -> None:
    number, text = case
    masked = logs.mask_text(text)
    seen = _digits_only(masked)
    assert number[:7] not in seen and number[3:] not in seen, (text, masked)


@FAST
@given(id_variants())
def test_id_numbers_in_every_form_are_masked(case: tuple[str, str]) -> None:
    number, text = case
    masked = logs.mask_text(text)
    assert number[3:-2] not in _digits_only(masked), (text, masked)


@FAST
@given(legacy_variants())
def test_fifteen_digit_id_numbers_are_masked(case: tuple[str, str]) -> None:
    number, text = case
    masked = logs.mask_text(text)
    assert number[3:-2] not in _digits_only(masked), (text, masked)


@FAST
@given(st.one_of(phone_variants(), id_variants()))
def test_every_form_is_masked_in_json_fields(case: tuple[str, str]) -> None:
    number, text = case
    record = logging.LogRecord("kiosk.test", logging.INFO, __file__, 1, "note %s", (text,), None)
    record.detail = {"remark": text}
    line = logs.JsonFormatter().format(record)
    assert number[3:-2] not in _digits_only(json.loads(line)["msg"] + json.dumps(json.loads(line)["detail"]))


@pytest.mark.parametrize("text", [
    "2026-12-06T05:16:23.123Z took 1733456789012 ms",
    "uscc 91210211MA0XXXXX1X",
    "order 123456789012345",  # no month 90: not an ID number
    "kiosk k-0123abcd queue 12 free 1048576",
])
def test_what_is_not_personal_stays(text: str) -> None:
    assert logs.mask_text(text) == text


class _FullDisk:
    def write(self, _text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self) -> None:
        pass


def test_handle_error_never_prints_the_raw_message_or_arguments(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    person = generate_person(random.Random(7))
    ours = logs.setup(tmp_path / "logs")
    log = logging.getLogger("kiosk.test.handle_error")
    log.propagate = False  # pytest's own capture handler re-raises instead of reporting
    broken = logging.StreamHandler(_FullDisk())  # a handler whose writes fail, as on a full disk
    log.addHandler(ours)
    log.addHandler(broken)
    try:
        log.warning("申请人 %s 手机 %s", person.name, "13800138000")  # the write fails
        log.warning("身份证 %d", person.id_number)  # a bad format string: every handler fails
    finally:
        log.removeHandler(broken)
        log.removeHandler(ours)
        logging.getLogger().removeHandler(ours)
        ours.close()
    err = capfd.readouterr().err
    assert "logging failed" in err
    for raw in (person.name, person.id_number, "13800138000", "Arguments:"):
        assert raw not in err, err
