"""The kiosk's configuration: one YAML file in the state folder, written by ``kiosk-provision``.

Everything has a default that runs the kiosk in simulation, so a fresh checkout starts as-is.
The kiosk's secret lives beside it in ``kiosk.key`` (mode 0600), never in the config itself.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

import yaml

from kiosk.errors import ConfigError
from kiosk.paths import state_dir

CONFIG_NAME = "config.yaml"
KEY_NAME = "kiosk.key"


@dataclass
class Location:
    name: str = "甘井子区行政审批服务大厅 24小时自助区"
    address: str = "大连市甘井子区"
    region_code: str = "210211"


@dataclass
class Devices:
    """Transport URLs; ``sim://…`` selects a simulator, an empty string means no such device."""

    idcard: str = "sim://idcard"
    sscard: str = ""
    printer: str = "sim://printer"
    camera: str = "sim://camera"


@dataclass
class Central:
    url: str = ""
    ca_file: str = ""
    heartbeat_seconds: float = 60.0
    timeout_seconds: float = 10.0


@dataclass
class Timeouts:
    idle_seconds: float = 120.0
    warning_seconds: float = 30.0
    card_reminder_seconds: float = 10.0


@dataclass
class Config:
    kiosk_id: str = ""
    location: Location = field(default_factory=Location)
    devices: Devices = field(default_factory=Devices)
    central: Central = field(default_factory=Central)
    timeouts: Timeouts = field(default_factory=Timeouts)
    languages: list[str] = field(default_factory=lambda: ["zh_CN", "en"])
    speech: bool = False
    maintenance_pin_hash: str = ""
    log_levels: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _build(cls: type, data: dict[str, Any], where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s): {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, value in data.items():
        default = getattr(cls(), name)
        if is_dataclass(default):
            values[name] = _build(type(default), value or {}, f"{where}.{name}")
        elif isinstance(default, float) and isinstance(value, int | float) and not isinstance(value, bool):
            values[name] = float(value)
        elif default is not None and not isinstance(value, type(default)):
            raise ConfigError(f"{where}.{name}: expected {type(default).__name__}, got {value!r}")
        else:
            values[name] = value
    return cls(**values)


def config_path(folder: Path | None = None) -> Path:
    return (folder or state_dir()) / CONFIG_NAME


def load(folder: Path | None = None) -> Config:
    """The config in ``folder`` (default: the state folder); defaults when there is none."""
    path = config_path(folder)
    if not path.exists():
        return Config()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from error
    return _build(Config, data, str(path))


def save(config: Config, folder: Path | None = None) -> Path:
    """Write atomically (temp file + rename), so a power cut never leaves half a config."""
    path = config_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(config.to_dict(), allow_unicode=True, sort_keys=False), "utf-8")
    os.replace(tmp, path)
    return path


def load_secret(folder: Path | None = None) -> bytes:
    path = (folder or state_dir()) / KEY_NAME
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError) as error:
        raise ConfigError(f"{path}: no usable kiosk key; enrol the kiosk first") from error


def save_secret(secret: bytes, folder: Path | None = None) -> Path:
    path = (folder or state_dir()) / KEY_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret.hex())
    os.chmod(path, 0o600)
    return path
