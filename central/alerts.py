"""Fleet alerts: a kiosk offline (3 missed heartbeats), printer out of paper, queue growing
(over its last heartbeats, or deep; see :mod:`central.queuetrend`), help called. Each alert is a row keyed by what it is about, so every worker process sees the
same set and a webhook hears of each alert once (the row is claimed before posting).
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from central import queuetrend
from central.models import Kiosk
from central.models_applications import Alert
from wire.models import utc_now

log = logging.getLogger("central.alerts")

MISSED_HEARTBEATS = 3
ALERT_KINDS = {
    "offline": ("离线", "Offline"),
    "paper": ("打印机缺纸", "Printer out of paper"),
    "queue": ("待发送队列积压", "Queue growing"),
    "help": ("呼叫工作人员", "Help called"),
}


def is_offline(kiosk: Kiosk, heartbeat_seconds: int, now: datetime) -> bool:
    if kiosk.revoked_at is not None:
        return False
    if kiosk.last_heartbeat is None:
        return True
    return now - kiosk.last_heartbeat > timedelta(seconds=MISSED_HEARTBEATS * heartbeat_seconds)


def _paper_problem(kiosk: Kiosk) -> str:
    printer = (kiosk.devices or {}).get("printer") or {}
    reason = str(printer.get("reason", ""))
    if "paper" in reason and printer.get("state") in ("fault", "degraded"):
        return reason
    return ""


def raise_alert(db: Session, kind: str, kiosk_id: str, detail: str, suffix: str = "") -> None:
    key = f"{kind}:{kiosk_id}:{suffix}"[:160]
    if db.get(Alert, key) is None:
        db.add(Alert(key=key, kind=kind, kiosk_id=kiosk_id, detail=detail[:255], raised_at=utc_now()))


def evaluate(db: Session, heartbeat_seconds: int) -> list[Alert]:
    """Raise what is wrong now, clear what is fixed; the open alerts, newest first."""
    now = utc_now()
    current: dict[str, tuple[str, str, str]] = {}
    for kiosk in db.scalars(select(Kiosk).where(Kiosk.revoked_at.is_(None))):
        if is_offline(kiosk, heartbeat_seconds, now):
            current[f"offline:{kiosk.id}:"] = ("offline", kiosk.id, "")
        paper = _paper_problem(kiosk)
        if paper:
            current[f"paper:{kiosk.id}:"] = ("paper", kiosk.id, paper)
        queue = queuetrend.problem(kiosk.queue_trend or [], kiosk.queue_depth)
        if queue:
            current[f"queue:{kiosk.id}:"] = ("queue", kiosk.id, queue)
    open_rows = {a.key: a for a in db.scalars(select(Alert).where(Alert.cleared_at.is_(None)))}
    for key, (kind, kiosk_id, detail) in current.items():
        if key in open_rows and open_rows[key].detail != detail[:255]:
            open_rows[key].detail = detail[:255]  # a queue still growing: its latest depths
        if key not in open_rows:
            stale = db.get(Alert, key)
            if stale is not None:
                db.delete(stale)
                db.flush()
            db.add(Alert(key=key, kind=kind, kiosk_id=kiosk_id, detail=detail, raised_at=now))
    for key, row in open_rows.items():
        if row.kind != "help" and key not in current:
            row.cleared_at = now
    db.commit()
    return list(
        db.scalars(
            select(Alert).where(Alert.cleared_at.is_(None)).order_by(Alert.raised_at.desc())
        )
    )


def notify(sessions: sessionmaker, url: str, timeout: float = 5.0) -> int:
    """POST each alert not yet notified to ``url`` as JSON; returns how many were sent."""
    sent = 0
    with sessions() as db:
        keys = db.scalars(
            select(Alert.key).where(Alert.notified_at.is_(None), Alert.cleared_at.is_(None))
        ).all()
        for key in keys:
            claimed = db.execute(
                update(Alert)
                .where(Alert.key == key, Alert.notified_at.is_(None))
                .values(notified_at=utc_now())
            )
            db.commit()
            if claimed.rowcount != 1:
                continue  # another worker has it
            alert = db.get(Alert, key)
            assert alert is not None
            body: dict[str, Any] = {
                "kind": alert.kind,
                "label_zh": ALERT_KINDS[alert.kind][0],
                "label_en": ALERT_KINDS[alert.kind][1],
                "kiosk_id": alert.kiosk_id,
                "detail": alert.detail,
                "raised_at": alert.raised_at.isoformat(),
            }
            request = urllib.request.Request(
                url,
                data=json.dumps(body, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=timeout):
                    sent += 1
            except OSError as error:
                log.warning("alert webhook failed: %s", type(error).__name__)
                db.execute(update(Alert).where(Alert.key == key).values(notified_at=None))
                db.commit()
                break
    return sent


class AlertWatcher:
    """Evaluates the fleet and posts to the webhook every ``every`` seconds, in a thread."""

    def __init__(self, sessions: sessionmaker, heartbeat_seconds: int, url: str, every: float) -> None:
        self.sessions, self.heartbeat_seconds, self.url, self.every = (
            sessions, heartbeat_seconds, url, every,
        )
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alert-watcher", daemon=True)

    def start(self) -> AlertWatcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                with self.sessions() as db:
                    evaluate(db, self.heartbeat_seconds)
                notify(self.sessions, self.url)
            except Exception:
                log.exception("alert check failed")
