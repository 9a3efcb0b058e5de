"""Results of the 情形 questions: which permits apply, their time limits and fees, and what to bring."""

from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from kiosk.catalog.time_limits import deadline_lines, processing_lines
from screens.base import KioskScreen, load_kv
from screens.components.controls import KioskLabel
from screens.navigation import Place


class ResultsScreen(KioskScreen):
    summary = StringProperty("")

    def on_enter(self, *_: Any) -> None:
        self.fill()

    def refresh(self) -> None:
        if self.facade.session is not None:
            self.fill()

    def fill(self) -> None:
        flow = self.facade.flow
        lang = self.app.lang
        items = flow.items()
        materials = flow.materials()
        self.summary = self.t("ui.results.summary", items=len(items), materials=len(materials))
        box = self.ids.item_list
        box.clear_widgets()
        for item in items:
            box.add_widget(KioskLabel(text=item.title.get(lang), bold=True, font_size=self.app.theme.font_m))
            parts = [self.t("ui.results.department", department=item.department.get(lang))]
            parts += processing_lines(item, lang) + deadline_lines(item, lang, with_basis=False)
            fee = item.fee.get(lang) if hasattr(item.fee, "get") else str(item.fee)
            if fee:
                parts.append(self.t("ui.results.fee", fee=fee))
            box.add_widget(KioskLabel(text="   ".join(parts), tone="muted", font_size=self.app.theme.font_s))
        need = self.ids.materials
        need.clear_widgets()
        for need_item in materials:
            material = need_item.material
            kind = self.t("ui.results.original" if material.original else "ui.results.copy", copies=material.copies)
            how = self.t("ui.results.capture") if material.capture else self.t("ui.results.bring")
            need.add_widget(
                KioskLabel(text=f"• {material.name.get(lang)}（{kind}，{how}）", font_size=self.app.theme.font_s)
            )
        if not materials:
            need.add_widget(KioskLabel(text=self.t("ui.results.no_materials"), tone="muted"))

    def back(self) -> None:
        self.retreat()

    def open_guide(self) -> None:
        self.app.go(Place.GUIDE)

    def start_form(self) -> None:
        self.advance()

    def wipe(self) -> None:
        self.summary = ""
        for name in ("item_list", "materials"):
            if name in self.ids:
                self.ids[name].clear_widgets()


load_kv(__file__)
