"""``kiosk-provision``: the technician's tool (enrol, detect, configure, device tests, service)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import provisioning.commands
from kiosk.cli_support import build_parser, run


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(
        "kiosk-provision",
        "Set up a kiosk: enrol it, find and test its devices, install it as a service.",
        provisioning.commands,
    )
    return run(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
