"""Byte-exact SAM_V frames: requests and replies as the fact sheet records them, and the decoder."""

from __future__ import annotations

import pytest

from devices.idcard import errors
from devices.idcard.sam_frames import (
    MIN_REQUEST_LEN,
    Command,
    FrameDecoder,
    Request,
    Response,
    checksum,
    encode_command,
    encode_response,
    wire_seconds,
)
from devices.idcard.sam_status import ERROR_CODES, STATUS, Sw3, error_for, key_for


def HEX(text: str) -> bytes:
    return bytes.fromhex(text)


@pytest.mark.parametrize(
    ("command", "frame"),
    [
        # preamble      len   cmd para chk
        (Command.RESET_SAM, "aa aa aa 96 69 00 03 10 ff ec"),  # reset SAM
        (Command.SAM_STATUS, "aa aa aa 96 69 00 03 11 ff ed"),  # SAM status
        (Command.SAM_ID, "aa aa aa 96 69 00 03 12 ff ee"),  # read SAM ID
        (Command.FIND_CARD, "aa aa aa 96 69 00 03 20 01 22"),  # find card: CHK 22, not 21
        (Command.SELECT_CARD, "aa aa aa 96 69 00 03 20 02 21"),  # select card
        (Command.READ_BASE, "aa aa aa 96 69 00 03 30 01 32"),  # read text + photo
        (Command.READ_APPENDED_ADDRESS, "aa aa aa 96 69 00 03 30 03 30"),  # appended address
        (Command.READ_BASE_FINGERPRINT, "aa aa aa 96 69 00 03 30 10 23"),  # + fingerprint
    ],
)
def test_request_frames_match_the_published_bytes(command: Command, frame: str) -> None:
    assert encode_command(command) == HEX(frame)


def test_checksum_is_computed_over_length_and_body() -> None:
    # 00 03 20 01 -> 00^03^20^01 = 22
    assert checksum(HEX("00 03 20 01")) == 0x22
    # Set-max-RF-bytes with one data byte: 00 04 61 ff 50 -> ca
    assert encode_command(Command.SAM_STATUS)[-1] == 0xED
    assert HEX("aa aa aa 96 69 00 04 61 ff 50 ca")[-1] == checksum(HEX("00 04 61 ff 50"))


@pytest.mark.parametrize(
    ("sw3", "data", "frame"),
    [
        (Sw3.FIND_OK, HEX("00000000"), "aa aa aa 96 69 00 08 00 00 9f 00 00 00 00 97"),  # find OK
        (Sw3.NO_CARD, b"", "aa aa aa 96 69 00 04 00 00 80 84"),  # find: no card
        (Sw3.OK, bytes(8), "aa aa aa 96 69 00 0c 00 00 90" + " 00" * 8 + " 9c"),  # select OK
        (Sw3.SELECT_FAILED, b"", "aa aa aa 96 69 00 04 00 00 81 85"),  # select failed
        (Sw3.READ_FAILED, b"", "aa aa aa 96 69 00 04 00 00 41 45"),  # read failed
        (Sw3.OK, b"", "aa aa aa 96 69 00 04 00 00 90 94"),  # reset OK
    ],
)
def test_response_frames_match_the_published_bytes(sw3: int, data: bytes, frame: str) -> None:
    assert encode_response(sw3, data) == HEX(frame)
    decoder = FrameDecoder()
    decoder.feed(HEX(frame))
    assert Response.from_body(decoder.next_body() or b"") == Response(0, 0, sw3, data)


def test_read_reply_is_1295_bytes_with_length_0508() -> None:
    data = HEX("0100 0400") + bytes(256) + bytes(1024)
    frame = encode_response(Sw3.OK, data)
    assert len(frame) == 1295
    assert frame[5:7] == HEX("05 08")  # 1288 = SW1..SW3 + 4 + 256 + 1024 + CHK
    assert frame[10:14] == HEX("01 00 04 00")
    assert wire_seconds(len(frame), 115200) == pytest.approx(0.1124, abs=1e-4)


def test_decoder_skips_garbage_and_keeps_partial_preambles() -> None:
    decoder = FrameDecoder()
    decoder.feed(HEX("00 ff 13 aa aa"))  # noise, then what may be the start of a preamble
    assert decoder.next_body() is None
    assert decoder.needed() == 5  # aa aa buffered: 5 more bytes make a header
    decoder.feed(HEX("aa 96 69 00 04 00 00 80"))
    assert decoder.next_body() is None
    assert decoder.needed() == 1
    decoder.feed(HEX("84"))
    assert decoder.next_body() == HEX("00 00 80")
    assert decoder.skipped == 3


def test_decoder_returns_frames_split_in_single_bytes() -> None:
    frame = encode_response(Sw3.OK, b"hello")
    decoder = FrameDecoder()
    bodies = []
    for byte in frame:
        decoder.feed(bytes([byte]))
        body = decoder.next_body()
        if body is not None:
            bodies.append(body)
    assert bodies == [HEX("00 00 90") + b"hello"]


def test_bad_checksum_is_reported_then_the_next_frame_is_found() -> None:
    good = encode_response(Sw3.OK)
    bad = good[:-1] + bytes([good[-1] ^ 0xFF])
    decoder = FrameDecoder()
    decoder.feed(bad + good)
    with pytest.raises(errors.FrameChecksumError):
        decoder.next_body()
    assert decoder.next_body() == HEX("00 00 90")


def test_oversized_length_is_rejected_and_resynchronised() -> None:
    decoder = FrameDecoder()
    decoder.feed(HEX("aa aa aa 96 69 ff ff 00 00") + encode_response(Sw3.NO_CARD))
    with pytest.raises(errors.FrameTooLong):
        decoder.next_body()
    assert decoder.next_body() == HEX("00 00 80")


def test_length_too_short_for_a_response_is_malformed() -> None:
    decoder = FrameDecoder()
    decoder.feed(HEX("aa aa aa 96 69 00 02 00 02"))
    with pytest.raises(errors.FrameMalformed):
        decoder.next_body()


def test_request_decoder_parses_commands() -> None:
    decoder = FrameDecoder(min_len=MIN_REQUEST_LEN)
    decoder.feed(encode_command(Command.READ_BASE))
    request = Request.from_body(decoder.next_body() or b"")
    assert request.command is Command.READ_BASE


def test_every_error_code_maps_to_its_own_key_and_class() -> None:
    expected = {
        0x80: errors.NoCard, 0x81: errors.CardSelectFailed, 0x41: errors.CardReadFailed,
        0x40: errors.CardUnsupported, 0x31: errors.CardAuthFailed, 0x60: errors.SamFault,
        0x66: errors.SamFault, 0x10: errors.SamRejectedRequest,
    }  # fmt: skip
    for code in ERROR_CODES:
        error = error_for(code)
        assert error.key == f"idcard.sw3.{code:02x}"
        assert error.sw3 == code
        assert STATUS[code].error is type(error)
        if code in expected:
            assert type(error) is expected[code]
    assert isinstance(error_for(0x10), errors.ProtocolError)
    assert error_for(0x77).key == "idcard.sw3.unknown" == key_for(0x77)
    assert error_for(0x77).params["code"] == "77"
