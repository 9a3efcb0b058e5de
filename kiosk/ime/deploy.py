"""Builds our Rime data (schema patch + district dictionary from ``assets/rime``) once into a cache folder.

The build runs ``rime_deployer --build`` (about 4–6 s) only when the folder for the current
fingerprint (our files' content plus the librime version) does not exist yet; every later start
just loads the compiled tables. The kiosk must never run librime's own maintenance at runtime:
without our ``*.custom.yaml`` next to it that would rebuild stock settings and lose our words.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kiosk.ime.errors import ImeBuildError, ImeUnavailable
from kiosk.paths import ASSETS, state_dir

SHARED_DATA_DIR = Path("/usr/share/rime-data")
RIME_ASSETS = ASSETS / "rime"
DICTIONARY = "luna_pinyin_kiosk"
BUILD_STAMP = ".built"


@dataclass(frozen=True)
class RimeData:
    """Folders librime is started with; ``user_dir`` holds our sources, ``build_dir`` their tables."""

    user_dir: Path
    shared_dir: Path = SHARED_DATA_DIR

    @property
    def build_dir(self) -> Path:
        return self.user_dir / "build"

    @property
    def prebuilt_dir(self) -> Path:
        return self.shared_dir / "build"

    @property
    def log_dir(self) -> Path:
        return self.user_dir / "logs"


def default_cache_root() -> Path:
    """``<state dir>/cache/rime``: private to the kiosk user, survives restarts."""
    return state_dir() / "cache" / "rime"


def fingerprint(sources: Path = RIME_ASSETS, librime_version: str = "") -> str:
    """A short hash of our Rime sources and the librime version; a new one means a rebuild."""
    digest = hashlib.sha256(librime_version.encode())
    for path in sorted(sources.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _check_installed(shared_dir: Path) -> str:
    deployer = shutil.which("rime_deployer")
    if deployer is None:
        raise ImeUnavailable("rime_deployer not found; install librime-bin")
    if not (shared_dir / "luna_pinyin.dict.yaml").is_file():
        raise ImeUnavailable(f"{shared_dir}/luna_pinyin.dict.yaml missing; install rime-data-luna-pinyin")
    if not (shared_dir / "default.yaml").is_file():
        raise ImeUnavailable(f"{shared_dir}/default.yaml missing; install rime-prelude")
    return deployer


def ensure_built(
    cache_root: Path | None = None,
    sources: Path = RIME_ASSETS,
    shared_dir: Path = SHARED_DATA_DIR,
    librime_version: str = "",
) -> RimeData:
    """The ready data folder for the current sources, building it first if it does not exist."""
    root = cache_root or default_cache_root()
    target = root / f"data-{fingerprint(sources, librime_version)}"
    data = RimeData(user_dir=target, shared_dir=shared_dir)
    if (target / BUILD_STAMP).is_file():
        return data
    deployer = _check_installed(shared_dir)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Build beside the target and rename, so a killed build or a second process never leaves
    # (or loads) a half-built folder.
    work = Path(tempfile.mkdtemp(prefix="building-", dir=root))
    try:
        for path in sources.glob("*.yaml"):
            shutil.copy2(path, work / path.name)
        (work / "logs").mkdir()
        # glog would otherwise write rime.tools.* files to /tmp; keep everything in our own log.
        env = dict(os.environ, GLOG_logtostderr="1", GLOG_log_dir=str(work / "logs"))
        with open(work / "logs" / "rime_deployer.log", "wb") as log:
            result = subprocess.run(
                [deployer, "--build", str(work), str(shared_dir), str(work / "build")],
                cwd=work,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=300,
                check=False,
            )
        table = work / "build" / f"{DICTIONARY}.table.bin"
        if result.returncode != 0 or not table.is_file():
            tail = (work / "logs" / "rime_deployer.log").read_text(errors="replace")[-800:]
            raise ImeBuildError(f"rime_deployer exited {result.returncode}: {tail}")
        (work / BUILD_STAMP).write_text(librime_version or "built\n")
        try:
            work.rename(target)
        except OSError:
            if not (target / BUILD_STAMP).is_file():
                raise
            # Another process finished the same build first; use theirs.
    except subprocess.TimeoutExpired as exc:
        raise ImeBuildError(f"rime_deployer took longer than {exc.timeout} s") from exc
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return data
