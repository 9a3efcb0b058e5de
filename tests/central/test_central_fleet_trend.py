"""The queue's trend from heartbeats (SQLite and PostgreSQL, both of the heartbeat's paths): kept
per kiosk, drawn on the Fleet page, alerting "queue growing" when it has not gone down for the
last heartbeats (not only at depth 10), and no stale queue shown for a revoked kiosk."""

from __future__ import annotations

import json
import re

import pytest
import requests
from central_helpers import SignedKiosk, bearer, enrol

from central import alerts, queuetrend
from central.cli import main
from central.embedded import EmbeddedCentral
from central.models import Kiosk


def _beat(kiosk: SignedKiosk, depth: int, acked: list[str] | None = None) -> None:
    reply = kiosk.heartbeat(acked, queue_depth=depth)
    assert reply.status_code == 200, reply.text


def _trend(central: EmbeddedCentral, kiosk_id: str) -> list[int]:
    with central.state.sessions() as db:
        return list(db.get(Kiosk, kiosk_id).queue_trend)  # type: ignore[union-attr]


def _queue_alert(central: EmbeddedCentral, kiosk_id: str) -> str | None:
    with central.state.sessions() as db:
        found = [a for a in alerts.evaluate(db, 30) if a.kind == "queue" and a.kiosk_id == kiosk_id]
        return found[0].detail if found else None


@pytest.mark.parametrize(
    ("trend", "growing"),
    [
        ([0, 1, 1, 2, 3], True),  # rising, never drained
        ([2, 2, 2, 2, 2], True),  # stuck above 0: nothing gets through
        ([0, 0, 0, 0, 1], False),  # one application caught in flight by a beat
        ([0, 3, 1, 2, 3], False),  # it drained in between
        ([5, 6, 7, 8], False),  # too few beats to say
        ([0, 0, 0, 0, 0, 0], False),
    ],
)
def test_what_counts_as_growing(trend: list[int], growing: bool) -> None:
    assert queuetrend.growing(trend) is growing


def test_the_trend_is_kept_and_a_growing_queue_alerts_before_depth_10(
    central: EmbeddedCentral, kiosk: SignedKiosk, admin_token: str
) -> None:
    command = requests.post(f"{central.url}/api/v1/kiosks/{kiosk.kiosk_id}/commands",
                            json={"kind": "reload_catalog"}, headers=bearer(admin_token), timeout=10)
    for depth in (0, 0, 1, 2):
        _beat(kiosk, depth)
    _beat(kiosk, 2, acked=[command.json()["id"]])  # an ack takes the heartbeat's other path
    assert _queue_alert(central, kiosk.kiosk_id) is None  # 1 → 2 → 2: not yet 4 beats
    _beat(kiosk, 3)
    assert _trend(central, kiosk.kiosk_id) == [0, 0, 1, 2, 2, 3]
    assert _queue_alert(central, kiosk.kiosk_id) == "0→1→2→2→3"
    _beat(kiosk, 4)
    assert _queue_alert(central, kiosk.kiosk_id) == "1→2→2→3→4"  # the open alert follows it

    fleet = requests.get(central.url + "/api/v1/kiosks", headers=bearer(admin_token), timeout=10)
    mine = next(k for k in fleet.json() if k["kiosk_id"] == kiosk.kiosk_id)
    assert (mine["queue_trend"], mine["queue_growing"]) == ([0, 0, 1, 2, 2, 3, 4], True)

    _beat(kiosk, 0)  # delivered: the alert clears
    assert _queue_alert(central, kiosk.kiosk_id) is None
    for depth in range(20):
        _beat(kiosk, depth % 3)
    assert _trend(central, kiosk.kiosk_id) == [d % 3 for d in range(20)][-queuetrend.TREND_BEATS:]
    _beat(kiosk, 12)  # deep is an alert however it got there
    assert _queue_alert(central, kiosk.kiosk_id) == "12"


def test_the_fleet_page_draws_the_trend_and_shows_no_stale_queue_for_a_revoked_kiosk(
    central: EmbeddedCentral, admin_token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    growing, revoked = enrol(central), enrol(central)
    for depth in (0, 1, 2, 3, 3, 5):
        _beat(growing, depth)
    _beat(revoked, 7)
    requests.post(f"{central.url}/api/v1/kiosks/{revoked.kiosk_id}/revoke",
                  headers=bearer(admin_token), timeout=10).raise_for_status()
    web = requests.Session()
    web.post(central.url + "/console/login", data={"token": admin_token}, timeout=10)
    page = web.get(central.url + "/console/fleet", timeout=10).text

    def cell(kiosk_id: str) -> str:
        table = page.split("<tbody>", 1)[1]  # the alerts above link the kiosks too
        row = re.search(rf'<a href="/console/kiosks/{kiosk_id}">.*?</tr>', table, re.S)
        assert row is not None
        found = re.search(r'<td class="queue" data-trend="([^"]*)">(.*?)</td>', row.group(0), re.S)
        assert found is not None
        return found.group(1) + "|" + found.group(2)

    shown = cell(growing.kiosk_id)
    assert shown.startswith("0,1,2,3,3,5|<strong>5</strong>")
    assert 'class="spark growing"' in shown and "队列增长" in shown
    stale = cell(revoked.kiosk_id)
    assert "不再上报（已停用）" in stale and ">7<" not in stale and "<svg" not in stale
    detail = web.get(f"{central.url}/console/kiosks/{revoked.kiosk_id}", timeout=10).text
    assert "待发送 不再上报（已停用；停用前最后报 7）" in detail
    alerts_box = page.split("</section>")[0]
    assert "待发送队列积压" in alerts_box and "1→2→3→3→5" in alerts_box

    server = ["--server", central.url, "--token", admin_token]
    assert main(["kiosks", *server]) == 0
    table = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert "5 growing" in table[growing.kiosk_id]
    assert re.search(r"\s-\s+\S+\s+revoked$", table[revoked.kiosk_id]), table[revoked.kiosk_id]
    assert main(["kiosks", "--json", *server]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert next(k for k in listed if k["kiosk_id"] == revoked.kiosk_id)["queue_growing"] is False
