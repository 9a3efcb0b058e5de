"""Home screen: 开办企业 and the 20 一件事 as a grid of tiles, with a search by keyword or pinyin initials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.properties import StringProperty
from kivy.uix.image import Image
from kivy.uix.widget import Widget

from kiosk.events import CatalogReloaded, Event
from kiosk.i18n import error_message
from kiosk.paths import ASSETS
from screens.base import KioskScreen, load_kv
from screens.components.controls import ScenarioTile
from screens.components.visit import with_help_pointer
from screens.navigation import Place
from wire.errors import KioskError

TILE_COLOURS = (
    (0.11, 0.37, 0.67, 1), (0.78, 0.06, 0.18, 1), (0.12, 0.48, 0.20, 1), (0.55, 0.27, 0.07, 1),
    (0.40, 0.20, 0.60, 1), (0.00, 0.45, 0.50, 1), (0.70, 0.35, 0.00, 1), (0.25, 0.30, 0.40, 1),
)
_PREFIXES = ("我要开", "我要办", "我要")


def tile_glyph(title: str) -> str:
    """The hanzi that stands for a scenario on its tile when it has no icon (我要开餐馆 → 餐)."""
    for prefix in _PREFIXES:
        if title.startswith(prefix) and len(title) > len(prefix):
            return title[len(prefix)]
    return title[:1]


def icon_path(icon: str) -> str:
    """assets/icons/<icon>.png (drawn by scripts/make_icons.py), or "" so the tile shows its hanzi."""
    if not icon:
        return ""
    for name in (icon, f"{icon}.png"):
        path = Path(ASSETS) / "icons" / name
        if path.is_file():
            return str(path)
    return ""


def tile_icons(tile: Widget) -> list[Image]:
    """The icon images inside a tile."""
    return [w for w in tile.walk(restrict=True) if isinstance(w, Image)]


class HomeScreen(KioskScreen):
    message = StringProperty("")
    query = StringProperty("")
    _tiles: dict[str, ScenarioTile] | None = None

    def on_enter(self, *_: object) -> None:
        self.message = ""
        self.fill()
        self.ids.scroll.scroll_y = 1  # every visit starts at the top of the list

    def on_leave(self, *_: object) -> None:
        self.ids.dock.hide()

    def refresh(self) -> None:
        self.fill()

    def on_kiosk_event(self, event: Event) -> None:
        if isinstance(event, CatalogReloaded):  # the centre had the catalog reloaded
            self._tiles = {}
            self.fill()

    def on_query(self, _screen: Any, _query: str) -> None:
        self.fill()

    def fill(self) -> None:
        grid = self.ids.grid
        grid.clear_widgets()
        lang = self.app.lang
        found = self.visit.search(self.query)
        for index, scenario in enumerate(found):
            reason = self.visit.unavailable_reason(scenario.id)
            tile = self._tile(scenario.id, scenario.title.zh, scenario.icon)
            tile.title = scenario.title.get(lang)
            tile.note = self.t(reason) if reason else ""
            tile.tile_colour = TILE_COLOURS[index % len(TILE_COLOURS)]
            grid.add_widget(tile)
        self.ids.empty.text = self.t("ui.home.no_match") if not found else ""

    def _tile(self, scenario_id: str, title_zh: str, icon: str) -> ScenarioTile:
        """The scenario's tile, made once: a tile's kv rules bind to app.theme, so fresh tiles on
        every visit would pile up bindings on the theme for as long as the kiosk runs."""
        if self._tiles is None:
            self._tiles = {}
        tile = self._tiles.get(scenario_id)
        if tile is None:
            tile = ScenarioTile(scenario_id=scenario_id, glyph=tile_glyph(title_zh), icon_source=icon_path(icon))
            tile.bind(on_release=self._chosen)
            self._tiles[scenario_id] = tile
        return tile

    def _chosen(self, tile: ScenarioTile) -> None:
        self.choose(tile.scenario_id)

    def choose(self, scenario_id: str) -> None:
        try:
            self.visit.begin(scenario_id)
        except KioskError as error:
            self.message = with_help_pointer(error_message(error, self.app.lang), self.app.lang)
            return
        self.app.show(self.visit.navigator.start())

    def track(self) -> None:
        """办件查询: follow an application with its receipt (no card needed)."""
        self.app.go(Place.TRACK)

    def clear_search(self) -> None:
        self.ids.search.text = ""
        self.query = ""

    def wipe(self) -> None:
        self.message = ""
        if "search" in self.ids:
            self.clear_search()
            # the next citizen starts with the tiles, not the last one's keyboard (in 大字 it left
            # the list 7 pixels high)
            self.ids.dock.wipe()


load_kv(__file__)
