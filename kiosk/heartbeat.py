"""The reporting worker: one background thread that beats, drains the outbox and runs commands.

About every ``heartbeat_seconds`` it posts the kiosk's health (device states from a callable the
app passes, queue depth, versions, free disk, out of service). The reply's commands run once:
each id is claimed durably in the outbox database *before* it runs (a crash mid-command never
runs it again), and is acked in the next heartbeat. Between beats the outbox is drained; the app
calls :meth:`ReportingWorker.wake` after an enqueue so a submission leaves at once.

Command kinds map to callables (``handler(args) -> outcome text``): ``upload_logs`` and
``out_of_service`` are built in; the kiosk (kiosk.runtime) registers ``reload_catalog`` and ``print_test_page``,
the UI ``screenshot`` and ``restart`` (they need the window). An outcome of ``failed: <key>``
(or ``unsupported``, ``invalid``) is a failure. Each ack carries its command's outcome, and a
beat that ran commands is followed at once by one more, so the centre learns the results
within seconds instead of a heartbeat later.

The schedule runs on ``time.monotonic``, so a clock stepped either way never stalls it; the
wall clock (``clock``) only stamps what is sent. A successful beat proves the link is up, so it
ends the outbox's backoff. The beat reports a clock that disagrees with the centre's (a
``clock`` device entry and ``clock_offset_seconds``) and a disk below the free-space threshold
(a ``disk`` entry; the kiosk is then out of service for new applications while it delivers).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic

from kiosk import logs, readiness
from kiosk.central_client import CLOCK_NOISE_SECONDS, CentralAuthFailed, CentralClient
from kiosk.errors import CentralError
from kiosk.outbox import Outbox
from wire import models
from wire.errors import KioskError

if TYPE_CHECKING:
    from kiosk.config import Config

log = logging.getLogger("kiosk.heartbeat")

CommandHandler = Callable[[dict[str, Any]], str | None]
DeviceStates = Callable[[], dict[str, dict[str, str]]]

LOG_BATCH_LINES = 5000

# The centre's refusals that mean "this kiosk is not (or no longer) one of ours": retrying
# cannot help, and an application taken now could never be delivered.
IDENTITY_REFUSALS = frozenset({"revoked", "bad_signature"})
NOT_ENROLLED = "ui.oos.not_enrolled"
INTERRUPTED = "failed: command.interrupted"  # claimed, then the kiosk stopped before it ended
REVOKED = "ui.oos.revoked"


def identity_problem(config: Config, worker: ReportingWorker | None) -> str | None:
    """Why this kiosk may take no application because of who it is (an i18n key), or None.

    Unenrolled (no kiosk id, so no reporting worker): nothing could ever be delivered. Revoked or unknown to the centre: the last heartbeat or delivery said so.
    """
    if not config.kiosk_id:
        return NOT_ENROLLED
    if worker is not None and worker.identity_refused:
        return REVOKED
    return None


@dataclass(frozen=True)
class WorkerStatus:
    """What the UI's maintenance screen shows."""

    alarm: str
    queue_depth: int
    rejected: int
    out_of_service: bool
    out_of_service_reason: str
    last_heartbeat_at: float | None
    last_error: str


def command_failed(outcome: str) -> bool:
    """Whether a handler's outcome text means the command did not do its job."""
    return not outcome or outcome in ("unsupported", "invalid") or outcome.startswith("failed")


def command_results(outcomes: list[tuple[str, str]]) -> list[models.CommandResult]:
    """The results sent with the acks (an id the wire cannot carry is acked without one)."""
    return [
        models.CommandResult(id=command_id, ok=not command_failed(outcome),
                             outcome=(outcome or INTERRUPTED)[:500])
        for command_id, outcome in outcomes
        if 0 < len(command_id) <= 32
    ]


def runtime_versions() -> dict[str, str]:
    """What the heartbeat, enrolment and the self-test page report as ``versions``."""
    import platform
    from importlib import metadata

    from kiosk import __version__

    versions = {"kiosk": __version__, "python": platform.python_version()}
    for package in ("kivy", "pyserial", "pyscard", "opencv-python-headless"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()


def _wire_status(name: str, status: object) -> dict[str, str]:
    """One device's entry as the wire allows it; a malformed one is reported, not fatal."""
    try:
        return models.DeviceStatus.model_validate(status).model_dump(mode="json")
    except pydantic.ValidationError:
        log.warning("device %s reported an invalid state", name,
                    extra={"event": "heartbeat.bad_device_state", "device": name})
        return {"state": "fault", "reason": "heartbeat.bad_device_state"}


def gzip_lines(lines: Iterable[str]) -> bytes:
    return gzip.compress("".join(line + "\n" for line in lines).encode("utf-8"), mtime=0)


class ReportingWorker:
    """Heartbeat + outbox sender + command runner, in one thread (or driven step by step)."""

    def __init__(
        self,
        outbox: Outbox,
        client: CentralClient,
        *,
        kiosk_id: str,
        log_folder: Path,
        device_states: DeviceStates = dict,
        versions: dict[str, str] | None = None,
        heartbeat_seconds: float = 60.0,
        disk_folder: Path | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        min_free_bytes: int = readiness.MIN_FREE_BYTES,
    ) -> None:
        self.outbox = outbox
        self.client = client
        self.kiosk_id = kiosk_id
        self.log_folder = log_folder
        self.device_states = device_states
        self.versions = versions or {}
        self.heartbeat_seconds = heartbeat_seconds
        self.disk_folder = disk_folder or outbox.path.parent
        self._clock = clock
        self._monotonic = monotonic
        self.min_free_bytes = min_free_bytes
        self._disk_low = False
        self._handlers: dict[str, CommandHandler] = {
            "upload_logs": self._upload_logs,
            "out_of_service": self._out_of_service,
        }
        self._on_out_of_service: list[Callable[[bool, str], None]] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._command_id = ""
        self.last_heartbeat_at: float | None = None
        self.last_error = ""

    # Wiring by the app.

    def register(self, kind: str, handler: CommandHandler) -> None:
        self._handlers[kind] = handler

    def on_out_of_service(self, callback: Callable[[bool, str], None]) -> None:
        """Called (from the worker thread) when a command switches out of service on or off."""
        self._on_out_of_service.append(callback)

    @property
    def identity_refused(self) -> str:
        """The centre's refusal code ("revoked", ...) while it refuses who we are, else ""."""
        return self.outbox.setting("identity_refused")

    def _set_identity_refused(self, code: str) -> None:
        if code == self.identity_refused:
            return
        self.outbox.set_setting("identity_refused", code)
        logs.event(log, "kiosk.identity_refused" if code else "kiosk.identity_accepted", error=code,
                   level=logging.ERROR if code else logging.INFO)
        for callback in self._on_out_of_service:  # the app re-reads why it is out of service
            callback(self.out_of_service, self.outbox.setting("out_of_service_reason"))

    @property
    def out_of_service(self) -> bool:
        return self.outbox.setting("out_of_service") == "1"

    def set_out_of_service(self, on: bool, reason: str = "") -> None:
        self.outbox.set_setting("out_of_service", "1" if on else "0")
        self.outbox.set_setting("out_of_service_reason", reason if on else "")
        for callback in self._on_out_of_service:
            callback(on, reason)

    def status(self) -> WorkerStatus:
        return WorkerStatus(
            alarm=self.outbox.alarm(),
            queue_depth=self.outbox.depth(),
            rejected=len(self.outbox.rejected()),
            out_of_service=self.out_of_service,
            out_of_service_reason=self.outbox.setting("out_of_service_reason"),
            last_heartbeat_at=self.last_heartbeat_at,
            last_error=self.last_error,
        )

    # One step each.

    def _devices(self) -> dict[str, dict[str, str]]:
        try:
            devices = dict(self.device_states())
        except Exception as error:  # a broken callback must not stop the heartbeat
            log.exception("device states unavailable", extra={"event": "heartbeat.devices_failed"})
            devices = {"kiosk": {"state": "degraded", "reason": getattr(error, "key", "error.unknown")}}
        devices = {str(name): _wire_status(str(name), status) for name, status in devices.items()}
        alarm = self.outbox.alarm()
        if alarm:
            devices["outbox"] = {"state": "fault", "reason": alarm}
        elif self.outbox.rejected():
            devices["outbox"] = {"state": "degraded", "reason": "outbox.rejected"}
        else:
            devices["outbox"] = {"state": "ok", "reason": ""}
        offset = self.clock_offset()
        if offset is not None and abs(offset) >= CLOCK_NOISE_SECONDS:
            devices["clock"] = {"state": "degraded", "reason": f"clock.skew:{offset:+.0f}s"}
        if self._disk_low:
            devices["disk"] = {"state": "fault", "reason": "disk.low"}
        return devices

    def clock_offset(self) -> float | None:
        """The centre's clock minus ours, as last seen in a reply (None before any)."""
        offset = getattr(self.client, "clock_offset", None)
        return float(offset) if isinstance(offset, int | float) else None

    def check_disk(self) -> int:
        """Free bytes where the outbox lives; tells the app when it crosses the threshold."""
        try:
            free = shutil.disk_usage(self.disk_folder).free
        except OSError:
            free = 0
        low = free < self.min_free_bytes
        if low != self._disk_low:
            self._disk_low = low
            logs.event(log, "disk.low" if low else "disk.ok", free_bytes=free,
                       level=logging.ERROR if low else logging.INFO)
            for callback in self._on_out_of_service:  # the app re-reads why it is out of service
                callback(self.out_of_service, self.outbox.setting("out_of_service_reason"))
        return free

    def heartbeat_payload(self) -> dict[str, Any]:
        free = self.check_disk()
        outcomes = self.outbox.unacked_outcomes()
        request = models.HeartbeatRequest(
            kiosk_id=self.kiosk_id,
            sent_at=dt.datetime.fromtimestamp(self._clock(), dt.UTC),
            devices={k: models.DeviceStatus(**v) for k, v in self._devices().items()},
            queue_depth=self.outbox.depth(),
            versions=self.versions,
            free_disk_bytes=free,
            out_of_service=self.out_of_service or self._disk_low,
            acked_commands=[command_id for command_id, _outcome in outcomes],
            command_results=command_results(outcomes),
        )
        payload = request.model_dump(mode="json")
        offset = self.clock_offset()
        if offset is not None:
            payload["clock_offset_seconds"] = round(offset, 1)
        return payload

    def heartbeat(self) -> list[str]:
        """Send one heartbeat and run its new commands; returns the ids that ran now."""
        payload = self.heartbeat_payload()
        try:
            reply = self.client.heartbeat(payload)
        except CentralAuthFailed as error:
            self.outbox.set_alarm(error.key, str(error))
            code = str(error.params.get("error", ""))
            if code in IDENTITY_REFUSALS:
                self._set_identity_refused(code)
            raise
        self.last_heartbeat_at = self._clock()
        self._set_identity_refused("")
        self.outbox.mark_acked(payload["acked_commands"])
        # The centre answered: whatever backoff an outage left behind is over.
        self.outbox.reset_backoff()
        if self.outbox.alarm() == CentralAuthFailed.key:
            # A signed request went through again (clock fixed, kiosk restored): resume sending.
            self.outbox.clear_alarm()
            logs.event(log, "outbox.alarm_cleared")
        ran = []
        for raw in reply.get("commands") or []:
            if self.run_command(raw):
                ran.append(str(raw.get("id", "")))
        return ran

    def run_command(self, raw: dict[str, Any]) -> bool:
        """Run one command from a heartbeat reply unless its id already ran; True if it ran."""
        command_id = str(raw.get("id", "")) if isinstance(raw, dict) else ""
        if not command_id:
            log.warning("command without id ignored", extra={"event": "command.invalid"})
            return False
        kind = str(raw.get("kind", ""))
        if not self.outbox.claim_command(command_id, kind):
            return False
        self._command_id = command_id
        try:
            command = models.Command.model_validate(raw)
            handler = self._handlers.get(command.kind)
            outcome = "unsupported" if handler is None else handler(command.args) or "done"
        except pydantic.ValidationError:
            outcome = "invalid"
        except KioskError as error:
            outcome = f"failed: {error.key}"
        except Exception as error:  # the worker must survive any handler
            log.exception("command failed", extra={"event": "command.failed", "command": command_id})
            outcome = f"failed: {type(error).__name__}"
        self.outbox.command_done(command_id, outcome)
        logs.event(log, "command.ran", command=command_id, kind=kind, outcome=outcome)
        return True

    def drain(self) -> None:
        report = self.outbox.drain(self.client, should_stop=self._stop.is_set)
        if report.errors:
            self.last_error = report.errors[-1]
        if report.stopped == CentralAuthFailed.key and not self.identity_refused:
            # A delivery was refused for who we are: the heartbeat tells revoked from a bad
            # clock at once, so a revoked kiosk stops taking applications now, not a beat later.
            try:
                self.heartbeat()
            except CentralError as error:
                self.last_error = str(error)

    # Built-in commands.

    def _upload_logs(self, args: dict[str, Any]) -> str:
        parsed = models.UploadLogsArgs.model_validate(args)
        # Only what we have up to now: a range reaching into the future must stay open at the
        # centre, so a later pull asks again and gets the lines written since.
        since, until = parsed.since.timestamp(), min(parsed.until.timestamp(), self._clock())
        if until <= since:
            return "0 batches (the range has not happened yet)"
        return f"{self.enqueue_logs(since, until, self._command_id)} batches"

    def enqueue_logs(self, since: float, until: float, command_id: str = "") -> int:
        """Queue the log lines of ``since``..``until`` in batches that tile the range."""
        batches: list[list[str]] = [[]]
        starts = [since]
        for line in logs.read_range(self.log_folder, since, until):
            if len(batches[-1]) >= LOG_BATCH_LINES:
                batches.append([])
                first = models.log_line_time(json.loads(line))
                starts.append(first.timestamp() if first else starts[-1])
            batches[-1].append(line)
        ends = [*starts[1:], until]
        for lines, start, end in zip(batches, starts, ends, strict=True):
            self.outbox.enqueue_logs(gzip_lines(lines), _iso(start), _iso(end), command_id)
        self._wake.set()
        return len(batches)

    def _out_of_service(self, args: dict[str, Any]) -> str:
        parsed = models.OutOfServiceArgs.model_validate(args)
        self.set_out_of_service(parsed.on, parsed.reason)
        return "on" if parsed.on else "off"

    def upload_screenshot(self, image: bytes, screen: str, content_type: str = "image/jpeg") -> str:
        """Send the picture the running ``screenshot`` command took; its outcome text."""
        query = {"command_id": self._command_id, "screen": screen}
        self.client.deliver("/screenshots", image, f"shot-{self._command_id}",
                            content_type=content_type, query=query)
        return f"uploaded ({screen}, {len(image) // 1024} KB)"

    # The thread.

    def wake(self) -> None:
        """Something was queued: drain now instead of at the next tick."""
        self._wake.set()

    def step(self, next_beat: float) -> float:
        """One pass of the loop; returns when the next heartbeat is due (monotonic seconds)."""
        now = self._monotonic()
        if now >= next_beat:
            # Scheduled before trying: a beat that fails in any way waits for the next tick
            # instead of being retried (and logged) every few milliseconds.
            next_beat = now + self.heartbeat_seconds
            try:
                if self.heartbeat():
                    self.heartbeat()  # the results of what just ran, now rather than next beat
            except CentralError as error:
                self.last_error = str(error)
                log.warning("heartbeat failed", extra={"event": "heartbeat.failed", "error": str(error)})
            except KioskError as error:  # e.g. the outbox database cannot be read
                self.last_error = str(error)
                log.error("heartbeat failed", extra={"event": "heartbeat.failed", "error": str(error)})
            except Exception as error:  # a bug must not stop the drain below, nor spin
                self.last_error = f"{type(error).__name__}: {error}"
                log.exception("heartbeat failed", extra={"event": "heartbeat.failed"})
        try:
            self.drain()
        except KioskError as error:
            self.last_error = str(error)
            log.error("outbox drain failed", extra={"event": "outbox.drain_failed", "error": str(error)})
        return next_beat

    def _run(self) -> None:
        next_beat = self._monotonic()
        while not self._stop.is_set():
            try:
                next_beat = self.step(next_beat)
            except Exception:  # keep reporting whatever happens
                log.exception("reporting worker step failed", extra={"event": "worker.failed"})
            # Short naps: a link backoff that ends, or a stop, is noticed within seconds.
            self._wake.wait(max(0.05, min(next_beat - self._monotonic(), 5.0)))
            self._wake.clear()

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="reporting", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
            self._thread = None
