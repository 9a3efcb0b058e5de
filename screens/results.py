"""Results of the 情形 questions: which permits apply, their time limits and fees, and what to bring."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.catalog.time_limits import deadline_lines, processing_lines
from screens.base import KioskScreen, load_kv
from screens.components.controls import KioskLabel
from screens.components.visit import glossary_notes
from screens.navigation import Place


class BulletRow(BoxLayout):
    """"• text" with the bullet on the text's first line, the text wrapping beside it."""

    text = StringProperty("")
    tone = OptionProperty("text", options=["text", "muted", "error", "ok", "header_text", "accent"])
    bold = BooleanProperty(False)
    font_size = NumericProperty(0)
class ResultsScreen(KioskScreen):
    summary = StringProperty("")
    refusal = StringProperty("")  # a stop rule holds: why the kiosk cannot take this, and the law
    more_below = BooleanProperty(False)  # the list goes on below the fold: show "向下滑动查看更多 ▼"

    def update_cue(self, *_: object) -> None:
        Clock.schedule_once(self._update_cue, 0)

    def _update_cue(self, *_: object) -> None:
        scroll = self.ids.scroll
        overflow = self.ids.columns.height - scroll.height
        self.more_below = overflow > 1 and scroll.scroll_y > 0.001

    def on_enter(self, *_: object) -> None:
        self.fill()

    def refresh(self) -> None:
        if self.visit.session is not None:
            self.fill()

    def fill(self) -> None:
        flow = self.visit.flow
        lang = self.app.lang
        items = flow.items()
        materials = flow.materials()
        self.summary = self.t("ui.results.summary", items=len(items), materials=len(materials))
        box = self.ids.item_list
        box.clear_widgets()
        stop = flow.stop()
        self.refusal = ""
        if stop is not None:
            basis = "；".join(str(b) for b in stop.sources.basis)
            self.summary = self.t("catalog.stop.title")
            self.refusal = stop.reason.get(lang) + ("\n" + self.t("catalog.stop.basis", basis=basis) if basis else "")
            items, materials = [], []
        jargon: list[str] = []
        for item in items:
            box.add_widget(BulletRow(text=item.title.get(lang), bold=True, font_size=self.app.theme.font_m))
            parts = [self.t("ui.results.department", department=item.department.get(lang))]
            parts += processing_lines(item, lang) + deadline_lines(item, lang, with_basis=False)
            fee = item.fee.get(lang)
            if fee:
                parts.append(self.t("ui.results.fee", fee=fee))
            details = "   ".join(parts)
            jargon.append(details)
            box.add_widget(KioskLabel(text=details, tone="muted", font_size=self.app.theme.font_s,
                                      padding=(self.app.theme.font_m * 1.1 + self.app.theme.gap / 3, 0, 0, 0)))
        need = self.ids.materials
        need.clear_widgets()
        for need_item in materials:
            material = need_item.material
            kind = self.t("ui.results.original" if material.original else "ui.results.copy", copies=material.copies)
            how = self.t("ui.results.capture") if material.capture else self.t("ui.results.bring")
            text = self.t("ui.results.material_line", name=material.name.get(lang), kind=kind, how=how)
            jargon.append(text)
            need.add_widget(BulletRow(text=text, font_size=self.app.theme.font_s))
        if not materials:
            need.add_widget(KioskLabel(text=self.t("ui.results.no_materials"), tone="muted"))
        notes = self.ids.notes
        notes.clear_widgets()
        seen: set[str] = set()
        for text in jargon:
            for note in glossary_notes(text, lang, seen):
                notes.add_widget(note)
        self.ids.scroll.scroll_y = 1
        self.update_cue()

    def back(self) -> None:
        self.retreat()

    def open_guide(self) -> None:
        self.app.go(Place.GUIDE)

    def start_form(self) -> None:
        self.advance()

    def wipe(self) -> None:
        self.summary = self.refusal = ""
        for name in ("item_list", "materials", "notes"):
            if name in self.ids:
                self.ids[name].clear_widgets()


load_kv(__file__)
