"""The catalog of items (事项) and scenarios, loaded from assets/catalog into typed models."""

from kiosk.catalog.loader import DEFAULT_DIR, load_catalog
from kiosk.catalog.models import (
    Catalog,
    Field,
    Item,
    ItemRef,
    Material,
    Option,
    Page,
    Question,
    Scenario,
    Text,
)

__all__ = [
    "DEFAULT_DIR",
    "Catalog",
    "Field",
    "Item",
    "ItemRef",
    "Material",
    "Option",
    "Page",
    "Question",
    "Scenario",
    "Text",
    "load_catalog",
]
