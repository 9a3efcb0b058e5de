"""A throwaway PostgreSQL cluster from Debian's packages, for the tests and benchmarks.

``PgCluster`` runs ``initdb`` and ``pg_ctl`` from /usr/lib/postgresql/<version>/bin in a temp
folder, listening on 127.0.0.1 on a free port (trust auth, so never on another address). As
root the binaries run as the ``postgres`` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from types import TracebackType

import psycopg

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
PG_BIN_ENV = "KIOSK_PG_BIN"


class PgUnavailable(RuntimeError):
    """PostgreSQL's server binaries are not installed or the cluster would not start."""


def find_pg_bin() -> Path:
    wanted = os.environ.get(PG_BIN_ENV)
    candidates = [wanted] if wanted else sorted(glob.glob(PG_BIN_GLOB), reverse=True)
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    raise PgUnavailable(
        f"no PostgreSQL server binaries (initdb, pg_ctl) under {PG_BIN_GLOB}; install them with "
        f"'apt-get install postgresql-15' or point {PG_BIN_ENV} at the bin folder"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgCluster:
    """A private cluster; ``database()`` gives a fresh empty database's SQLAlchemy URL."""

    def __init__(self, *, durable: bool = False) -> None:
        self.bin = find_pg_bin()
        self.durable = durable
        self.folder = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        self.port = _free_port()
        self._prefix: list[str] = []
        self._started = False

    def _run(self, *command: str) -> None:
        result = subprocess.run(
            [*self._prefix, *command], capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            raise PgUnavailable(
                f"{' '.join(command)} failed: {result.stderr.strip() or result.stdout.strip()}"
            )

    def start(self) -> PgCluster:
        data = self.folder / "data"
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self._prefix = ["runuser", "-u", "postgres", "--"]
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
        )
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.folder / "log"),
            "-o",
            options,
            "-w",
            "start",
        )
        self._started = True
        return self

    @property
    def admin_dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def database(self) -> str:
        name = "kiosk_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.admin_dsn, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self._started:
            self._run(
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-m",
                "fast",
                "-w",
                "stop",
            )
            self._started = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.stop()
