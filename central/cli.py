"""``kiosk-central``: run the reference central server and work the fleet from the back office."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import central.commands
from kiosk.cli_support import build_parser, run


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(
        "kiosk-central",
        "The kiosks' central server and back office: serve the API, make tokens and pairing "
        "codes, list the fleet, pull a kiosk's logs, queue commands, revoke a kiosk.",
        central.commands,
    )
    return run(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
