"""Fuzzing the frame parser and the card parsers: garbage yields our errors or frames, nothing else."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from devices.idcard import text_block
from devices.idcard.errors import CardDataError, FrameError, FrameMalformed
from devices.idcard.sam_frames import PREAMBLE, FrameDecoder, encode_response
from devices.idcard.sam_reader import split_base_info

# Bytes biased towards the protocol's own values, so preambles and lengths appear often.
protocol_bytes = st.lists(
    st.one_of(st.sampled_from([0xAA, 0x96, 0x69, 0x00, 0x04, 0x05, 0x08, 0x90, 0xFF]),
              st.integers(0, 255)),
    max_size=600,
).map(bytes)  # fmt: skip


def drain(decoder: FrameDecoder) -> list[bytes]:
    bodies = []
    for _ in range(10_000):
        try:
            body = decoder.next_body()
        except FrameError:
            continue
        if body is None:
            return bodies
        bodies.append(body)
    raise AssertionError("decoder did not settle")


@settings(max_examples=300, deadline=None)
@given(chunks=st.lists(protocol_bytes, max_size=8))
def test_any_bytes_give_frames_or_frame_errors_only(chunks: list[bytes]) -> None:
    decoder = FrameDecoder()
    for chunk in chunks:
        decoder.feed(chunk)
        drain(decoder)
        assert decoder.needed() >= 1


@settings(max_examples=200, deadline=None)
@given(noise=protocol_bytes, data=st.binary(max_size=300), cut=st.integers(0, 2000))
def test_a_frame_after_noise_is_always_found(noise: bytes, data: bytes, cut: int) -> None:
    # Noise without a whole preamble cannot hide a frame that follows it.
    while PREAMBLE in noise:
        noise = noise.replace(PREAMBLE, b"")
    frame = encode_response(0x90, data)
    stream = noise + frame
    decoder = FrameDecoder()
    cut %= len(stream) + 1
    decoder.feed(stream[:cut])
    found = drain(decoder)
    decoder.feed(stream[cut:])
    found += drain(decoder)
    assert bytes([0, 0, 0x90]) + data in found


@settings(max_examples=300, deadline=None)
@given(block=st.binary(min_size=256, max_size=256))
def test_any_text_block_parses_or_raises_card_data_error(block: bytes) -> None:
    with contextlib.suppress(CardDataError):
        text_block.parse(block)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=64), fingerprint=st.booleans())
def test_any_read_reply_splits_or_raises_malformed(data: bytes, fingerprint: bool) -> None:
    try:
        info = split_base_info(data, fingerprint=fingerprint)
    except FrameMalformed:
        return
    assert len(info.text) + len(info.photo) + len(info.fingerprint or b"") <= len(data)
