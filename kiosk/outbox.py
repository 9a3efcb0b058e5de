"""The durable outbox: everything that must reach the centre, kept in SQLite until acknowledged.

One queue holds submissions (with their material images), device events and log batches. Each
record gets one id (uuid4 hex) at enqueue, sent as ``Idempotency-Key`` on every try and never
regenerated, so a kiosk killed between "server stored it" and "row deleted" resends the same
key and the server stores it once. Payloads are sealed at rest (:mod:`kiosk.crypto`); enqueue
commits with ``synchronous=FULL`` before returning, so a power cut after it loses nothing.

Delivery (:meth:`Outbox.drain`) sends consecutive JSON records several to one signed
``POST /batch`` (each keeps its id as its key and gets its own answer; a batch the centre
refuses as a whole is sent again one record at a time, logs always go alone), deletes what a
batch delivered in one transaction, and follows each record's reply:

* 2xx: the row is deleted.
* network error, 5xx, replay: the whole link backs off (exponential with jitter, capped) and a
  5xx also pushes that record back, so one poisoned record cannot block the rest.
* 401/403: the queue stops and an alarm is raised (shown by the UI and the heartbeat) instead
  of hammering the server; a later successful signed heartbeat clears it.
* any other 4xx: the record is parked as ``rejected``, kept and reported, never dropped.

The same database remembers which heartbeat commands ran (see :mod:`kiosk.heartbeat`).

A full disk must not stop delivery: deleting a delivered row needs room in the WAL. Beside the
database sits ``outbox.reserve``, a few megabytes held back; when a delete hits a full disk the
reserve is given up and the WAL checkpointed and truncated, and the delete is tried again. The
WAL is truncated after every pass that delivered, so it never keeps the disk for itself.
Stored retry times are wall-clock times: one that sits further in the future than the backoff
policy allows (the clock was stepped back) is brought back to what the policy allows.
"""

from __future__ import annotations

import base64
import errno
import json
import logging
import os
import random
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pydantic

from kiosk.central_client import BatchOutcome, CentralAuthFailed, Reply
from kiosk.crypto import DecryptionError, Sealer
from kiosk.errors import CentralError
from wire import models
from wire.errors import ExitCode, KioskError
from wire.models import MAX_BATCH_BYTES, MAX_BATCH_RECORDS

log = logging.getLogger("kiosk.outbox")

OUTBOX_NAME = "outbox.sqlite3"
RESERVE_SUFFIX = ".reserve"
RESERVE_BYTES = 4 * 1024 * 1024
WAL_LIMIT_BYTES = 1024 * 1024
ROOM_SLACK_BYTES = 64 * 1024
_PAGE = 4096
SUBMISSION, EVENTS, LOGS = "submission", "events", "logs"
SUPPLEMENT, RATING, HELP_CALL = "supplement", "rating", "help_call"
ENDPOINTS = {
    SUBMISSION: "/submissions",
    EVENTS: "/events",
    LOGS: "/logs",
    SUPPLEMENT: "/supplements",
    RATING: "/ratings",
    HELP_CALL: "/help-calls",
}
PENDING, REJECTED = "pending", "rejected"
# Kinds whose body is one JSON object: several go in one signed POST /batch (wire.models).
BATCHABLE = frozenset({SUBMISSION, EVENTS, SUPPLEMENT, RATING, HELP_CALL})
BATCH_RETRY_SECONDS = 3600.0  # a centre without /batch is asked again after this

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    query TEXT NOT NULL DEFAULT '{}',
    content_type TEXT NOT NULL,
    content_encoding TEXT NOT NULL DEFAULT '',
    payload BLOB NOT NULL,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS records_due ON records (state, next_attempt_at, created_at);
CREATE TABLE IF NOT EXISTS commands (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    claimed_at REAL NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    acked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class OutboxError(KioskError):
    """The outbox database cannot be used (corrupt, unreadable, locked for too long)."""

    key = "outbox.error"
    exit_code = ExitCode.OUTBOX


class OutboxFull(OutboxError):
    """The disk (or the database's size limit) is full: the record was NOT stored."""

    key = "outbox.full"


class InvalidRecord(OutboxError):
    """What the app asked to queue does not match the central API's schema."""

    key = "outbox.invalid_record"


class Deliverer(Protocol):
    def deliver(
        self,
        path: str,
        body: bytes,
        idempotency_key: str,
        *,
        content_type: str = ...,
        content_encoding: str = ...,
        query: dict[str, str] | None = ...,
    ) -> Reply: ...


class BatchDeliverer(Deliverer, Protocol):
    def deliver_batch(self, records: Sequence[tuple[str, str, bytes]]) -> list[BatchOutcome]: ...


@dataclass(frozen=True)
class Material:
    """One scanned or photographed material attached to a submission."""

    name: str
    data: bytes
    content_type: str = "image/jpeg"


@dataclass(frozen=True)
class Backoff:
    """Delay before try ``n`` (1-based): ``base * factor**(n-1)``, capped, minus up to ``jitter``."""

    base: float = 15.0
    factor: float = 2.0
    cap: float = 3600.0
    jitter: float = 0.5

    def delay(self, failures: int, rng: random.Random) -> float:
        exponent = min(max(failures - 1, 0), 60)
        raw = min(self.cap, self.base * self.factor**exponent)
        return raw * (1.0 - self.jitter * rng.random())

    def longest(self, failures: int) -> float:
        """The longest delay the policy gives after ``failures`` failures (0 after none)."""
        if failures <= 0:
            return 0.0
        return min(self.cap, self.base * self.factor ** min(failures - 1, 60))


@dataclass(frozen=True)
class RecordInfo:
    id: str
    kind: str
    state: str
    attempts: int
    created_at: float
    next_attempt_at: float
    last_error: str


@dataclass
class DrainReport:
    sent: int = 0
    rejected: int = 0
    failed: int = 0
    stopped: str = ""  # why the pass ended early: an error key, "backoff" or "alarm"
    errors: list[str] = field(default_factory=list)


def _is_full(error: BaseException) -> bool:
    if isinstance(error, sqlite3.OperationalError):
        code = getattr(error, "sqlite_errorcode", None)
        return code == sqlite3.SQLITE_FULL or "full" in str(error).lower()
    return isinstance(error, OSError) and error.errno == errno.ENOSPC


class Outbox:
    """The queue in ``<state>/outbox.sqlite3``; safe to share between the UI and the worker."""

    def __init__(
        self,
        path: Path,
        secret: bytes,
        *,
        clock: Callable[[], float] = time.time,
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
        reserve_bytes: int = RESERVE_BYTES,
        batch_records: int = MAX_BATCH_RECORDS,
    ) -> None:
        self.path = Path(path)
        self.batch_records = max(1, min(batch_records, MAX_BATCH_RECORDS))
        self.reserve_path = self.path.with_name(self.path.name + RESERVE_SUFFIX)
        self.reserve_bytes = reserve_bytes
        self._sealer = Sealer(secret)
        self._clock = clock
        self.backoff = backoff or Backoff()
        self._rng = rng or random.Random()
        self._lock = threading.RLock()
        self._batch_refused_at: float | None = None  # monotonic: when the centre had no /batch
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False, timeout=10.0
            )
            # Deleted rows give their room back to the disk (new databases; see _after_pass).
            self._db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit in WAL mode survives a power cut, not only a process crash.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(f"PRAGMA journal_size_limit={WAL_LIMIT_BYTES}")
            # The WAL restarts well before it could outgrow the reserve.
            self._db.execute(f"PRAGMA wal_autocheckpoint={max(16, reserve_bytes // 4 // _PAGE)}")
            self._db.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as error:
            if _is_full(error):
                raise OutboxFull(f"{self.path}: {error}") from error
            raise OutboxError(f"{self.path}: {error}") from error
        self.keep_reserve()

    # The disk plan: room held back so that delivery can always delete.

    def keep_reserve(self) -> bool:
        """Make sure the reserve file exists at full size; False when the disk has no room."""
        try:
            if self.reserve_path.exists() and self.reserve_path.stat().st_size >= self.reserve_bytes:
                return True
            fd = os.open(self.reserve_path, os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                os.posix_fallocate(fd, 0, self.reserve_bytes)
                os.fsync(fd)
            finally:
                os.close(fd)
            return True
        except OSError:
            # Half a reserve would only pretend; the next pass tries again.
            self.reserve_path.unlink(missing_ok=True)
            return False

    def release_reserve(self) -> None:
        """Give the reserve back to the disk and shrink the WAL (a delete hit a full disk)."""
        self.reserve_path.unlink(missing_ok=True)
        self.checkpoint()

    def room(self) -> int:
        """Free bytes on the outbox's disk."""
        try:
            return shutil.disk_usage(self.path.parent).free
        except OSError:
            return 0

    def _check_room(self, size: int) -> None:
        # A record is written twice (WAL, then database) before the WAL is truncated.
        needed = 2 * size + ROOM_SLACK_BYTES
        if self.room() < needed:
            raise OutboxFull(f"{self.path}: {needed} bytes needed, {self.room()} free")

    def _give_back_free_pages(self) -> None:
        """Return deleted rows' pages to the disk: all at once when the disk has room for
        their WAL copy, else a few at a time (a full disk has little WAL room). Each step
        ends with a checkpoint, an fsync: one step, not one per 64 pages, when there is room."""
        with self._lock:
            try:
                while free := self._db.execute("PRAGMA freelist_count").fetchone()[0]:
                    step = free if self.room() > 4 * free * _PAGE + self.reserve_bytes else 64
                    # executescript steps the pragma to its end; execute() would free one page.
                    self._db.executescript(f"PRAGMA incremental_vacuum({step});")
                    self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except sqlite3.Error as error:
                log.warning("outbox vacuum failed", extra={"event": "outbox.vacuum_failed", "error": str(error)})

    def checkpoint(self) -> None:
        """Write the WAL into the database and truncate it, so it holds no disk space."""
        with self._lock:
            try:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except sqlite3.Error as error:
                log.warning("outbox checkpoint failed", extra={"event": "outbox.checkpoint_failed",
                                                               "error": str(error)})

    @classmethod
    def in_state_dir(cls, folder: Path, secret: bytes, **kwargs: Any) -> Outbox:
        return cls(folder / OUTBOX_NAME, secret, **kwargs)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except (sqlite3.Error, OSError) as error:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                if _is_full(error):
                    raise OutboxFull(f"{self.path}: {error}") from error
                raise OutboxError(f"{self.path}: {error}") from error

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as error:
                raise OutboxError(f"{self.path}: {error}") from error

    # Enqueue: durable on return.

    def _enqueue(
        self,
        kind: str,
        body: bytes,
        *,
        record_id: str | None = None,
        content_type: str = "application/json",
        content_encoding: str = "",
        query: dict[str, str] | None = None,
    ) -> str:
        record_id = record_id or uuid.uuid4().hex
        sealed = self._sealer.seal(body, record_id.encode())
        now = self._clock()
        self._check_room(len(sealed))
        with self._transaction() as db:
            db.execute(
                "INSERT INTO records (id, kind, query, content_type, content_encoding, payload,"
                " created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (record_id, kind, json.dumps(query or {}), content_type, content_encoding,
                 sealed, now, now),
            )
        self.checkpoint()  # into the database now, so the WAL never holds the disk
        return record_id

    def enqueue_submission(
        self,
        reference: str,
        scenario: str,
        document: dict[str, Any],
        materials: Sequence[Material] = (),
    ) -> str:
        """Queue one application; returns its id (also its Idempotency-Key)."""
        record_id = uuid.uuid4().hex
        body = {
            "id": record_id,
            "reference": reference,
            "scenario": scenario,
            "document": document,
            "materials": [_material(m) for m in materials],
        }
        _check(models.SubmissionRequest, body)
        return self._enqueue(SUBMISSION, _json(body), record_id=record_id)

    def enqueue_supplement(self, reference: str, materials: Sequence[Material], request_id: str = "") -> str:
        """Queue 补正 materials for the application ``reference``; returns the record id."""
        record_id = uuid.uuid4().hex
        body = {
            "id": record_id,
            "reference": reference,
            "request_id": request_id,
            "materials": [_material(m) for m in materials],
        }
        _check(models.SupplementRequest, body)
        return self._enqueue(SUPPLEMENT, _json(body), record_id=record_id)

    def enqueue_rating(
        self, reference: str, scenario: str, level: int, reasons: Sequence[str] = (), comment: str = ""
    ) -> str:
        """Queue one 好差评 for the application ``reference``."""
        record_id = uuid.uuid4().hex
        body = {
            "id": record_id,
            "reference": reference,
            "scenario": scenario,
            "level": level,
            "reasons": list(reasons),
            "comment": comment,
            "rated_at": _iso(self._clock()),
        }
        _check(models.RatingRequest, body)
        return self._enqueue(RATING, _json(body), record_id=record_id)

    def enqueue_help_call(self, screen: str, scenario: str = "", step: str = "") -> str:
        """Queue a 呼叫工作人员 (which screen and step only)."""
        record_id = uuid.uuid4().hex
        body = {
            "id": record_id,
            "screen": screen,
            "scenario": scenario,
            "step": step,
            "called_at": _iso(self._clock()),
        }
        _check(models.HelpCallRequest, body)
        return self._enqueue(HELP_CALL, _json(body), record_id=record_id)

    def enqueue_events(self, events: Sequence[dict[str, Any]]) -> str:
        """Queue device events (``at``, ``kind``, ``device``, ``state``, ``reason`` each)."""
        record_id = uuid.uuid4().hex
        body = {"id": record_id, "events": list(events)}
        _check(models.EventsRequest, body)
        return self._enqueue(EVENTS, _json(body), record_id=record_id)

    def enqueue_logs(self, gzipped_ndjson: bytes, since: str, until: str, command_id: str = "") -> str:
        """Queue a gzip of JSON log lines covering ``since``..``until`` (ISO 8601)."""
        query = {"since": since, "until": until}
        if command_id:
            query["command_id"] = command_id
        return self._enqueue(
            LOGS,
            gzipped_ndjson,
            content_type="application/x-ndjson",
            content_encoding="gzip",
            query=query,
        )

    def carry_to(self, secret: bytes) -> int:
        """Re-seal every record under a new kiosk key (a re-enrolment); returns how many.

        One transaction: either all records open with the new key or none changed. The old
        identity's credentials alarm and refusal go with it, so the queue drains again.
        """
        sealer = Sealer(secret)
        with self._transaction() as db:
            carried = 0
            for record_id, sealed in db.execute("SELECT id, payload FROM records").fetchall():
                try:
                    body = self._sealer.open(sealed, record_id.encode())
                except DecryptionError:
                    continue  # already unreadable: parked at the next drain, as before
                carried += 1
                db.execute("UPDATE records SET payload = ?, next_attempt_at = ? WHERE id = ?",
                           (sealer.seal(body, record_id.encode()), self._clock(), record_id))
            for key in ("alarm", "alarm_detail", "setting.identity_refused", "link_failures", "link_next_at"):
                db.execute("DELETE FROM meta WHERE key = ?", (key,))
        self._sealer = sealer
        log.info("outbox carried to a new key", extra={"event": "outbox.carried", "records": carried})
        return carried

    # Inspection.

    def depth(self) -> int:
        """Records still to be delivered (parked ones are not counted)."""
        return int(self._query("SELECT count(*) FROM records WHERE state = ?", (PENDING,))[0][0])

    def records(self, state: str | None = None) -> list[RecordInfo]:
        sql = "SELECT id, kind, state, attempts, created_at, next_attempt_at, last_error FROM records"
        rows = self._query(sql + " WHERE state = ? ORDER BY created_at", (state,)) if state else (
            self._query(sql + " ORDER BY created_at")
        )
        return [RecordInfo(*row) for row in rows]

    def rejected(self) -> list[RecordInfo]:
        return self.records(REJECTED)

    def payload(self, record_id: str) -> bytes:
        """The plaintext body of a record (for diagnostics and tests)."""
        rows = self._query("SELECT payload FROM records WHERE id = ?", (record_id,))
        if not rows:
            raise KeyError(record_id)
        return self._sealer.open(rows[0][0], record_id.encode())

    # Meta: the auth alarm and the link's backoff survive restarts.

    def _meta(self, key: str, default: str = "") -> str:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    def _set_meta(self, db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def setting(self, key: str, default: str = "") -> str:
        """A small durable value the reporting side keeps (e.g. the out-of-service flag)."""
        return self._meta("setting." + key, default)

    def set_setting(self, key: str, value: str) -> None:
        with self._transaction() as db:
            self._set_meta(db, "setting." + key, value)

    def alarm(self) -> str:
        """The error key that stopped the queue (e.g. ``central.auth_failed``), or ``""``."""
        return self._meta("alarm")

    def alarm_detail(self) -> str:
        return self._meta("alarm_detail")

    def set_alarm(self, key: str, detail: str = "") -> None:
        with self._transaction() as db:
            self._set_meta(db, "alarm", key)
            self._set_meta(db, "alarm_detail", detail)

    def clear_alarm(self) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM meta WHERE key IN ('alarm', 'alarm_detail')")

    def link_retry_at(self) -> float:
        """When the link may be tried again, never later than the policy allows from now."""
        stored = float(self._meta("link_next_at", "0"))
        return min(stored, self._clock() + self.backoff.longest(self.link_failures()))

    def reset_backoff(self) -> None:
        """The centre answered (e.g. a heartbeat): the link is up, stop waiting."""
        if self.link_failures() or float(self._meta("link_next_at", "0")):
            with self._transaction() as db:
                self._set_meta(db, "link_failures", "0")
                self._set_meta(db, "link_next_at", "0")

    def _clamp_retry_times(self, now: float) -> None:
        """Bring retry times that sit beyond the policy (a clock stepped back) back to it."""
        rows = self._query(
            "SELECT id, attempts, next_attempt_at FROM records WHERE state = ? AND next_attempt_at > ?",
            (PENDING, now),
        )
        late = [(now + self.backoff.longest(attempts), record_id)
                for record_id, attempts, due in rows if due > now + self.backoff.longest(attempts)]
        if late:
            with self._transaction() as db:
                db.executemany("UPDATE records SET next_attempt_at = ? WHERE id = ?", late)
            log.warning("retry times beyond the backoff policy brought back (clock stepped back?)",
                        extra={"event": "outbox.retry_clamped", "records": len(late)})

    def link_failures(self) -> int:
        return int(self._meta("link_failures", "0"))

    # Delivery.

    def _due(self, now: float, limit: int) -> list[tuple[Any, ...]]:
        return self._query(
            "SELECT id, kind, query, content_type, content_encoding, payload, attempts FROM records"
            " WHERE state = ? AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?",
            (PENDING, now, limit),
        )

    def _acknowledged(self, *record_ids: str) -> None:
        """Delete delivered records, all in one transaction (one fsync for a batch). On a
        full disk the reserve is given up; if a batch's delete still finds no room, the
        records go one at a time, the WAL truncated after each."""
        try:
            self._delete_delivered(record_ids)
            return
        except OutboxFull:
            log.warning("disk full while deleting a delivered record; reserve released",
                        extra={"event": "outbox.reserve_released"})
            self.release_reserve()
        try:
            self._delete_delivered(record_ids)
        except OutboxFull:
            if len(record_ids) == 1:
                raise
            for record_id in record_ids:
                self._delete_delivered((record_id,))
                self.checkpoint()

    def _delete_delivered(self, record_ids: Sequence[str]) -> None:
        with self._transaction() as db:
            db.executemany("DELETE FROM records WHERE id = ?", [(i,) for i in record_ids])
            self._set_meta(db, "link_failures", "0")
            self._set_meta(db, "link_next_at", "0")

    def _failed(self, record_id: str, attempts: int, error: KioskError, *, push_record: bool) -> float:
        now = self._clock()
        failures = self.link_failures() + 1
        link_next = now + self.backoff.delay(failures, self._rng)
        with self._transaction() as db:
            self._set_meta(db, "link_failures", str(failures))
            self._set_meta(db, "link_next_at", repr(link_next))
            record_next = now + self.backoff.delay(attempts + 1, self._rng) if push_record else now
            db.execute(
                "UPDATE records SET attempts = attempts + 1, last_error = ?,"
                " next_attempt_at = max(next_attempt_at, ?) WHERE id = ?",
                (str(error)[:500], record_next, record_id),
            )
        return link_next

    def _park(self, record_id: str, kind: str, error: KioskError) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE records SET state = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
                (REJECTED, str(error)[:500], record_id),
            )
        log.error(
            "outbox record rejected",
            extra={"event": "outbox.rejected", "record": record_id, "kind": kind, "error": str(error)},
        )
        if kind != EVENTS:  # a refused event report must not breed another one
            self.enqueue_events([{
                "at": _iso(self._clock()),
                "kind": "outbox.rejected",
                "device": "outbox",
                "state": REJECTED,
                "reason": f"{kind}:{record_id}:{error.key}:{error.params.get('status', '')}",
            }])

    def drain(
        self,
        client: Deliverer,
        *,
        max_records: int | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> DrainReport:
        """Send due records in order until the queue is empty, backs off, or is stopped.

        Consecutive JSON records go several to a signed POST /batch when the client can
        (each keeps its own id as its idempotency key, and each is answered on its own);
        logs, and every record of a batch the centre refused as a whole, go one by one.
        """
        report = DrainReport()
        self._clamp_retry_times(self._clock())
        singles = 0  # records to send one by one before batching again
        while not should_stop() and (max_records is None or report.sent < max_records):
            if self.alarm():
                report.stopped = "alarm"
                break
            now = self._clock()
            if self.link_retry_at() > now:
                report.stopped = "backoff"
                break
            room = self.batch_records if max_records is None else max_records - report.sent
            batching = singles == 0 and self._may_batch(client)
            rows = self._due(now, min(room, self.batch_records) if batching else 1)
            if not rows:
                break
            group = self._batch_of(rows, report) if batching else []
            if len(group) >= 2:
                outcome = self._deliver_batch(client, group, report)  # type: ignore[arg-type]
                if outcome == "stop":
                    break
                singles = len(group) if outcome == "singles" else 0
                continue
            if group:
                rows = [group[0][0]]
            elif batching and rows[0][1] in BATCHABLE:
                continue  # the first due record could not be opened and was parked
            singles = max(singles - 1, 0)
            if not self._deliver_one(client, rows[0], report):
                break
        self._after_pass(report)
        return report

    def _may_batch(self, client: Deliverer) -> bool:
        if not hasattr(client, "deliver_batch"):
            return False
        refused = self._batch_refused_at
        return refused is None or time.monotonic() - refused > BATCH_RETRY_SECONDS

    def _batch_of(
        self, rows: list[tuple[Any, ...]], report: DrainReport
    ) -> list[tuple[tuple[Any, ...], bytes]]:
        """The leading JSON records of ``rows`` with their opened bodies, up to MAX_BATCH_BYTES
        (at least one); a record that cannot be opened is parked on the way."""
        group: list[tuple[tuple[Any, ...], bytes]] = []
        size = 0
        for row in rows:
            record_id, kind = row[0], row[1]
            if kind not in BATCHABLE:
                break
            try:
                body = self._sealer.open(row[5], record_id.encode())
            except DecryptionError as error:
                self._park(record_id, kind, error)
                report.rejected += 1
                continue
            if group and size + len(body) > MAX_BATCH_BYTES:
                break
            group.append((row, body))
            size += len(body)
        return group

    def _deliver_batch(
        self, client: BatchDeliverer, group: list[tuple[tuple[Any, ...], bytes]],
        report: DrainReport,
    ) -> str:
        """"ok", "stop" (the pass ends), or "singles" (the centre refused the batch as a whole:
        send its records one by one, so each gets its own verdict)."""
        first_id, first_attempts = group[0][0][0], group[0][0][6]
        try:
            outcomes = client.deliver_batch([(row[0], row[1], body) for row, body in group])
        except CentralAuthFailed as error:
            self._auth_alarm(first_id, first_attempts, error, report)
            return "stop"
        except CentralError as error:
            status = error.params.get("status")
            if error.retryable and status is None:  # no answer at all: the link is down
                self._failed(first_id, first_attempts, error, push_record=False)
                report.failed += 1
                report.stopped = error.key
                report.errors.append(str(error))
                return "stop"
            if status in (404, 405):
                self._batch_refused_at = time.monotonic()
            log.warning("the centre refused a batch as a whole; sending its records one by one",
                        extra={"event": "outbox.batch_refused", "error": str(error)})
            return "singles"
        delivered = [outcome.id for outcome in outcomes if outcome.error is None]
        if delivered:
            self._acknowledged(*delivered)
            report.sent += len(delivered)
        stop = False
        for (row, body), outcome in zip(group, outcomes, strict=True):
            record_id, kind, attempts = row[0], row[1], row[6]
            error = outcome.error
            if error is None:
                _log_delivered(kind, record_id, body)
            elif isinstance(error, CentralAuthFailed):
                self._auth_alarm(record_id, attempts, error, report)
                stop = True
            elif error.retryable:
                self._failed(record_id, attempts, error, push_record=True)
                report.failed += 1
                report.stopped = error.key
                report.errors.append(str(error))
                stop = True
            else:
                self._park(record_id, kind, error)
                report.rejected += 1
                report.errors.append(str(error))
        return "stop" if stop else "ok"

    def _auth_alarm(
        self, record_id: str, attempts: int, error: CentralAuthFailed, report: DrainReport
    ) -> None:
        self._failed(record_id, attempts, error, push_record=False)
        self.set_alarm(error.key, str(error))
        log.error("central refused our credentials; outbox stopped",
                  extra={"event": "outbox.auth_alarm", "error": str(error)})
        report.stopped = error.key
        report.errors.append(str(error))

    def _deliver_one(self, client: Deliverer, row: tuple[Any, ...], report: DrainReport) -> bool:
        """Send one record on its kind's own endpoint; False when the pass must end."""
        record_id, kind, query, content_type, encoding, sealed, attempts = row
        try:
            body = self._sealer.open(sealed, record_id.encode())
        except DecryptionError as error:
            self._park(record_id, kind, error)
            report.rejected += 1
            return True
        try:
            client.deliver(
                ENDPOINTS[kind],
                body,
                record_id,
                content_type=content_type,
                content_encoding=encoding,
                query=json.loads(query) or None,
            )
        except CentralAuthFailed as error:
            self._auth_alarm(record_id, attempts, error, report)
            return False
        except CentralError as error:
            if error.retryable:
                # A 5xx may be about this record; a dead link is not.
                push = "status" in error.params
                self._failed(record_id, attempts, error, push_record=push)
                report.failed += 1
                report.stopped = error.key
                report.errors.append(str(error))
                return False
            self._park(record_id, kind, error)
            report.rejected += 1
            report.errors.append(str(error))
            return True
        self._acknowledged(record_id)
        report.sent += 1
        _log_delivered(kind, record_id, body)
        return True

    def _after_pass(self, report: DrainReport) -> None:
        if report.sent:  # rows were deleted: give their room back, refill the reserve
            self.checkpoint()
            self._give_back_free_pages()
            self.keep_reserve()

    # Heartbeat commands: each id runs at most once, across restarts.

    def claim_command(self, command_id: str, kind: str) -> bool:
        """True the first time ``command_id`` is seen (the caller then runs it), False after."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO commands (id, kind, claimed_at) VALUES (?, ?, ?)",
                (command_id, kind, self._clock()),
            )
            return cursor.rowcount == 1

    def command_done(self, command_id: str, outcome: str) -> None:
        with self._transaction() as db:
            db.execute("UPDATE commands SET outcome = ? WHERE id = ?", (outcome[:500], command_id))

    def unacked_commands(self) -> list[str]:
        rows = self._query("SELECT id FROM commands WHERE acked = 0 ORDER BY claimed_at")
        return [row[0] for row in rows]

    def mark_acked(self, command_ids: Sequence[str]) -> None:
        with self._transaction() as db:
            db.executemany("UPDATE commands SET acked = 1 WHERE id = ?", [(i,) for i in command_ids])

    def command_outcome(self, command_id: str) -> str | None:
        rows = self._query("SELECT outcome FROM commands WHERE id = ?", (command_id,))
        return rows[0][0] if rows else None


def _log_delivered(kind: str, record_id: str, body: bytes) -> None:
    """A delivered application or 补正 is logged with its receipt reference (no personal data)."""
    if kind not in (SUBMISSION, SUPPLEMENT):
        return
    try:
        reference = str(json.loads(body).get("reference", ""))
    except (ValueError, AttributeError):
        reference = ""
    log.info("%s delivered", kind, extra={"event": f"{kind}.delivered", "record": record_id,
                                           "reference": reference})


def _check(model: type[pydantic.BaseModel], body: dict[str, Any]) -> None:
    try:
        model.model_validate(body)
    except pydantic.ValidationError as error:
        # Without the inputs: they may hold a citizen's data.
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors(include_input=False)
        )
        raise InvalidRecord(f"{model.__name__}: {problems}") from None


def _material(material: Material) -> dict[str, str]:
    return {
        "name": material.name,
        "content_type": material.content_type,
        "data_b64": base64.b64encode(material.data).decode("ascii"),
    }


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
