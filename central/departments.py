"""Which department decides each catalog item (事项), read from assets/catalog/items/*.yaml.

The centre reads the YAML itself instead of importing ``kiosk.catalog``: that package pulls in
``kiosk.errors`` and through it ``devices.errors``, and central/ must not depend on devices/.
Only ``id``, ``title`` and ``department`` are read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from kiosk.paths import ASSETS

UNROUTED = "未分派"


@dataclass(frozen=True)
class ItemInfo:
    id: str
    title: str
    department: str


@lru_cache(maxsize=4)
def catalog_items(catalog_dir: Path = ASSETS / "catalog") -> dict[str, ItemInfo]:
    items: dict[str, ItemInfo] = {}
    for path in sorted((catalog_dir / "items").glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if not isinstance(entry, dict) or "id" not in entry:
                continue
            title = entry.get("title") or {}
            department = entry.get("department") or {}
            items[str(entry["id"])] = ItemInfo(
                id=str(entry["id"]),
                title=str(title.get("zh", "")) if isinstance(title, dict) else str(title),
                department=str(department.get("zh", ""))
                if isinstance(department, dict)
                else str(department),
            )
    return items


@lru_cache(maxsize=4)
def field_labels(catalog_dir: Path = ASSETS / "catalog") -> dict[str, str]:
    """Field id → its Chinese label, from the shared library and the items' own fields."""
    entries = list(yaml.safe_load((catalog_dir / "fields.yaml").read_text(encoding="utf-8")) or [])
    for path in sorted((catalog_dir / "items").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if isinstance(item, dict):
                entries += [f for f in item.get("fields") or [] if isinstance(f, dict)]
    labels: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, dict) and "id" in entry and isinstance(entry.get("label"), dict):
            labels[str(entry["id"])] = str(entry["label"].get("zh", entry["id"]))
    return labels


def all_departments() -> list[str]:
    return sorted({item.department for item in catalog_items().values() if item.department})


def route(document_items: list[object]) -> list[ItemInfo]:
    """The items of a submitted document with the department the catalog gives each.

    An item the catalog does not know keeps the department the kiosk sent, or goes to
    :data:`UNROUTED` for the front desk to route by hand.
    """
    known = catalog_items()
    routed: list[ItemInfo] = []
    for raw in document_items:
        if isinstance(raw, str):
            raw = {"id": raw}
        if not isinstance(raw, dict) or not raw.get("id"):
            continue
        item_id = str(raw["id"])[:128]
        info = known.get(item_id)
        if info is not None:
            routed.append(info)
        else:
            department = str(raw.get("department") or UNROUTED)[:128]
            routed.append(ItemInfo(item_id, str(raw.get("title", ""))[:255], department))
    return routed
