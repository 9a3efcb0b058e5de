"""``kiosk``: the runtime's command line (catalog checks, headless flow walks, running the kiosk)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import kiosk.commands
from kiosk.cli_support import build_parser, run


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser("kiosk", "The 24-hour self-service kiosk runtime.", kiosk.commands)
    return run(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
