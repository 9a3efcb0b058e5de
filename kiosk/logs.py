"""The kiosk's logs: JSON lines, rotated by size and age, with personal data masked on the way out.

Every line has ``ts`` (UTC ISO 8601), ``level``, ``logger``, ``kiosk`` (the kiosk id), ``session``
(a random id per citizen session, linked to no person), ``event`` (a stable key), ``msg`` and any
extra fields. Masking happens in the formatter, so no handler can write unmasked text:

* 公民身份号码 (18 characters ending in a digit or X, also written in groups with spaces or
  hyphens, or in full-width digits) keep 3 + 2 characters (:func:`identity.idnumber.mask`);
  a valid 统一社会信用代码 is a company's, so it stays; 15-digit first-generation numbers too;
* mobile numbers (``1[3-9]`` + 9 digits, with or without ``+86``/``0086``/``86``, in groups
  such as ``138-0013-8000`` or ``138 0013 8000``, full-width or not) keep 3 + 4 digits;
* values logged under the id of a field the catalog declares ``personal`` (:func:`declare_personal`);
* street addresses with a house number found in free text;
* whatever the session registered with :func:`register_sensitive` (the citizen's name,
  address, phone), wherever it appears, until :func:`clear_sensitive`.

:func:`read_range` gives back the lines of a time range for the heartbeat's ``upload_logs``.
:func:`setup` also replaces the uncaught-exception hooks (main thread and worker threads), so a
traceback that reaches stderr (the systemd journal) is masked by the same rules, and logging's
``Handler.handleError`` (a failed write, a bad format string), which would print the raw message
and its arguments to stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
import os
import re
import secrets
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from identity import idnumber

LOG_NAME = "kiosk.log"
MASK = "***"

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Z]{2}\d{6}[0-9A-Z]{9}[0-9A-Z](?![0-9A-Za-z])", re.I)
# Digits written apart: groups split by one space or hyphen (after full-width forms are folded).
_ID_SPACED = re.compile(r"(?<![0-9A-Za-z])[1-9](?:[ \-]?\d){16}[ \-]?[\dXx](?![0-9A-Za-z])")
_ID_15 = re.compile(r"(?<![0-9A-Za-z])[1-9](?:[ \-]?\d){14}(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![\d+])(?:(?:\+|00)[ \-]?86[ \-]?|86[ \-]?)?(1[3-9](?:[ \-]?\d){9})(?!\d)")
_SEPARATORS = re.compile(r"[ \-]")
_FULL_WIDTH = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "ｘ": "x", "＋": "+", "－": "-", "\u3000": " "}
)
_STREET = re.compile(
    r"[\u4e00-\u9fa5A-Za-z0-9]{0,30}?(?:路|街|大道|道|巷|弄|胡同|村|里|小区|公寓|大厦)"
    r"[\u4e00-\u9fa5A-Za-z0-9\-－#]*?\d+\s*[号號栋幢楼单元室层](?:[\u4e00-\u9fa5A-Za-z0-9\-－#]*\d+\s*[号栋幢楼单元室层户])*"
)
_LABELLED = re.compile(r"((?:姓名|名字|住址|地址|电话|手机)\s*[:：=]\s*)([^\s,，;；。\"'}]+)")

# USCC (GB 32100-2015) alphabet and weights, to tell a company's code from an ID number.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def is_uscc(code: str) -> bool:
    """Whether ``code`` is a 统一社会信用代码 with a correct check character."""
    code = code.upper()
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31] == code[17]


def _mask_id_like(match: re.Match[str]) -> str:
    text = _SEPARATORS.sub("", match.group(0))
    if idnumber.problem(text.upper()) is None:
        return idnumber.mask(text)
    if is_uscc(text):
        return text
    if idnumber.PATTERN.fullmatch(text):  # a mistyped ID number is still someone's
        return idnumber.mask(text)
    return match.group(0)


def _mask_id_15(match: re.Match[str]) -> str:
    """A first-generation number: 6-digit region, yymmdd, 3-digit sequence."""
    digits = _SEPARATORS.sub("", match.group(0))
    month, day = int(digits[8:10]), int(digits[10:12])
    if 1 <= month <= 12 and 1 <= day <= 31:
        return idnumber.mask(digits)
    return match.group(0)


def _mask_phone(match: re.Match[str]) -> str:
    digits = _SEPARATORS.sub("", match.group(1))
    return f"{digits[:3]}****{digits[-4:]}"


class _Sensitive:
    """Values registered by the current citizen session (one citizen at a time per kiosk)."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, value: str) -> None:
        value = value.strip()
        if len(value) >= 2:
            with self._lock:
                self._values.add(value)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def snapshot(self) -> list[str]:
        with self._lock:
            return sorted(self._values, key=len, reverse=True)


_sensitive = _Sensitive()
_declared: set[str] = set()
_declared_lock = threading.Lock()
_state = {"kiosk": "", "session": ""}


def register_sensitive(*values: str | None) -> None:
    """Mask these values (a citizen's name, address, phone…) wherever they appear from now on."""
    for value in values:
        if value:
            _sensitive.add(str(value))


def clear_sensitive() -> None:
    _sensitive.clear()


def set_kiosk_id(kiosk_id: str) -> None:
    _state["kiosk"] = kiosk_id


def new_session() -> str:
    """Start a citizen session's log id: random, so it links lines, never a person."""
    _state["session"] = secrets.token_hex(8)
    return _state["session"]


def end_session() -> None:
    _state["session"] = ""
    clear_sensitive()


def current_session() -> str:
    return _state["session"]


def mask_text(text: str) -> str:
    """``text`` with every personal datum the rules know of replaced."""
    for value in _sensitive.snapshot():
        if value in text:
            text = text.replace(value, MASK)
    text = text.translate(_FULL_WIDTH)
    text = _ID_LIKE.sub(_mask_id_like, text)
    text = _ID_SPACED.sub(_mask_id_like, text)
    text = _ID_15.sub(_mask_id_15, text)
    text = _PHONE.sub(_mask_phone, text)
    text = _LABELLED.sub(lambda m: m.group(1) + MASK, text)
    return _STREET.sub(MASK, text)


def declare_personal(field_ids: Iterable[str]) -> None:
    """The catalog's fields declared ``personal``: a logged value under one of these keys (at any
    depth, e.g. ``answers.applicant.name``) is masked whole, whatever it looks like."""
    with _declared_lock:
        _declared.clear()
        _declared.update(field_ids)


def _is_personal_key(key: str) -> bool:
    with _declared_lock:
        declared = frozenset(_declared)
    return any(key == name or key.endswith("." + name) for name in declared)


def mask_value(value: Any, key: str = "") -> Any:
    """A JSON-able copy of ``value`` with personal data masked (keys decide for whole values)."""
    if key and _is_personal_key(key) and value not in (None, "", [], {}):
        return MASK
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        # Dotted paths, so "enterprise.name" is told apart from "applicant.name".
        return {str(k): mask_value(v, f"{key}.{k}" if key else str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [mask_value(v, key) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return mask_text(str(value))


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception as error:  # a bad format string still gives a (masked) line, not a lost one
        return f"{record.msg} (unformattable arguments: {type(error).__name__})"


class JsonFormatter(logging.Formatter):
    """One masked JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": _iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "kiosk": _state["kiosk"],
            "session": _state["session"],
            "event": getattr(record, "event", "") or "",
            "msg": _message(record),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line:
                line[key] = value
        if record.exc_info:
            line["exc"] = "".join(traceback.format_exception(*record.exc_info))
        fields = {k: mask_value(v, k) for k, v in line.items() if k not in ("ts", "level", "logger")}
        return json.dumps({**{k: line[k] for k in ("ts", "level", "logger")}, **fields},
                          ensure_ascii=False, default=str)


def masked_handle_error(handler: logging.Handler, record: logging.LogRecord) -> None:
    """``Handler.handleError`` without the raw message and arguments (they may be a citizen's).

    The standard one prints the record's ``msg`` and ``args`` to stderr, which the journal keeps.
    This one says which handler failed, why (masked) and where the call was, nothing more.
    """
    if not logging.raiseExceptions or sys.stderr is None:
        return
    kind, value, _ = sys.exc_info()
    try:
        sys.stderr.write(
            f"logging failed in {type(handler).__name__}: "
            f"{kind.__name__ if kind else 'error'}: {mask_text(str(value))}\n"
            f"  logger {record.name}, event {getattr(record, 'event', '') or '-'}, "
            f"template {mask_text(str(record.msg))!r}, called at {record.pathname}:{record.lineno}\n"
        )
        sys.stderr.flush()
    except Exception:  # stderr itself failing leaves nowhere to report to
        pass


class SizeAndAgeRotatingHandler(logging.handlers.RotatingFileHandler):
    """Rotates when the file passes ``max_bytes`` or is older than ``max_age_seconds``."""

    def __init__(self, filename: Path, *, max_bytes: int, backup_count: int, max_age_seconds: float) -> None:
        super().__init__(filename, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8")
        self.max_age_seconds = max_age_seconds
        self._started = self._first_line_time(Path(filename)) or time.time()

    @staticmethod
    def _first_line_time(path: Path) -> float | None:
        try:
            with path.open(encoding="utf-8") as handle:
                first = handle.readline()
            return _parse_ts(json.loads(first)["ts"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def shouldRollover(self, record: logging.LogRecord) -> int:
        if self.max_age_seconds and record.created - self._started >= self.max_age_seconds:
            return 1
        return super().shouldRollover(record)

    def doRollover(self) -> None:
        super().doRollover()
        self._started = time.time()

    def handleError(self, record: logging.LogRecord) -> None:
        masked_handle_error(self, record)


def setup(
    folder: Path,
    *,
    kiosk_id: str = "",
    levels: dict[str, str] | None = None,
    max_bytes: int = 5_000_000,
    backup_count: int = 10,
    max_age_seconds: float = 86_400.0,
    root_level: str = "INFO",
) -> logging.Handler:
    """Send every logger's records to ``<folder>/kiosk.log``; ``levels`` as in config.log_levels."""
    folder.mkdir(parents=True, exist_ok=True)
    set_kiosk_id(kiosk_id)
    handler = SizeAndAgeRotatingHandler(
        folder / LOG_NAME, max_bytes=max_bytes, backup_count=backup_count, max_age_seconds=max_age_seconds
    )
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, SizeAndAgeRotatingHandler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(root_level.upper())
    for name, level in (levels or {}).items():
        logging.getLogger(name).setLevel(str(level).upper())
    install_excepthooks()
    return handler


_uncaught_log = logging.getLogger("kiosk.uncaught")


def _report_uncaught(
    kind: type[BaseException], value: BaseException | None, tb: Any, where: str
) -> None:
    """Log an uncaught exception (masked) and print its masked traceback to stderr.

    The default hooks print ``repr``/``str`` of the exception to stderr, which systemd keeps in
    the journal: an exception whose message holds a citizen's data would bypass the formatter.
    """
    if issubclass(kind, KeyboardInterrupt):
        sys.stderr.write("KeyboardInterrupt\n")
        return
    _uncaught_log.critical(
        "uncaught exception in %s", where, exc_info=(kind, value, tb), extra={"event": "uncaught"}
    )
    text = "".join(traceback.format_exception(kind, value, tb))
    sys.stderr.write(f"uncaught exception in {where}:\n{mask_text(text)}")
    sys.stderr.flush()


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if issubclass(args.exc_type, SystemExit):
        return
    name = args.thread.name if args.thread is not None else "a thread"
    _report_uncaught(args.exc_type, args.exc_value, args.exc_traceback, f"thread {name}")


def _main_hook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
    _report_uncaught(kind, value, tb, "the main thread")


def install_excepthooks() -> None:
    """Route uncaught exceptions of every thread through the masking (done by :func:`setup`)."""
    sys.excepthook = _main_hook
    threading.excepthook = _thread_hook
    # Every handler (Kivy's console one too) reports its failures through the masking.
    logging.Handler.handleError = masked_handle_error  # type: ignore[method-assign]


def event(logger: logging.Logger, key: str, msg: str = "", *, level: int = logging.INFO, **fields: Any) -> None:
    """Log a structured event: ``key`` is stable, ``fields`` become top-level JSON fields."""
    logger.log(level, msg or key, extra={"event": key, **fields})


def _parse_ts(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def log_files(folder: Path) -> list[Path]:
    """The current file and its rotated backups, oldest first."""
    base = folder / LOG_NAME
    backups = [p for p in folder.glob(LOG_NAME + ".*") if p.suffix[1:].isdigit()]
    backups.sort(key=lambda p: int(p.suffix[1:]), reverse=True)  # .1 is the newest backup
    return [*backups, base] if base.exists() else backups


def read_range(folder: Path, since: float, until: float) -> Iterator[str]:
    """Every log line (as written, already masked) with ``since <= ts < until``."""
    for path in log_files(folder):
        try:
            if os.path.getmtime(path) < since:
                continue  # nothing in it is new enough
            handle = path.open(encoding="utf-8", errors="replace")
        except OSError:
            continue
        with handle:
            for line in handle:
                try:
                    ts = _parse_ts(json.loads(line)["ts"])
                except (ValueError, KeyError, TypeError):
                    continue
                if since <= ts < until:
                    yield line.rstrip("\n")
