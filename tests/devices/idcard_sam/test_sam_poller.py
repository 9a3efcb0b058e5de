"""The polling worker: card placed / removed events, one read per card, unplug and replug."""

from __future__ import annotations

import threading
from collections.abc import Callable

from devices.idcard import errors
from devices.idcard.sam_poller import CardEvent, CardEventKind, CardPoller
from devices.idcard.sam_reader import SamReader
from devices.idcard.sam_simulator import Command
from devices.status import DeviceState, DeviceStatus
from identity.outcome import CardOutcome

Make = Callable[..., SamReader]


def kinds(recorder: object, *wanted: CardEventKind) -> list[CardEvent]:
    return [recorder.until(lambda e, k=k: e.kind is k) for k in wanted]  # type: ignore[attr-defined]


def state(recorder: object, wanted: DeviceState) -> DeviceStatus:
    return recorder.until(lambda s: s.state is wanted)  # type: ignore[attr-defined]


def test_card_placed_read_once_then_removed(sim_reader: Make, recorder: Callable) -> None:
    reader = sim_reader("card=none")
    events, states = recorder(), recorder()
    caller = threading.get_ident()
    seen_threads: set[int] = set()

    def on_event(event: CardEvent) -> None:
        seen_threads.add(threading.get_ident())
        events(event)

    poller = CardPoller(reader, on_event, states, interval=0.02).start()
    try:
        assert state(states, DeviceState.OK).reason == "idcard.ready"
        card = reader.simulator.place_card("foreign2023")
        _detected, placed = kinds(events, CardEventKind.DETECTED, CardEventKind.PLACED)
        assert placed.record is not None and placed.record.id_number == card.id_number
        assert placed.outcome is CardOutcome.OK
        # Stay a while: more polls, but no second read of the same card.
        reader.simulator.requests.clear()
        threading.Event().wait(0.3)
        assert Command.FIND_CARD in reader.simulator.requests
        assert Command.READ_BASE not in reader.simulator.requests
        reader.simulator.remove_card()
        (removed,) = kinds(events, CardEventKind.REMOVED)
        assert removed.record is None
        assert events.items.empty()
    finally:
        poller.stop()
    assert seen_threads and caller not in seen_threads


def test_expired_card_is_placed_with_the_expired_outcome(
    sim_reader: Make, recorder: Callable
) -> None:
    reader = sim_reader("card=resident&expired=1")
    events = recorder()
    poller = CardPoller(reader, events, interval=0.02).start()
    try:
        (placed,) = kinds(events, CardEventKind.PLACED)
        assert placed.outcome is CardOutcome.EXPIRED
        assert placed.record.expired()
    finally:
        poller.stop()


def test_a_card_read_that_keeps_failing_is_reported_once(
    sim_reader: Make, recorder: Callable
) -> None:
    reader = sim_reader("card=resident&fault=status&code=41")
    events = recorder()
    poller = CardPoller(reader, events, interval=0.02, read_attempts=3).start()
    try:
        (failed,) = kinds(events, CardEventKind.READ_FAILED)
        assert isinstance(failed.error, errors.CardReadFailed)
        assert reader.simulator.requests.count(Command.READ_BASE) == 3
        reader.simulator.set_fault()
        reader.simulator.remove_card()
        kinds(events, CardEventKind.REMOVED)
        reader.simulator.place_card("resident")
        (placed,) = kinds(events, CardEventKind.PLACED)
        assert placed.record is not None
    finally:
        poller.stop()


def test_a_card_moved_mid_read_is_read_on_the_retry(sim_reader: Make, recorder: Callable) -> None:
    reader = sim_reader("card=hmt&fault=status&code=41&count=1")
    events = recorder()
    poller = CardPoller(reader, events, interval=0.02).start()
    try:
        (placed,) = kinds(events, CardEventKind.PLACED)
        assert placed.record.id_number == reader.simulator.card.id_number
    finally:
        poller.stop()


def test_unplug_and_replug(sim_reader: Make, recorder: Callable) -> None:
    reader = sim_reader("card=resident")
    events, states = recorder(), recorder()
    poller = CardPoller(reader, events, states, interval=0.02, backoff=(0.02, 0.1)).start()
    try:
        kinds(events, CardEventKind.PLACED)
        reader.simulator.unplug()
        kinds(events, CardEventKind.REMOVED)
        absent = state(states, DeviceState.ABSENT)
        assert absent.reason == "idcard.absent"
        assert poller.status.state is DeviceState.ABSENT
        reader.simulator.replug()
        state(states, DeviceState.OK)
        (placed,) = kinds(events, CardEventKind.PLACED)  # the card is still there: read afresh
        assert placed.record is not None
    finally:
        poller.stop()


def test_unplug_in_the_middle_of_a_read(sim_reader: Make, recorder: Callable) -> None:
    reader = sim_reader("card=resident&fault=unplug&count=1")
    events, states = recorder(), recorder()
    poller = CardPoller(reader, events, states, interval=0.02, backoff=(0.02, 0.1)).start()
    try:
        state(states, DeviceState.ABSENT)
        reader.simulator.replug()
        (placed,) = kinds(events, CardEventKind.PLACED)
        assert placed.record is not None
    finally:
        poller.stop()


def test_starting_with_the_reader_absent_connects_when_it_appears(
    sim_reader: Make, recorder: Callable
) -> None:
    reader = sim_reader("card=resident")
    reader.simulator.unplug()
    reader.disconnect()
    events, states = recorder(), recorder()
    poller = CardPoller(reader, events, states, interval=0.02, backoff=(0.02, 0.1)).start()
    try:
        state(states, DeviceState.ABSENT)
        reader.simulator.replug()
        state(states, DeviceState.OK)
        kinds(events, CardEventKind.PLACED)
    finally:
        poller.stop()


def test_bad_frames_degrade_then_recover(sim_reader: Make, recorder: Callable) -> None:
    reader = sim_reader("card=none&fault=checksum&on=find&count=2")
    states = recorder()
    poller = CardPoller(reader, lambda e: None, states, interval=0.02).start()
    try:
        assert state(states, DeviceState.DEGRADED).reason == "idcard.frame.checksum"
        state(states, DeviceState.OK)
    finally:
        poller.stop()


def test_sam_fault_is_a_fault_state_until_it_clears(sim_reader: Make, recorder: Callable) -> None:
    reader = sim_reader("card=none")
    states = recorder()
    poller = CardPoller(reader, lambda e: None, states, interval=0.02, backoff=(0.02, 0.1)).start()
    try:
        state(states, DeviceState.OK)
        reader.simulator.set_fault("status", code=0x60)
        assert state(states, DeviceState.FAULT).reason == "idcard.sw3.60"
        reader.simulator.set_fault()
        state(states, DeviceState.OK)
    finally:
        poller.stop()


def test_a_failing_callback_does_not_stop_the_worker(sim_reader: Make, recorder: Callable) -> None:
    reader = sim_reader("card=resident")
    events = recorder()

    def explode(event: CardEvent) -> None:
        events(event)
        raise RuntimeError("UI bug")

    poller = CardPoller(reader, explode, interval=0.02).start()
    try:
        kinds(events, CardEventKind.PLACED)
        reader.simulator.remove_card()
        kinds(events, CardEventKind.REMOVED)
        assert poller.running
    finally:
        poller.stop()
    assert not poller.running
