"""Shared plumbing for the three command-line tools (``kiosk``, ``kiosk-provision``, ``kiosk-central``).

Each tool is a package of command modules; every module in it that defines
``register(subparsers)`` adds its own sub-command, so a command exists only once its code does.
A :class:`KioskError` ends the command with its plain-words message and its exit code; an
``OSError`` (a path that cannot be read or written, a full disk) with a one-line message and
exit code 74, never a traceback. Error text is masked like a log line (no ID number or phone).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from kiosk.i18n import error_message, t
from kiosk.logs import mask_text
from wire.errors import ExitCode, KioskError

Handler = Callable[[argparse.Namespace], int | None]


def build_parser(prog: str, description: str, *packages: ModuleType) -> argparse.ArgumentParser:
    """One parser with the sub-commands of every command package, in order (a tool whose
    commands live in several layers, like ``kiosk``, passes one package per layer)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for package in packages:
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            register = getattr(module, "register", None)
            if register is not None:
                register(sub)
    return parser


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None = None) -> int:
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return ExitCode.USAGE
    try:
        return int(handler(args) or 0)
    except KioskError as error:
        # Masked like a log line: a detail may quote what a card or a citizen gave us.
        print(f"error: {mask_text(error_message(error, 'en'))}", file=sys.stderr)
        if error.detail:
            print(mask_text(error.detail), file=sys.stderr)
        return error.exit_code
    except OSError as error:
        # A file or device the command was pointed at: unreadable, missing, disk full…
        where = f" ({error.filename})" if error.filename else ""
        print(f"error: {mask_text(t('error.io', 'en', reason=error.strerror or error))}{where}",
              file=sys.stderr)
        return ExitCode.IO_ERROR
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
