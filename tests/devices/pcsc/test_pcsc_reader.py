"""Readers, presence, ATR, UID and insert/remove events against a real pcscd and vpcd."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from devices.pcsc.errors import NoCard
from devices.pcsc.monitor import EventKind, ReaderMonitor
from devices.pcsc.reader import PcscContext, list_readers
from devices.pcsc.sscard import open_sscard_reader
from devices.pcsc.testbed import Testbed
from devices.pcsc.virtual_card import DEFAULT_ATR, VirtualSscard

pytestmark = pytest.mark.pcscd


def test_reader_list_shows_the_virtual_reader_empty(testbed: Testbed) -> None:
    readers = {r.name: r for r in list_readers()}
    assert testbed.reader in readers
    assert readers[testbed.reader].card_present is False
    assert readers[testbed.reader].atr == b""


def test_atr_and_presence_after_insert(
    testbed: Testbed, make_card: Callable[..., VirtualSscard]
) -> None:
    atr = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")  # PC/SC storage-card form
    card = make_card(atr=atr)
    testbed.insert(card)
    status = {r.name: r for r in list_readers()}[testbed.reader]
    assert status.card_present and status.atr == atr
    with PcscContext() as context, context.connect(testbed.reader) as connection:
        assert connection.atr == atr


def test_contactless_uid(testbed: Testbed, make_card: Callable[..., VirtualSscard]) -> None:
    card = make_card(uid=bytes.fromhex("08C0FFEE"))
    testbed.insert(card)
    assert open_sscard_reader(testbed.url).uid() == bytes.fromhex("08C0FFEE")


def test_connect_without_a_card_is_no_card(testbed: Testbed) -> None:
    with PcscContext() as context, pytest.raises(NoCard) as caught:
        context.connect(testbed.reader)
    assert "0x8010000C" in caught.value.detail


def test_monitor_reports_readers_then_insert_and_remove(
    testbed: Testbed, make_card: Callable[..., VirtualSscard], events
) -> None:
    with ReaderMonitor(events, poll_s=0.1):
        events.expect(EventKind.READER_ADDED, testbed.reader)
        first = make_card()
        testbed.insert(first)
        inserted = events.expect(EventKind.CARD_INSERTED, testbed.reader)
        assert inserted.atr == DEFAULT_ATR
        testbed.remove(first)
        events.expect(EventKind.CARD_REMOVED, testbed.reader)
        second = make_card(atr=bytes.fromhex("3B8180018080"))
        testbed.insert(second)
        assert events.expect(EventKind.CARD_INSERTED).atr == bytes.fromhex("3B8180018080")
    kinds = [e.kind for e in events.seen]
    assert EventKind.SERVICE_LOST not in kinds
    assert kinds.count(EventKind.CARD_INSERTED) == 2


def test_monitor_sees_a_card_already_present(
    testbed: Testbed, make_card: Callable[..., VirtualSscard], events
) -> None:
    testbed.insert(make_card())
    with ReaderMonitor(events, poll_s=0.1):
        assert events.expect(EventKind.CARD_INSERTED, testbed.reader).atr == DEFAULT_ATR
