"""Which department decides each catalog item (事项), and the catalog's field labels.

Read through ``kiosk.catalog`` (which imports nothing of devices/ or the UI), once per process,
on first use: importing the centre's app loads no kiosk package (tests/foundation/test_layers).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.catalog import Catalog

UNROUTED = "未分派"


@dataclass(frozen=True)
class ItemInfo:
    id: str
    title: str
    department: str


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    from kiosk.catalog import load_catalog

    return load_catalog()


@lru_cache(maxsize=1)
def catalog_items() -> dict[str, ItemInfo]:
    return {
        item.id: ItemInfo(item.id, item.title.zh, item.department.zh)
        for item in catalog().items.values()
    }


@lru_cache(maxsize=1)
def field_labels() -> dict[str, str]:
    """Field id → its Chinese label, from the shared library and the items' own fields."""
    labels = {field.id: field.label.zh for field in catalog().fields.values()}
    for item in catalog().items.values():
        for field in item.fields:
            labels.setdefault(field.id, field.label.zh)
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
