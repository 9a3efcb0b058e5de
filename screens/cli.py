"""``kiosk``: the runtime's command line, composed in the top layer.

The runtime's own commands (``kiosk.commands``: catalog checks, headless flow walks) and the
ones that open the touchscreen (``screens.commands``: ``run``) share one parser. Importing this
module imports no Kivy: a command loads it only when it runs, so ``kiosk catalog check`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import kiosk.commands
import screens.commands
from kiosk.cli_support import build_parser, run


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(
        "kiosk", "The 24-hour self-service kiosk runtime.", kiosk.commands, screens.commands
    )
    return run(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
