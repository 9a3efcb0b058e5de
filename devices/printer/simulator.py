"""A receipt printer simulator: ESC/POS in over TCP on 127.0.0.1 (or a pty), paper out.

It answers DLE EOT from a scripted state that tests can change at any time (paper near end or
out, cover open, offline, a cutter error, no status answers) and can run one-shot faults: close
the connection after N bytes, or run out of paper after N bytes of a job. What it receives is
parsed and kept per job (from ESC @ to the cut) as bytes, text lines and, when given a folder,
a PNG of the paper, so a test or a person can read the receipt.

Run it by hand: ``python -m devices.printer.simulator --port 9100 --png-dir /tmp/receipts``.
Importing this module registers ``sim://printer`` in :mod:`devices.registry` (URL options:
``paper=ok|near_end|out``, ``cover=open``, ``offline=1``, ``png_dir=``, ``chinese=1`` and
every printer option such as ``width=58`` or ``profile=<model>``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import socket
import threading
import time
import tty
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from devices import registry
from devices.printer.decode import Op, Parser
from devices.printer.errors import PrinterUrlError
from devices.printer.preview import Page
from devices.printer.profile import PAPERS, URL_OPTIONS, PrinterProfile, profile_from_options
from devices.printer.status import encode as encode_status
from devices.printer.transport import Link, SocketTransport
from devices.status import DeviceKind


@dataclass(frozen=True)
class SimState:
    """The printer's condition.

    ``close_after`` (close the connection) and ``paper_out_after`` (run out of paper) count the
    bytes of the current job; each fires once, then clears itself.
    """

    paper: str = "ok"  # ok | near_end | out
    cover_open: bool = False
    offline: bool = False
    cutter_error: bool = False
    no_status: bool = False
    close_after: int | None = None
    paper_out_after: int | None = None

    @property
    def stopped(self) -> str:
        """Why the printer cannot print now ('' when it can)."""
        if self.paper == "out":
            return "paper_out"
        if self.cover_open:
            return "cover_open"
        if self.cutter_error:
            return "cutter_error"
        if self.offline:
            return "offline"
        return ""


@dataclass
class SimJob:
    """One job as received: ``complete`` when it reached the cut with the printer able to print."""

    data: bytes
    lines: list[str]
    text: str
    complete: bool
    failure: str = ""
    overflow: list[str] = field(default_factory=list)
    png_path: Path | None = None
    page: Page | None = None


class _Session:
    """One connection's stream: parser, current page, status replies."""

    def __init__(self, sim: PrinterSimulator) -> None:
        self.sim = sim
        self.parser = Parser(kanji=sim.chinese_default)
        self.received = 0
        self.closing = False
        self._new_job()

    def _new_job(self) -> None:
        self.page = Page(self.sim.columns, self.sim.dots)
        self.job_bytes = bytearray()
        self.failure = ""

    def feed(self, data: bytes) -> tuple[bytes, bool]:
        """Replies to send back, and whether to close the connection now."""
        self.received += len(data)
        replies = bytearray()
        for op in self.parser.feed(data):
            replies += self._op(op)
            if self.closing:
                self.end("connection_closed")
                return bytes(replies), True
        return bytes(replies), False

    def _op(self, op: Op) -> bytes:
        if op.name == "status":
            if self.sim.tear_off and not self.page.empty:
                # No cutter: the job is over when the driver asks how it went (a person tears it).
                self.end(self.failure)
            state = self.sim.state
            if state.no_status:
                return b""
            replies = encode_status(
                paper=state.paper,
                cover_open=state.cover_open,
                offline=state.offline,
                cutter_error=state.cutter_error,
            )
            return replies[op.args[0] - 1 : op.args[0]]
        if op.name == "init" and self.page.empty:
            self.job_bytes = bytearray()
        self.job_bytes += op.raw
        if (
            self.sim.state.close_after is not None
            and len(self.job_bytes) >= self.sim.state.close_after
        ):
            self.sim.set(close_after=None)
            self.closing = True
            return b""
        self._check_paper()
        stopped = self.sim.state.stopped
        if stopped and op.name not in _SETTINGS:
            self.failure = self.failure or stopped
        if op.name == "cut":
            self.end(self.failure)
            return b""
        self.page.apply(op)
        return b""

    def _check_paper(self) -> None:
        state = self.sim.state
        if state.paper_out_after is not None and len(self.job_bytes) >= state.paper_out_after:
            self.sim.set(paper="out", paper_out_after=None)

    def end(self, failure: str) -> None:
        if self.page.empty and not failure:
            self._new_job()
            return
        self.page.finish()
        self.sim._record(self.page, bytes(self.job_bytes), failure)
        self._new_job()


# Operations that only change settings: they do not need paper, so they never fail a job.
_SETTINGS = frozenset({"init", "kanji", "align", "size", "bold", "ignored"})


class PrinterSimulator:
    """Start with :meth:`start` (TCP) or :meth:`start_pty`; always :meth:`stop` (or use ``with``)."""

    def __init__(
        self,
        width: str = "80",
        state: SimState | None = None,
        chinese_default: bool = False,
        png_dir: Path | None = None,
        profile: PrinterProfile | None = None,
    ) -> None:
        profile = profile or PAPERS[width]
        self.tear_off = profile.cut == "none"  # a model without a cutter
        self.columns, self.dots = profile.columns, profile.dots
        self.state = state or SimState()
        self.chinese_default = chinese_default
        self.png_dir = png_dir
        self.jobs: list[SimJob] = []
        self.received = bytearray()
        self.host, self.port = "127.0.0.1", 0
        self.pty_path = ""
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        self._fds: list[int] = []

    # state -------------------------------------------------------------------------------
    def set(self, **changes: object) -> None:
        """Change the scripted state at runtime, e.g. ``sim.set(paper="out")``."""
        with self._lock:
            self.state = replace(self.state, **changes)

    def _record(self, page: Page, data: bytes, failure: str) -> None:
        with self._lock:
            number = len(self.jobs) + 1
            png = None
            if self.png_dir is not None:
                png = page.render_png(Path(self.png_dir) / f"job-{number:03d}.png")
            self.jobs.append(
                SimJob(
                    data=data,
                    lines=page.lines,
                    text=page.text,
                    complete=not failure,
                    failure=failure,
                    overflow=page.overflow,
                    png_path=png,
                    page=page,
                )
            )
            self._lock.notify_all()

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[SimJob]:
        """Block until ``count`` jobs were recorded (or the timeout passed); returns the jobs."""
        with self._lock:
            self._lock.wait_for(lambda: len(self.jobs) >= count, timeout)
            return list(self.jobs)

    # transports --------------------------------------------------------------------------
    @property
    def url(self) -> str:
        width = "58" if self.columns == 32 else "80"
        return f"socket://{self.host}:{self.port}?width={width}"

    def start(self, port: int = 0) -> PrinterSimulator:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((self.host, port))
        server.listen(4)
        self.port = server.getsockname()[1]
        self._sockets.append(server)
        self._spawn(self._accept_loop, server)
        return self

    def start_pty(self) -> str:
        """A pty pair: the driver opens ``serial://<returned path>``; we serve the master side."""
        master, slave = os.openpty()
        tty.setraw(slave)
        self._fds += [master, slave]
        self.pty_path = os.ttyname(slave)
        self._spawn(self._pty_loop, master)
        return self.pty_path

    def stop(self) -> None:
        self._stop.set()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(timeout=2)
        for fd in self._fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._sockets, self._fds, self._threads = [], [], []

    def __enter__(self) -> PrinterSimulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _spawn(self, target, *args) -> None:  # type: ignore[no-untyped-def]
        thread = threading.Thread(target=target, args=args, daemon=True, name="printer-sim")
        thread.start()
        self._threads.append(thread)

    def _accept_loop(self, server: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sockets.append(conn)
            self._spawn(self._serve, conn)

    def _serve(self, conn: socket.socket) -> None:
        session = _Session(self)
        try:
            while not self._stop.is_set():
                try:
                    data = conn.recv(65536)
                except OSError:
                    break
                if not data:
                    break
                replies, close = self._feed(session, data)
                if replies:
                    with contextlib.suppress(OSError):
                        conn.sendall(replies)
                if close:
                    break
        finally:
            session.end("connection_closed" if not session.page.empty else "")
            with contextlib.suppress(OSError):
                conn.close()

    def _pty_loop(self, master: int) -> None:
        session = _Session(self)
        while not self._stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:
                time.sleep(0.05)  # no client has the slave open right now
                continue
            replies, _ = self._feed(session, data)
            if replies:
                os.write(master, replies)

    def _feed(self, session: _Session, data: bytes) -> tuple[bytes, bool]:
        with self._lock:
            self.received += data
        return session.feed(data)


SIM_OPTIONS = frozenset({"paper", "cover", "offline", "png_dir", "chinese"})


def sim_state(options: Mapping[str, str]) -> SimState:
    paper = options.get("paper", "ok")
    if paper not in ("ok", "near_end", "out"):
        raise PrinterUrlError(f"paper must be ok, near_end or out, not {paper!r}")
    cover = options.get("cover", "closed")
    if cover not in ("open", "closed"):
        raise PrinterUrlError(f"cover must be open or closed, not {cover!r}")
    return SimState(
        paper=paper, cover_open=cover == "open", offline=options.get("offline", "0") == "1"
    )


def open_simulated_printer(url: registry.DeviceUrl, *, timeout: float) -> Link:
    """The registry's opener for ``sim://printer``: a simulator on 127.0.0.1 and a link to it."""
    url.check_options(URL_OPTIONS | SIM_OPTIONS, PrinterUrlError)
    if url.target != "printer":
        raise PrinterUrlError(f"{url.text!r}: the printer simulator is sim://printer")
    options = url.options
    png_dir = options.get("png_dir")
    simulator = PrinterSimulator(
        state=sim_state(options),
        chinese_default=options.get("chinese", "0") == "1",
        png_dir=Path(png_dir) if png_dir else None,
        profile=profile_from_options(options),
    ).start()
    return Link(
        connect=lambda: SocketTransport(simulator.host, simulator.port, timeout),
        close=simulator.stop,
        simulator=simulator,
    )


def register() -> None:
    registry.register(DeviceKind.PRINTER, ["sim"], open_simulated_printer)


register()


def main() -> None:
    parser = argparse.ArgumentParser(description="ESC/POS receipt printer simulator on 127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--width", choices=sorted(PAPERS), default="80")
    parser.add_argument("--png-dir", type=Path)
    args = parser.parse_args()
    sim = PrinterSimulator(args.width, png_dir=args.png_dir).start(args.port)
    print(f"listening on {sim.url}")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
