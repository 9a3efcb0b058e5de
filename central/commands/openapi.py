"""``kiosk-central openapi``: print or write the API's OpenAPI document (central/openapi.json)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from central.app import create_app


def spec() -> dict[str, Any]:
    """The OpenAPI document of a throwaway app (its database never holds anything)."""
    with tempfile.TemporaryDirectory(prefix="kiosk-central-openapi-") as folder:
        app = create_app(data_dir=Path(folder), server_key=Fernet.generate_key())
        try:
            return app.openapi()
        finally:
            app.state.central.engine.dispose()


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "openapi",
        help="print the OpenAPI document",
        description="Print the API's OpenAPI document, or write it with --out "
        "(the committed copy is central/openapi.json).",
    )
    parser.add_argument("--out", type=Path, help="write to this file instead of printing")
    parser.set_defaults(handler=write)


def write(args: argparse.Namespace) -> int:
    text = render(spec())
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0
