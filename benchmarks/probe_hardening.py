"""Probe every area of issue 13 with hostile inputs; print, per area, the inputs tried and the failures.

Usage: ``.venv/bin/python benchmarks/probe_hardening.py [--quick] [--area NAME ...]``
(``scripts/probe-hardening`` runs it). Exit status 0 when no area has a failure.

The centre runs in a child process (an :class:`~central.embedded.EmbeddedCentral` that answers
``code``/``token``/``rss``/``data`` on its stdin), so its memory can be read from /proc while
100 MB bodies arrive. Kiosk-side areas run here against it, with real outboxes, a real 2 MB
tmpfs for the full disk (when this runs as root; otherwise that input is reported as skipped)
and subprocesses of the real CLIs for start-up and provisioning. Only generated people
(:func:`identity.idnumber.generate_person`) are used. An area whose code is not on this
branch yet (another engineer's part of the issue) shows up as failures, not as a crash.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from identity.idnumber import generate_person  # noqa: E402
from kiosk.central_client import CentralClient  # noqa: E402
from wire.signing import sign_headers  # noqa: E402

BIN = Path(sys.executable).parent
MB = 1024 * 1024
RNG = random.Random(13)

CHILD = r"""
import sys
from central.embedded import EmbeddedCentral
server = EmbeddedCentral(heartbeat_seconds=5).start()
print(server.url, flush=True)
for line in sys.stdin:
    what = line.strip()
    if what == "code":
        print(server.pairing_code(), flush=True)
    elif what == "token":
        print(server.token("admin"), flush=True)
    elif what == "data":
        print(server.data_dir, flush=True)
    elif what == "stop":
        break
server.stop()
"""


class Centre:
    """The central server in a child process."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", CHILD], cwd=ROOT, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = self._ask(None)
        self.api = self.url + "/api/v1"
        self.admin = {"Authorization": f"Bearer {self._ask('token')}"}
        self.data_dir = Path(self._ask("data"))
        self._lock = threading.Lock()

    def _ask(self, what: str | None) -> str:
        assert self.process.stdin and self.process.stdout
        if what:
            self.process.stdin.write(what + "\n")
            self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def code(self) -> str:
        with self._lock:
            return self._ask("code")

    def rss(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def enrol(self, location: Any = None) -> tuple[str, bytes]:
        client = CentralClient(self.url)
        try:
            reply = client.enrol(self.code(), "probe", location or {"name": "probe"}, {"kiosk": "probe"})
        finally:
            client.close()
        return reply["kiosk_id"], bytes.fromhex(reply["secret"])

    def kiosk_count(self) -> int:
        """Kiosks in the centre's database (read directly: the fleet view may be what is broken)."""
        import sqlite3

        with contextlib.closing(sqlite3.connect(self.data_dir / "central.db")) as db:
            return int(db.execute("SELECT count(*) FROM kiosks").fetchone()[0])

    def kiosks_status(self) -> int:
        return requests.get(self.api + "/kiosks", headers=self.admin, timeout=30).status_code

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._ask("stop")
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


@dataclass
class Area:
    name: str
    title: str
    tried: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def check(self, what: str, ok: bool, why: str = "") -> None:
        self.tried.append(what)
        if not ok:
            self.failures.append(f"{what}: {why}" if why else what)

    def attempt(self, what: str, probe: Callable[[], str | None]) -> None:
        """Run one input; ``probe`` returns a failure reason or None; an exception is a failure."""
        try:
            reason = probe()
        except Exception as error:  # the probe reports, never crashes
            reason = f"{type(error).__name__}: {error}"[:300]
        self.check(what, reason is None, reason or "")


AREAS: list[tuple[str, str, Callable[[Area, Centre, argparse.Namespace], None]]] = []


def area(name: str, title: str) -> Callable[[Callable[[Area, Centre, argparse.Namespace], None]], Any]:
    def register(probe: Callable[[Area, Centre, argparse.Namespace], None]) -> Any:
        AREAS.append((name, title, probe))
        return probe
    return register


def signed(centre: Centre, kiosk_id: str, secret: bytes, path: str, body: bytes, **extra: Any) -> dict[str, str]:
    headers = {"Content-Type": "application/json", **extra}
    headers.update(sign_headers(secret, kiosk_id, "POST", "/api/v1" + path, body))
    return headers


# ---------------------------------------------------------------------------------------------
# 1. Bodies


def _huge_json(size: int) -> Iterator[bytes]:
    """A valid JSON object of ``size`` bytes made of many small objects (what costs a parser most)."""
    yield b'{"pairing_code": "ABCD-EFGH", "hostname": "h", "versions": {}, "location": {"a": ['
    item = b'{"k":"v"},'
    chunk = item * (MB // len(item))
    for _ in range(size // MB):
        yield chunk
    yield b'{"k":"v"}]}}'


@area("bodies", "1. unlimited bodies (100 MB, parsed before any check)")
def probe_bodies(result: Area, centre: Centre, args: argparse.Namespace) -> None:
    size = 10 * MB if args.quick else 100 * MB
    base = centre.rss()
    worst = 0.0

    def post(path: str, box: list[Any]) -> None:
        try:
            reply = requests.post(centre.api + path, data=_huge_json(size), timeout=120,
                                  headers={"Content-Type": "application/json"})
            box.append(reply.status_code)
        except requests.RequestException as error:  # the server may cut an oversized body short
            box.append(type(error).__name__)

    for path in ("/enrol", "/heartbeat", "/submissions", "/logs"):
        box: list[Any] = []
        peak = [base]
        done = threading.Event()

        def sample(peak: list[int] = peak, done: threading.Event = done) -> None:
            while not done.is_set():
                peak[0] = max(peak[0], centre.rss())
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        post(path, box)
        done.set()
        sampler.join()
        grew = (peak[0] - base) / MB
        worst = max(worst, grew)
        status = box[0] if box else "no reply"
        result.check(f"{size // MB} MB JSON to {path}", grew < 64 and status not in (200, 201, 500),
                     f"server grew {grew:.0f} MB, answered {status}")
    if worst > 1024:  # the machine is shared: three at once would take several GB
        result.check(f"3 x {size // MB} MB to /enrol in parallel", False,
                     f"not tried: one body alone grew the server by {worst:.0f} MB")
        return
    # Three at once, while a back-office request must still be answered quickly.
    boxes: list[list[Any]] = [[], [], []]
    threads = [threading.Thread(target=post, args=("/enrol", b)) for b in boxes]
    peak_before = centre.rss()
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    started = time.monotonic()
    status = centre.kiosks_status()
    stalled = time.monotonic() - started
    for thread in threads:
        thread.join()
    grew = (centre.rss() - peak_before) / MB
    result.check(f"3 x {size // MB} MB to /enrol in parallel + GET /kiosks", stalled < 1.0 and status == 200,
                 f"GET /kiosks took {stalled:.1f} s ({status})")
    result.check("memory given back after the parallel bodies", grew < 64, f"{grew:.0f} MB still held")


# ---------------------------------------------------------------------------------------------
# 2. Clocks


def _clock_rig(centre: Centre, folder: Path, wall: Callable[[], float], mono: Callable[[], float]) -> Any:
    from kiosk.heartbeat import ReportingWorker
    from kiosk.outbox import Outbox

    kiosk_id, secret = centre.enrol()
    outbox = Outbox.in_state_dir(folder, secret, clock=wall)
    client = CentralClient(centre.url, kiosk_id, secret, timeout=5.0, clock=wall)
    worker = ReportingWorker(outbox, client, kiosk_id=kiosk_id, log_folder=folder / "logs",
                             heartbeat_seconds=60, clock=wall, monotonic=mono)
    return outbox, client, worker


def _delivered_within_one_beat(worker: Any, mono: list[float]) -> bool:
    next_beat = mono[0]
    for _ in range(13):  # one 60 s interval in 5 s steps
        next_beat = worker.step(next_beat)
        if worker.outbox.depth() == 0:
            return True
        mono[0] += 5
    return False


@area("clocks", "2. wall-clock scheduling (clock stepped back / ahead)")
def probe_clocks(result: Area, centre: Centre, args: argparse.Namespace) -> None:
    for label, step in (("clock stepped back a day", -86_400.0), ("clock an hour ahead", 3_600.0),
                        ("clock a week behind", -7 * 86_400.0), ("clock 10 minutes ahead", 600.0)):
        def probe(step: float = step) -> str | None:
            offset = [0.0]
            mono = [1000.0]
            with tempfile.TemporaryDirectory() as tmp:
                outbox, client, worker = _clock_rig(centre, Path(tmp), lambda: time.time() + offset[0],
                                                    lambda: mono[0])
                try:
                    outbox.enqueue_events([{"at": "2026-01-01T00:00:00Z", "kind": "before"}])
                    offset[0] = step
                    outbox.enqueue_events([{"at": "2026-01-01T00:00:00Z", "kind": "after"}])
                    if not _delivered_within_one_beat(worker, mono):
                        return f"{outbox.depth()} record(s) still queued after one heartbeat, alarm {outbox.alarm()!r}"
                    offset[0] = 0.0  # fixed
                    outbox.enqueue_events([{"at": "2026-01-01T00:00:00Z", "kind": "fixed"}])
                    if not _delivered_within_one_beat(worker, mono):
                        return "nothing sent within one heartbeat after the clock was fixed"
                    return None
                finally:
                    client.close()
                    outbox.close()
        result.attempt(label, probe)

    def reported() -> str | None:
        offset, mono = [0.0], [1000.0]
        with tempfile.TemporaryDirectory() as tmp:
            outbox, client, worker = _clock_rig(centre, Path(tmp), lambda: time.time() + offset[0], lambda: mono[0])
            try:
                offset[0] = -3_600.0
                worker.step(mono[0])
                mono[0] += 61
                worker.step(mono[0])
                seen = next(k for k in requests.get(centre.api + "/kiosks", headers=centre.admin, timeout=10).json()
                            if k["kiosk_id"] == worker.kiosk_id)
                if "clock" not in (seen.get("devices") or {}):
                    return "the back office does not see the kiosk's wrong clock"
                return None
            finally:
                client.close()
                outbox.close()
    result.attempt("clock an hour behind reported to the back office", reported)


# ---------------------------------------------------------------------------------------------
# 3. Disk


@contextlib.contextmanager
def _tmpfs(size: str) -> Iterator[Path | None]:
    folder = Path(tempfile.mkdtemp(prefix="probe-disk-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, check=False)
    try:
        yield folder if done.returncode == 0 else None
    finally:
        if done.returncode == 0:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        with contextlib.suppress(OSError):
            folder.rmdir()


def _fill(folder: Path) -> None:
    with (folder / "filler").open("wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 4096)


@area("disk", "3. full disk (outbox deadlock, no out-of-service)")
def probe_disk(result: Area, centre: Centre, args: argparse.Namespace) -> None:
    from kiosk import readiness
    from kiosk.outbox import Material, Outbox, OutboxFull

    def full_disk_drains() -> str | None:
        with _tmpfs("2m") as disk:
            if disk is None:
                result.skipped.append("2 MB tmpfs (not root): full-disk drain not tried")
                return None
            kiosk_id, secret = centre.enrol()
            outbox = Outbox.in_state_dir(disk, secret, reserve_bytes=256 * 1024)
            queued = 0
            with contextlib.suppress(OutboxFull):
                while queued < 200:
                    outbox.enqueue_submission(f"REF-P-{queued}", "new_enterprise", {"n": queued},
                                              [Material("p.jpg", os.urandom(40_000))])
                    queued += 1
            _fill(disk)
            client = CentralClient(centre.url, kiosk_id, secret, timeout=5.0)
            try:
                outbox.drain(client)
                left = outbox.depth()
            finally:
                client.close()
                outbox.close()
            return f"{left} of {queued} records stuck" if left else None
    result.attempt("drain with the disk 100% full (2 MB tmpfs)", full_disk_drains)

    def low_disk_stops_applications() -> str | None:
        with tempfile.TemporaryDirectory() as tmp:
            outbox = Outbox.in_state_dir(Path(tmp), os.urandom(32))
            try:
                problem = readiness.service_problem(outbox, min_free_bytes=readiness.free_bytes(Path(tmp)) + MB)
            finally:
                outbox.close()
            return None if problem else "a disk below the threshold does not stop new applications"
    result.attempt("free space below the threshold", low_disk_stops_applications)

    for label, key in (("no kiosk.key", None), ("0-byte kiosk.key", b""), ("non-hex kiosk.key", b"zz-not-hex")):
        def no_outbox(key: bytes | None = key) -> str | None:
            from kiosk.catalog import load_catalog
            from kiosk.config import Config, Devices
            from kiosk.runtime import open_kiosk

            with tempfile.TemporaryDirectory() as tmp:
                if key is not None:
                    (Path(tmp) / "kiosk.key").write_bytes(key)
                config = Config(kiosk_id="k-probe", devices=Devices(idcard="sim://idcard", printer="", camera=""))
                kiosk = open_kiosk(config, Path(tmp), catalog=load_catalog())
                reason = kiosk.maintenance.out_of_service_reason()
                if reason in (None, "ui.oos.no_reader"):
                    return f"serves citizens without an outbox (reason {reason!r})"
                return None
        result.attempt(f"start-up with {label}", no_outbox)


# ---------------------------------------------------------------------------------------------
# 4. Deep JSON


def _deep(depth: int) -> str:
    """JSON text of an object nested ``depth`` deep (built as text: json.dumps itself gives up)."""
    return '{"a":' * depth + '"x"' + "}" * depth


# ---------------------------------------------------------------------------------------------
# 5. Personal data at the centre


@area("centre-data", "5. personal data in clear in the centre's database")
def probe_centre_data(result: Area, centre: Centre, args: argparse.Namespace) -> None:
    from kiosk.outbox import Material, Outbox

    person = generate_person(RNG)
    phone = f"139{RNG.randrange(10**8):08d}"
    marker = os.urandom(8).hex().encode()
    kiosk_id, secret = centre.enrol()
    with tempfile.TemporaryDirectory() as tmp:
        outbox = Outbox.in_state_dir(Path(tmp), secret)
        document = {"applicant": {"name": person.name, "id_number": person.id_number, "phone": phone,
                                  "birth_date": person.birth.isoformat()}}
        outbox.enqueue_submission(f"REF-PD-{marker.decode()[:8]}", "new_enterprise", document,
                                  [Material("id-front.jpg", b"\xff\xd8\xff" + marker * 64)])
        client = CentralClient(centre.url, kiosk_id, secret, timeout=5.0)
        report = outbox.drain(client)
        client.close()
        outbox.close()
    result.check("submission delivered", report.sent == 1, f"{report}")
    files = [p for p in centre.data_dir.rglob("*") if p.is_file()]
    blob = b"".join(p.read_bytes() for p in files)
    for label, needle in (("ID number", person.id_number.encode()), ("phone", phone.encode()),
                          ("name", person.name.encode()), ("birth date", person.birth.isoformat().encode()),
                          ("material bytes", marker * 4)):
        result.check(f"{label} scanned for in {len(files)} database file(s)", needle not in blob, "found in clear")


# ---------------------------------------------------------------------------------------------
# 6. Masking


def _variants(rng: random.Random) -> Iterator[tuple[str, str]]:
    fw = str.maketrans({str(i): chr(0xFF10 + i) for i in range(10)} | {"X": "Ｘ"})
    for _ in range(200):
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        person = generate_person(rng)
        legacy = person.id_number[:6] + person.id_number[8:17]
        yield phone, rng.choice(["+86", "0086 ", "86", "+86 ", ""]) + rng.choice(
            [phone, f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", f"{phone[:3]} {phone[3:7]} {phone[7:]}", phone.translate(fw)])
        n = person.id_number
        yield n, rng.choice([n, f"{n[:6]} {n[6:14]} {n[14:]}", " ".join(n[i:i + 4] for i in range(0, 18, 4)),
                             n.translate(fw), f"{n[:6]}-{n[6:14]}-{n[14:]}"])
        yield legacy, rng.choice([legacy, f"{legacy[:6]} {legacy[6:12]} {legacy[12:]}", legacy.translate(fw)])


@area("masking", "6. masking gaps (+86, grouped, full-width, 15-digit; handleError)")
def probe_masking(result: Area, centre: Centre, args: argparse.Namespace) -> None:
    from kiosk.logs import mask_text

    fold = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X"})
    for number, text in _variants(random.Random(6)):
        masked = mask_text(f"备注：{text}。").translate(fold).replace(" ", "").replace("-", "")
        result.check(f"mask {text!r}", number[3:-2] not in masked, f"left {masked!r}")
    person = generate_person(RNG)
    script = (
        "import logging, sys\n"
        "from pathlib import Path\n"
        "from kiosk import logs\n"
        f"logs.setup(Path({str(tempfile.mkdtemp(prefix='probe-logs-'))!r}))\n"
        "class Full:\n"
        "    def write(self, s): raise OSError(28, 'No space left on device')\n"
        "    def flush(self): pass\n"
        "log = logging.getLogger('probe')\n"
        "log.addHandler(logging.StreamHandler(Full()))\n"
        f"log.warning('applicant %s %s', {person.name!r}, {person.id_number!r})\n"
        f"log.warning('bad %d', {person.id_number!r})\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    for label, needle in (("name", person.name), ("ID number", person.id_number), ("raw arguments", "Arguments:")):
        result.check(f"handleError on a failed write/format: {label} on stderr", needle not in done.stderr,
                     "printed to stderr (the journal)")


# ---------------------------------------------------------------------------------------------
# 7. Backoff


@area("backoff", "7. the outbox backoff outlives the outage")
def probe_backoff(result: Area, centre: Centre, args: argparse.Namespace) -> None:
    from kiosk.heartbeat import ReportingWorker
    from kiosk.outbox import Outbox

    for failures in (1, 4, 8):
        def probe(failures: int = failures) -> str | None:
            kiosk_id, secret = centre.enrol()
            with tempfile.TemporaryDirectory() as tmp:
                outbox = Outbox.in_state_dir(Path(tmp), secret)
                client = CentralClient(centre.url, kiosk_id, secret, timeout=5.0)
                try:
                    outbox.enqueue_events([{"at": "2026-01-01T00:00:00Z", "kind": "probe"}])
                    with outbox._transaction() as db:  # what an outage of `failures` tries leaves
                        outbox._set_meta(db, "link_failures", str(failures))
                        outbox._set_meta(db, "link_next_at", repr(time.time() + outbox.backoff.delay(failures, RNG)))
                    worker = ReportingWorker(outbox, client, kiosk_id=kiosk_id, log_folder=Path(tmp) / "logs")
                    worker.heartbeat()
                    outbox.drain(client)
                    return None if outbox.depth() == 0 else "still backing off after a successful heartbeat"
                finally:
                    client.close()
                    outbox.close()
        result.attempt(f"heartbeat after {failures} failed tries", probe)


# ---------------------------------------------------------------------------------------------
# 8. Start-up and provisioning


def _cli(tool: str, argv: list[str], state: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KIOSK_STATE": str(state)}
    return subprocess.run([str(BIN / tool), *argv], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def _clear(done: subprocess.CompletedProcess[str]) -> str | None:
    if "Traceback" in done.stderr:
        return "traceback: " + done.stderr.strip().splitlines()[-1][:200]
    if done.returncode == 0:
        return "accepted"
    return None


BAD_CONFIGS: list[tuple[str, bytes]] = [
    ("config that is not UTF-8", b"location:\n  name: \xff\xfe\xfa\n"),
    ("log_levels: {devices: LOUD}", b"log_levels: {devices: LOUD}\n"),
    ("printer ?timeout=nan", b"devices: {printer: 'socket://127.0.0.1:9100?timeout=nan'}\n"),
    ("printer ?timeout=inf", b"devices: {printer: 'socket://127.0.0.1:9100?timeout=inf'}\n"),
    ("heartbeat_seconds: .inf", b"central: {heartbeat_seconds: .inf}\n"),
    ("devices: a list", b"devices: [1, 2]\n"),
    ("broken YAML", b"location: {name: [\n"),
]


@area("startup", "8. fragile start-up and provisioning")
def probe_startup(result: Area, centre: Centre, args: argparse.Namespace) -> None:
    for label, content in BAD_CONFIGS:
        def bad_config(content: bytes = content) -> str | None:
            with tempfile.TemporaryDirectory() as tmp:
                (Path(tmp) / "config.yaml").write_bytes(content)
                return _clear(_cli("kiosk-provision", ["configure", "--no-input", "--pin", "482916"], Path(tmp)))
        result.attempt(f"configure with {label}", bad_config)
    for value in ("nan", "inf", "-1"):
        def configure_timeout(value: str = value) -> str | None:
            with tempfile.TemporaryDirectory() as tmp:
                return _clear(_cli("kiosk-provision", ["configure", "--no-input", "--pin", "482916", "--printer",
                                                       f"socket://127.0.0.1:9100?timeout={value}"], Path(tmp)))
        result.attempt(f"configure --printer ...?timeout={value}", configure_timeout)

    def enrol_plain_http() -> str | None:
        with tempfile.TemporaryDirectory() as tmp:
            return _clear(_cli("kiosk-provision", ["enrol", "--server", "http://central.invalid:8700",
                                                   "--code", "ABCD-EFGH"], Path(tmp)))
    result.attempt("enrol --server http:// without --insecure", enrol_plain_http)

    def enrol_full_disk() -> str | None:
        with _tmpfs("1m") as disk:
            if disk is None:
                result.skipped.append("1 MB tmpfs (not root): enrol on a full disk not tried")
                return None
            before = centre.kiosk_count()
            _fill(disk)
            code = centre.code()
            done = _cli("kiosk-provision", ["enrol", "--insecure", "--server", centre.url, "--code", code], disk)
            problems = []
            if "Traceback" in done.stderr or done.returncode == 0:
                problems.append(f"exit {done.returncode}")
            if centre.kiosk_count() != before:
                problems.append("an orphan kiosk at the centre")
            if (disk / "kiosk.key").exists():
                problems.append(f"a {(disk / 'kiosk.key').stat().st_size}-byte kiosk.key left")
            with tempfile.TemporaryDirectory() as roomy:
                retry = _cli("kiosk-provision", ["enrol", "--insecure", "--server", centre.url, "--code", code],
                             Path(roomy))
                if retry.returncode != 0:
                    problems.append("the pairing code was spent")
            return "; ".join(problems) or None
    result.attempt("enrol on a full disk", enrol_full_disk)

    if args.quick:
        result.skipped.append("SIGTERM of kiosk run (--quick)")
        return

    def sigterm() -> str | None:
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "TMPDIR": tmp, "SDL_VIDEODRIVER": "offscreen", "KIVY_NO_CONSOLELOG": "1",
                   "KIVY_NO_ARGS": "1", "KIVY_HOME": str(Path(tmp) / "kivy")}
            env.pop("DISPLAY", None)
            process = subprocess.Popen([str(BIN / "kiosk"), "run", "--sim", "--script", str(Path(tmp) / "out")],
                                       cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while not list(Path(tmp).glob("kiosk-sim-state-*")) and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1.0)
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                return "did not stop on SIGTERM"
            left = [p.name for p in Path(tmp).iterdir() if p.name.startswith(("idcard-sim-", "kiosk-sim-state-"))]
            return f"left {left}" if left else None
    result.attempt("SIGTERM of kiosk run --sim during start-up", sigterm)


# ---------------------------------------------------------------------------------------------
# Deep JSON runs late: on a branch without the fix it breaks the fleet view the other areas read.

@area("deep-json", "4. stored JSON nested 300-999 deep breaks the fleet view")
def probe_deep_json(result: Area, centre: Centre, args: argparse.Namespace) -> None:
    for depth in (100, 300, 999, 5000):
        def enrol_deep(depth: int = depth) -> str | None:
            body = (f'{{"pairing_code": "{centre.code()}", "hostname": "probe", "versions": {{}}, '
                    f'"location": {_deep(depth)}}}')
            reply = requests.post(centre.api + "/enrol", data=body, timeout=30,
                                  headers={"Content-Type": "application/json"})
            if reply.status_code >= 500:
                return f"enrol answered {reply.status_code}"
            status = centre.kiosks_status()
            return None if status == 200 else f"GET /kiosks answers {status} after enrol ({reply.status_code})"
        result.attempt(f"enrol location {depth} deep", enrol_deep)

        def heartbeat_deep(depth: int = depth) -> str | None:
            kiosk_id, secret = centre.enrol()
            sent_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            body = f'{{"kiosk_id": "{kiosk_id}", "sent_at": "{sent_at}", "versions": {_deep(depth)}}}'.encode()
            reply = requests.post(centre.api + "/heartbeat", data=body, timeout=30,
                                  headers=signed(centre, kiosk_id, secret, "/heartbeat", body))
            if reply.status_code >= 500:
                return f"heartbeat answered {reply.status_code}"
            status = centre.kiosks_status()
            return None if status == 200 else f"GET /kiosks answers {status} after heartbeat ({reply.status_code})"
        result.attempt(f"heartbeat versions {depth} deep", heartbeat_deep)


# ---------------------------------------------------------------------------------------------
# Signing and pairing (the "Also" list)


@area("signing", "also: nonce races, unknown kiosk vs bad signature")
def probe_signing(result: Area, centre: Centre, args: argparse.Namespace) -> None:
    kiosk_id, secret = centre.enrol()
    body = json.dumps({"kiosk_id": kiosk_id, "sent_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}).encode()
    for parallel in (2, 8, 16):
        headers = signed(centre, kiosk_id, secret, "/heartbeat", body)
        statuses: list[int] = []
        barrier = threading.Barrier(parallel)

        def send(headers: dict[str, str] = headers, barrier: threading.Barrier = barrier,
                 statuses: list[int] = statuses) -> None:
            barrier.wait()
            statuses.append(requests.post(centre.api + "/heartbeat", data=body, headers=headers, timeout=30).status_code)

        threads = [threading.Thread(target=send) for _ in range(parallel)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        result.check(f"{parallel} identical signed requests at once", 500 not in statuses and statuses.count(200) == 1,
                     f"answers {sorted(statuses)}")

    def answer(kid: str, key: bytes) -> tuple[int, str]:
        reply = requests.post(centre.api + "/heartbeat", data=body, timeout=10,
                              headers=signed(centre, kid, key, "/heartbeat", body))
        return reply.status_code, reply.text

    unknown = answer("k-" + os.urandom(6).hex(), secret)
    bad = answer(kiosk_id, os.urandom(32))
    result.check("unknown kiosk id vs known id with a bad signature", unknown == bad,
                 f"{unknown} vs {bad}: tells whether the kiosk exists")


# Pairing-code guessing runs last: once the centre throttles this address, enrolling is refused too.
@area("pairing", "also: pairing-code guessing from one address")
def probe_pairing(result: Area, centre: Centre, args: argparse.Namespace) -> None:
    statuses = []
    for i in range(120):
        reply = requests.post(centre.api + "/enrol", timeout=10, json={
            "pairing_code": f"{RNG.randrange(16**4):04X}-{RNG.randrange(16**4):04X}", "hostname": f"guess{i}",
            "location": {"name": "x"}, "versions": {}})
        statuses.append(reply.status_code)
    result.check("120 wrong pairing codes from one address", 429 in statuses,
                 f"none throttled ({sorted(set(statuses))})")


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 MB bodies instead of 100 MB, no SIGTERM probe")
    parser.add_argument("--area", action="append", help="only these areas: " + ", ".join(n for n, _, _ in AREAS))
    args = parser.parse_args()
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    centre = Centre()
    results: list[Area] = []
    try:
        for name, title, probe in AREAS:
            if args.area and name not in args.area:
                continue
            result = Area(name, title)
            started = time.monotonic()
            try:
                with contextlib.redirect_stderr(io.StringIO()):
                    probe(result, centre, args)
            except Exception as error:  # an area that cannot run at all
                result.failures.append(f"probe crashed: {type(error).__name__}: {error}")
                traceback.print_exc()
            results.append(result)
            print(f"[{name}] {title}: {len(result.tried)} inputs tried, {len(result.failures)} failures "
                  f"({time.monotonic() - started:.1f} s)", flush=True)
            for failure in result.failures:
                print(f"    FAIL {failure}")
            for skipped in result.skipped:
                print(f"    skipped: {skipped}")
    finally:
        centre.stop()
    tried = sum(len(r.tried) for r in results)
    failed = sum(len(r.failures) for r in results)
    print(f"\n{'area':<14}{'tried':>7}{'failures':>10}")
    for r in results:
        print(f"{r.name:<14}{len(r.tried):>7}{len(r.failures):>10}")
    print(f"{'total':<14}{tried:>7}{failed:>10}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
