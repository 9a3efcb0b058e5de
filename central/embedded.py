"""A central server in a background thread, for the kiosk's simulation mode and for tests.

    with EmbeddedCentral() as central:
        code = central.pairing_code()
        token = central.token("admin")
        requests.get(central.url + "/api/v1/kiosks", headers={"Authorization": f"Bearer {token}"})

It listens on 127.0.0.1 on a free port, keeps its SQLite database (or the given URL's) and
server key in a temporary folder, and stops cleanly (uvicorn's ``should_exit``) on exit.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType

import requests
import uvicorn
from cryptography.fernet import Fernet

from central.app import DEFAULT_HEARTBEAT_SECONDS, create_app
from central.credentials import create_pairing_code, create_token
from central.deps import CentralState
from wire.models import Role

START_TIMEOUT_SECONDS = 30.0


class EmbeddedCentral:
    """One private central server; ``start()``/``stop()`` or use it as a context manager."""

    def __init__(
        self,
        database_url: str | None = None,
        *,
        heartbeat_seconds: int = DEFAULT_HEARTBEAT_SECONDS,
        data_dir: Path | None = None,
    ) -> None:
        self._own_dir = data_dir is None
        self.data_dir = data_dir or Path(tempfile.mkdtemp(prefix="kiosk-central-"))
        self.app = create_app(
            database_url,
            data_dir=self.data_dir,
            server_key=Fernet.generate_key(),
            heartbeat_seconds=heartbeat_seconds,
        )
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    @property
    def state(self) -> CentralState:
        return self.app.state.central

    def start(self) -> EmbeddedCentral:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this. Without it every reply stalls ~40 ms: uvicorn writes
        # the headers and the body separately, and Nagle waits for the client's delayed ACK.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        self._socket = sock
        port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name="embedded-central",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the embedded central server did not start")
            time.sleep(0.01)
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self.state.engine.dispose()
        if self.app.state.heartbeat_pool is not None:
            self.app.state.heartbeat_pool.close()
        if self.state.soft_state is not None:
            self.state.soft_state.dispose()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def pairing_code(self, ttl_seconds: int = 3600) -> str:
        with self.state.sessions() as session:
            return create_pairing_code(session, ttl_seconds)[0]

    def token(self, role: Role = "admin") -> str:
        with self.state.sessions() as session:
            return create_token(session, role, label="embedded")

    def __enter__(self) -> EmbeddedCentral:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.stop()


class CentralProcess:
    """``kiosk-central serve`` in a child process (own interpreter, so no shared GIL): benchmarks."""

    def __init__(
        self,
        data_dir: Path,
        database_url: str | None = None,
        *,
        workers: int | None = None,
        source_tree: Path | None = None,
        port: int | None = None,
        tls: tuple[Path, Path] | None = None,
    ) -> None:
        """``source_tree``: run another checkout's code (a benchmark's same-run baseline);
        ``tls``: (certificate, key) to serve HTTPS with ``serve --cert --key``."""
        self.tls = tls
        self.data_dir = data_dir
        self.database_url = database_url
        self.workers = workers
        self.source_tree = source_tree
        if port is None:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
        self.port = port
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> CentralProcess:
        command = [sys.executable, "-m", "central.cli", "serve", "--port", str(self.port)]
        command += ["--data", str(self.data_dir)]
        if self.database_url:
            command += ["--db", self.database_url]
        if self.workers is not None:
            command += ["--workers", str(self.workers)]
        if self.tls is not None:
            command += ["--cert", str(self.tls[0]), "--key", str(self.tls[1])]
        environment = dict(os.environ)
        if self.source_tree is not None:
            environment["PYTHONPATH"] = str(self.source_tree)
        self._process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=environment,
            cwd=self.source_tree,
        )
        deadline = time.monotonic() + 2 * START_TIMEOUT_SECONDS  # N workers on a busy machine
        while True:
            try:
                verify = str(self.tls[0]) if self.tls else True
                requests.get(self.url + "/openapi.json", timeout=5, verify=verify)
                return self
            except requests.RequestException:  # not up yet, or too busy to answer in time
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("kiosk-central serve did not start") from None
                time.sleep(0.1)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:  # a connection that never ends: do not hang
                self._process.kill()
                self._process.wait(timeout=15)

    def __enter__(self) -> CentralProcess:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.stop()
