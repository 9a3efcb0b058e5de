"""Bounds on the JSON the centre stores from clients, and a safe reading of what is stored.

A kiosk's ``location``, ``versions`` and a submission's ``document`` are stored as JSON and
later serialised again for the back office. JSON nested hundreds deep is refused on the way in
(``check``), and a row stored before these bounds existed is read back as a marker instead of
breaking every page that lists it (``readable``).
"""

from __future__ import annotations

from typing import Any

from central.deps import Refusal

MAX_STORED_DEPTH = 64  # what reading back tolerates; larger than any limit given to ``check``
UNREADABLE = {"_unreadable": f"stored JSON nested deeper than {MAX_STORED_DEPTH} levels"}


def depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests containers more than ``limit`` deep (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if level > limit:
            return True
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return False


def check(value: Any, what: str, *, max_depth: int, max_bytes: int) -> None:
    """Refuse (422) a client's JSON nested deeper than ``max_depth`` or longer than ``max_bytes``."""
    if depth_exceeds(value, max_depth):
        raise Refusal(422, "json_too_deep", f"{what}: nested more than {max_depth} levels")
    from central.db import json_text

    if len(json_text(value)) > max_bytes:
        raise Refusal(422, "json_too_large", f"{what}: more than {max_bytes} bytes")


def readable(value: Any) -> Any:
    return UNREADABLE if depth_exceeds(value, MAX_STORED_DEPTH) else value
