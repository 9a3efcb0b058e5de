"""The 办事指南 behind the results screen's button: the whole guide of the chosen scenario, so a
citizen can read conditions, time limits, materials and legal basis before starting (一次告知)."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.catalog.guide import build_guide, render_text
from screens.base import KioskScreen, load_kv
from screens.components.controls import KioskLabel

# One label per paragraph: a single huge label would exceed the GPU's texture size.
HEADING = "■ "


class GuideScreen(KioskScreen):
    title = StringProperty("")

    def on_enter(self, *_: object) -> None:
        self.fill()

    def refresh(self) -> None:
        if self.visit.session is not None:
            self.fill()

    def fill(self) -> None:
        flow = self.visit.flow
        guide = build_guide(flow.catalog, flow.scenario_id, self.app.lang)
        self.title = self.t("catalog.guide.title", title=guide.title)
        box = self.ids.guide_text
        box.clear_widgets()
        theme = self.app.theme
        for paragraph in render_text(guide).split("\n")[1:]:
            if not paragraph.strip():
                continue
            heading = paragraph.startswith(HEADING)
            box.add_widget(
                KioskLabel(
                    text=paragraph.rstrip(),
                    bold=heading,
                    tone="accent" if heading else "text",
                    font_size=theme.font_m if heading else theme.font_s,
                )
            )

    def close(self) -> None:
        if self.app.step is not None:
            self.app.show(self.app.step)  # back to the step the guide was opened from

    def wipe(self) -> None:
        self.title = ""
        if "guide_text" in self.ids:
            self.ids.guide_text.clear_widgets()


load_kv(__file__)
