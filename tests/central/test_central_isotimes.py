"""The column-wise ISO time reader gives exactly what ``fromisoformat`` + ``to_us`` give, one
time at a time, for every layout it takes, and declines what it does not take."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from central.isotimes import iso_us
from central.logstore import to_us
from wire.models import as_utc

ZONES = st.sampled_from(["Z", "+00:00", "+08:00", "-05:30", "+23:59", "-23:59", ""])
SPECS = st.sampled_from(["seconds", "milliseconds", "microseconds"])
# Within about 285 years of 1970 a float64 holds every microsecond, as to_us() needs.
TIMES = st.datetimes(min_value=datetime(1700, 1, 2), max_value=datetime(2240, 12, 30))
FAR = st.one_of(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(1680, 1, 1)),
                st.datetimes(min_value=datetime(2260, 1, 1), max_value=datetime(9999, 12, 30)))


def _write(moment: datetime, spec: str, zone: str) -> str:
    return moment.isoformat(timespec=spec) + zone


def _one_by_one(text: str) -> int:
    return to_us(as_utc(datetime.fromisoformat(text.replace("Z", "+00:00"))))


@given(st.lists(TIMES, min_size=1, max_size=40), SPECS, ZONES)
def test_alike_times_read_as_fromisoformat_reads_them(
    moments: list[datetime], spec: str, zone: str
) -> None:
    texts = [_write(moment, spec, zone) for moment in moments]
    got = iso_us(texts)
    assert got is not None
    assert got.tolist() == [_one_by_one(text) for text in texts]


@given(TIMES, FAR, SPECS, ZONES)
def test_times_too_far_for_a_float_are_left_to_fromisoformat(
    near: datetime, far: datetime, spec: str, zone: str
) -> None:
    assert iso_us([_write(near, spec, zone), _write(far, spec, zone)]) is None


def test_many_random_microseconds_round_as_to_us_rounds() -> None:
    """About one time in fifty, to_us() is one below the exact microseconds (its float
    product): the reader must round alike."""
    rng = random.Random(11)
    epoch = datetime(1970, 1, 1)
    moments = [epoch + timedelta(microseconds=rng.randrange(-2**52, 2**52)) for _ in range(5000)]
    for spec in ("microseconds", "milliseconds"):
        texts = [_write(moment, spec, "Z") for moment in moments]
        expected = [_one_by_one(text) for text in texts]
        assert iso_us(texts).tolist() == expected  # type: ignore[union-attr]


def test_the_kiosks_times_and_leap_days() -> None:
    start = datetime(2024, 2, 28, 23, 59, 59, 999000, tzinfo=UTC)
    moments = [start + timedelta(milliseconds=n) for n in range(3)]
    texts = [m.isoformat(timespec="milliseconds").replace("+00:00", "Z") for m in moments]
    assert iso_us(texts).tolist() == [_one_by_one(t) for t in texts]  # type: ignore[union-attr]
    zoned = datetime(1969, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-2))).isoformat()
    assert iso_us([zoned]).tolist() == [_one_by_one(zoned)]  # type: ignore[union-attr]
    for leap in ("2000-02-29T00:00:00Z", "2024-02-29T00:00:00Z", "2196-02-29T00:00:00Z"):
        assert iso_us([leap]).tolist() == [_one_by_one(leap)]  # type: ignore[union-attr]
    for not_leap in ("1900-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2023-02-29T00:00:00Z"):
        assert iso_us([not_leap]) is None


def test_what_it_does_not_take_is_left_to_fromisoformat() -> None:
    declined = [
        ["2024-05-01T08:00:00Z", "2024-05-01T08:00:00.1Z"],  # two layouts
        ["2024-05-01T08:00:00Z", "2024-05-01T08:00:00+00:00"],
        ["2024-05-01T08:00:00Z", "2024-05-01T08:00:00-"],
        ["2024-05-01T08:00:00Z", "2024-05-01T08:0a:00Z"],
        ["2024-05-01 08:00:00Z"],  # fromisoformat takes other separators; this reader does not
        ["2024-05-01T08:00:00.1234Z"],
        ["2024-05-01"],
        ["2023-02-29T08:00:00Z"],  # no such day
        ["2024-13-01T08:00:00Z"],
        ["2024-05-01T24:00:00Z"],
        ["2024-05-01T08:00:60Z"],
        ["0000-05-01T08:00:00Z"],
        ["2024-05-01T08:00:00+24:00"],
        ["2024-05-01T08:00:00Z", "２０２４-05-01T08:00:00Z"],  # not ASCII
        [],
    ]
    for texts in declined:
        assert iso_us(texts) is None, texts
