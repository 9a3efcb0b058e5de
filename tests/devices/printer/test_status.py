"""DLE EOT replies to device state: every fault bit, priorities, malformed replies."""

from __future__ import annotations

import pytest

from devices.errors import ProtocolError
from devices.printer import status as st


@pytest.mark.parametrize(
    ("raw", "state", "reason"),
    [
        ("12 12 12 12", "ok", st.READY),
        ("12 12 12 1e", "degraded", st.PAPER_NEAR_END),  # n=4 bits 2-3: roll near end
        ("1a 32 12 72", "fault", st.PAPER_OUT),  # n=2 bit5 + n=4 bits 5-6
        ("12 12 12 72", "fault", st.PAPER_OUT),  # roll end sensor alone
        ("1a 16 12 12", "fault", st.COVER_OPEN),  # n=2 bit2
        ("1a 52 1a 12", "fault", st.CUTTER_ERROR),  # n=3 bit3: autocutter error
        ("1a 52 16 12", "fault", st.HARDWARE_ERROR),  # n=3 bit2: recoverable error, not the cutter
        ("1a 52 32 12", "fault", st.HARDWARE_ERROR),  # n=3 bit5: unrecoverable
        ("1a 12 12 12", "fault", st.OFFLINE),  # n=1 bit3 with no cause
        ("1a 16 12 7e", "fault", st.PAPER_OUT),  # paper out wins over cover open
    ],
)
def test_decode(raw: str, state: str, reason: str) -> None:
    decoded = st.decode(bytes.fromhex(raw))
    assert (decoded.state, decoded.reason) == (state, reason)
    assert decoded.usable == (state in ("ok", "degraded"))


@pytest.mark.parametrize("raw", ["12 12 12", "12 12 12 13", "00 12 12 12", "92 12 12 12"])
def test_malformed_reply_is_a_protocol_error(raw: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        st.decode(bytes.fromhex(raw))
    assert caught.value.key == "printer.bad_status"


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ({}, st.READY),
        ({"paper": "near_end"}, st.PAPER_NEAR_END),
        ({"paper": "out"}, st.PAPER_OUT),
        ({"cover_open": True}, st.COVER_OPEN),
        ({"offline": True}, st.OFFLINE),
        ({"cutter_error": True}, st.CUTTER_ERROR),
    ],
)
def test_encode_round_trips(condition: dict, reason: str) -> None:
    assert st.decode(st.encode(**condition)).reason == reason
