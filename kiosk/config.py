"""The kiosk's configuration: one YAML file in the state folder, written by ``kiosk-provision``.

Every device defaults to "" (not configured): a production kiosk never runs a simulator by
accident. The simulation harness (``kiosk run --sim``) points the devices at ``sim://…`` and
sets ``simulation: true``, which ``kiosk-provision selftest`` requires before it passes a
``sim://`` device.
The kiosk's secret lives beside it in ``kiosk.key`` (mode 0600), never in the config itself.
Both are written atomically and durably (temp file, fsync, rename, fsync of the folder), so a
power cut leaves the old file or the new one, never an empty or half one. Every value is
checked on load (a file that is not UTF-8, an unknown log level, a timeout of ``nan`` in a
device URL) and refused with a ``ConfigError`` naming the file and the setting.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from kiosk.errors import ConfigError
from kiosk.paths import state_dir

CONFIG_NAME = "config.yaml"
KEY_NAME = "kiosk.key"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MIN_SECRET_BYTES = 16
# Device URL options that are numbers: each must be finite and positive.
NUMERIC_URL_OPTIONS = ("timeout", "baud", "width", "interval", "fps")
TOUCH_PROVIDERS = ("mtdev", "hidinput")
TOUCH_ROTATIONS = (0, 90, 180, 270)
DIM_PERCENT_RANGE = (5, 95)  # darker looks switched off; brighter does not dim


@dataclass
class Location:
    name: str = "甘井子区行政审批服务大厅 24小时自助区"
    address: str = "大连市甘井子区"
    region_code: str = "210211"


@dataclass
class Devices:
    """Transport URLs; ``sim://…`` selects a simulator, an empty string means no such device."""

    idcard: str = ""
    sscard: str = ""
    printer: str = ""
    camera: str = ""


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
class TouchCalibration:
    """The panel's raw readings at the screen's edges, per raw axis (before swap, invert and
    rotation). None: the range the panel itself reports. ``detect --write`` fills them in with
    that range; ``touch-test --write`` with what the four corner touches measured."""

    min_x: int | None = None
    max_x: int | None = None
    min_y: int | None = None
    max_y: int | None = None


@dataclass
class Touch:
    """The touchscreen read straight from the kernel (no desktop needed). ``device`` "" leaves
    touch to the window (a mouse, or the desktop's touch); "auto" takes every multi-touch panel
    Kivy's probesysfs finds; else the event node (``/dev/input/event3``, or a stable
    ``/dev/input/by-id/…`` link). The raw position is calibrated, then x and y swapped
    (``swap_xy``), inverted (``invert_x``/``invert_y``), and turned ``rotation`` degrees clockwise."""

    device: str = ""
    provider: str = "mtdev"  # mtdev (multi-touch panels) or hidinput (also single-touch ones)
    rotation: int = 0
    swap_xy: bool = False
    invert_x: bool = False
    invert_y: bool = False
    calibration: TouchCalibration = field(default_factory=TouchCalibration)


@dataclass
class NightDimming:
    """A darker screen at night while nobody uses the kiosk (attract screen only, never during
    a visit; a touch or a card brings full brightness back at once). ``start``/``end`` as
    ``HH:MM`` local time, "" for never; the window may cross midnight (23:00 to 06:00).
    ``percent`` is the brightness while dimmed, of full."""

    start: str = ""
    end: str = ""
    percent: int = 30


@dataclass
class Config:
    kiosk_id: str = ""
    location: Location = field(default_factory=Location)
    devices: Devices = field(default_factory=Devices)
    central: Central = field(default_factory=Central)
    timeouts: Timeouts = field(default_factory=Timeouts)
    languages: list[str] = field(default_factory=lambda: ["zh_CN", "en"])
    speech: bool = False
    simulation: bool = False  # set by the simulation harness; selftest refuses sim:// without it
    maintenance_pin_hash: str = ""
    log_levels: dict[str, str] = field(default_factory=dict)
    touch: Touch = field(default_factory=Touch)
    night_dimming: NightDimming = field(default_factory=NightDimming)

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
        elif cls is NightDimming and name in ("start", "end") and type(value) is int and 0 <= value < 24 * 60:
            values[name] = f"{value // 60:02d}:{value % 60:02d}"  # YAML 1.1 reads a bare 23:00 as 1380 (base 60)
        elif isinstance(default, int) and not isinstance(default, bool) and isinstance(value, bool):
            raise ConfigError(f"{where}.{name}: expected a whole number, got {value!r}")
        elif default is not None and not isinstance(value, type(default)):
            raise ConfigError(f"{where}.{name}: expected {type(default).__name__}, got {value!r}")
        elif isinstance(value, dict) and not all(isinstance(k, str) for k in value):
            raise ConfigError(f"{where}.{name}: every key must be text")
        else:
            values[name] = value
    return cls(**values)


def _numbers(data: Any, where: str) -> None:
    """Every float setting finite and positive (a YAML ``.nan`` or ``.inf`` would hang a wait)."""
    for f in fields(data):
        value = getattr(data, f.name)
        if is_dataclass(value):
            _numbers(value, f"{where}.{f.name}")
        elif isinstance(value, float) and not (math.isfinite(value) and value > 0):
            raise ConfigError(f"{where}.{f.name}: must be a positive number, not {value}")


def device_url_problem(url: str) -> str | None:
    """What is wrong with the numeric options of a device URL (``?timeout=nan``…), or None."""
    try:
        options = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    except ValueError as error:
        return f"{url!r}: {error}"
    for name, value in options:
        if name not in NUMERIC_URL_OPTIONS:
            continue
        try:
            number = float(value)
        except ValueError:
            return f"{url!r}: {name} must be a number, not {value!r}"
        if not (math.isfinite(number) and number > 0):
            return f"{url!r}: {name} must be a positive finite number, not {value!r}"
    return None


def log_level_problem(name: Any, level: Any) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return f"{name!r} is not a logger name"
    if not isinstance(level, str) or level.upper() not in LOG_LEVELS:
        return f"{name}: {level!r} is not a level; use one of {', '.join(LOG_LEVELS)}"
    return None


def check(config: Config, where: str) -> Config:
    """Refuse values that would fail later with a traceback instead of a clear message."""
    _numbers(config, where)
    for kind in ("idcard", "sscard", "printer", "camera"):
        url = getattr(config.devices, kind)
        if problem := device_url_problem(url):
            raise ConfigError(f"{where}.devices.{kind}: {problem}")
    for name, level in config.log_levels.items():
        if problem := log_level_problem(name, level):
            raise ConfigError(f"{where}.log_levels: {problem}")
    if not all(isinstance(lang, str) for lang in config.languages) or not config.languages:
        raise ConfigError(f"{where}.languages: expected a list of language codes")
    if problem := touch_problem(config.touch):
        raise ConfigError(f"{where}.touch.{problem}")
    if problem := night_dimming_problem(config.night_dimming):
        raise ConfigError(f"{where}.night_dimming.{problem}")
    return config


def clock_minutes(text: str) -> int | None:
    """Minutes after midnight of ``HH:MM`` (24-hour), or None if it is not such a time."""
    hours, colon, minutes = text.partition(":")
    if not (colon and hours.isdigit() and minutes.isdigit() and len(hours) in (1, 2) and len(minutes) == 2):
        return None
    if int(hours) > 23 or int(minutes) > 59:
        return None
    return int(hours) * 60 + int(minutes)


def night_dimming_problem(night: NightDimming) -> str | None:
    """What is wrong with the night dimming settings, as ``setting: reason``."""
    if not night.start and not night.end:
        return None
    for name in ("start", "end"):
        value = getattr(night, name)
        if not value:
            return f"{name}: missing; give both start and end (e.g. start: \"23:00\", end: \"06:00\"), or neither"
        if clock_minutes(value) is None:
            return f"{name}: {value!r} is not a time of day; write it as HH:MM in 24-hour time, e.g. \"23:00\""
    if clock_minutes(night.start) == clock_minutes(night.end):
        return f"end: the same as start ({night.start}); the screen would never, or always, be dimmed"
    low, high = DIM_PERCENT_RANGE
    if not low <= night.percent <= high:
        return (f"percent: {night.percent} is the brightness while dimmed; use {low} to {high} "
                f"(below {low} the kiosk looks switched off)")
    return None


def touch_problem(touch: Touch) -> str | None:
    """What is wrong with the touch settings, as ``setting: reason`` in a technician's words."""
    device = touch.device
    if device and device != "auto":
        if not device.startswith("/"):
            return (f"device: {device!r} is not a device path; give the full path such as "
                    "/dev/input/event3 (kiosk-provision detect lists them), or auto")
        if "," in device or "=" in device or any(c.isspace() for c in device):
            return f"device: {device!r} may not contain commas, '=' or spaces"
    if touch.provider not in TOUCH_PROVIDERS:
        return (f"provider: {touch.provider!r} is not a touch reader; use mtdev (multi-touch panels) "
                "or hidinput (also single-touch panels)")
    if touch.rotation not in TOUCH_ROTATIONS:
        return f"rotation: {touch.rotation!r} degrees; use 0, 90, 180 or 270"
    calibration = touch.calibration
    for axis in ("x", "y"):
        low, high = getattr(calibration, f"min_{axis}"), getattr(calibration, f"max_{axis}")
        for name, value in ((f"min_{axis}", low), (f"max_{axis}", high)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                return f"calibration.{name}: {value!r} is not a whole number (raw panel units)"
        if (low is None) != (high is None):
            return (f"calibration: give both min_{axis} and max_{axis}, or neither "
                    "(then the panel's own range is used)")
        if low is not None and high is not None and low >= high:
            return (f"calibration: min_{axis} ({low}) must be below max_{axis} ({high}); "
                    f"for a mirrored axis set invert_{axis}: true instead")
    return None


def config_path(folder: Path | None = None) -> Path:
    return (folder or state_dir()) / CONFIG_NAME


def load(folder: Path | None = None) -> Config:
    """The config in ``folder`` (default: the state folder); defaults when there is none."""
    path = config_path(folder)
    if not path.exists():
        return Config()
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte {error.start}); rewrite it with kiosk-provision configure") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    try:
        config = _build(Config, data, str(path))
    except TypeError as error:  # e.g. a list where a mapping was expected, deeper down
        raise ConfigError(f"{path}: {error}") from None
    return check(config, str(path))


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> Path:
    """``path`` holds ``data`` or its old content after a power cut, never a mix or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)  # the rename itself
    finally:
        os.close(dir_fd)
    return path


def save(config: Config, folder: Path | None = None) -> Path:
    """Write atomically and durably, so a power cut never leaves half a config."""
    text = yaml.safe_dump(config.to_dict(), allow_unicode=True, sort_keys=False)
    return write_atomically(config_path(folder), text.encode("utf-8"))


def load_secret(folder: Path | None = None) -> bytes:
    path = (folder or state_dir()) / KEY_NAME
    try:
        text = path.read_bytes().decode("ascii").strip()
        secret = bytes.fromhex(text)
    except OSError as error:
        raise ConfigError(f"{path}: no kiosk key ({error.strerror}); enrol the kiosk first") from None
    except ValueError:
        raise ConfigError(f"{path}: the kiosk key is not hex digits; enrol the kiosk again (--force)") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise ConfigError(f"{path}: the kiosk key is empty or too short; enrol the kiosk again (--force)")
    return secret


def save_secret(secret: bytes, folder: Path | None = None) -> Path:
    if len(secret) < MIN_SECRET_BYTES:
        raise ConfigError("refusing to store an empty or short kiosk key")
    return write_atomically((folder or state_dir()) / KEY_NAME, secret.hex().encode("ascii"), 0o600)
