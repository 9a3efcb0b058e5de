"""Check your answers: one section per form page, "修改" beside each answer, "未填写" for skipped ones.

The submit button says "提交申请"; the scenario is already in the title bar.
"""

from __future__ import annotations

from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from screens.base import KioskScreen, load_kv
from screens.components.controls import KioskLabel


class AnswerRow(BoxLayout):
    label_text = StringProperty("")
    value_text = StringProperty("")
    page_id = StringProperty("")
    field_id = StringProperty("")
    skipped = StringProperty("")


class CheckScreen(KioskScreen):
    submit_text = StringProperty("")
    message = StringProperty("")

    def on_enter(self, *_: object) -> None:
        self.fill()

    def refresh(self) -> None:
        if self.visit.session is not None:
            self.fill()

    def fill(self) -> None:
        flow = self.visit.flow
        lang = self.app.lang
        self.submit_text = self.t("ui.check.submit_plain")  # the title stays in the header, not the button
        self.message = ""
        box = self.ids.sections
        box.clear_widgets()
        for section in flow.summary(lang):  # option labels in the visit's language
            box.add_widget(KioskLabel(text=section.page.title.get(lang), tone="accent", bold=True,
                                      font_size=self.app.theme.font_l))
            for row in section.rows:
                value = row.display
                answer = AnswerRow(
                    label_text=row.field.label.get(lang),
                    value_text=value if value is not None else self.t("ui.check.not_filled"),
                    skipped="yes" if value is None else "",
                    page_id=section.page.id,
                    field_id=row.field.id,
                )
                answer.ids.change.bind(on_release=lambda _b, a=answer: self.change(a.page_id, a.field_id))
                box.add_widget(answer)

    def change(self, _page_id: str, field_id: str) -> None:
        self.app.show(self.visit.navigator.change(field_id))

    def back(self) -> None:
        self.retreat()

    def submit(self) -> None:
        self.advance()  # an incomplete form comes back as the page of its first missing answer

    def wipe(self) -> None:
        self.submit_text = self.message = ""
        if "sections" in self.ids:
            self.ids.sections.clear_widgets()


Builder.load_string("""
#:import t kiosk.i18n.t

# Label, value and button hang from the row's top with the same font and the same top
# padding, so label and value share the first line's baseline (and a one-line answer sits
# level with the centre of its button) however many lines the value wraps to.
<AnswerText@KioskLabel>:
    pos_hint: {'top': 1}
    padding: 0, max(0, (app.theme.touch - self.font_size * 1.3) / 2)

<AnswerRow>:
    size_hint_y: None
    height: max(app.theme.touch, label.height, value.height) + app.theme.gap / 2
    spacing: app.theme.gap
    AnswerText:
        id: label
        text: root.label_text
        tone: 'muted'
        size_hint_x: 0.3
    AnswerText:
        id: value
        text: root.value_text
        tone: 'muted' if root.skipped else 'text'
        italic: bool(root.skipped)
        size_hint_x: 0.5
    KioskButton:
        id: change
        role: 'secondary'
        pos_hint: {'top': 1}
        size_hint_x: None
        width: app.theme.touch * 2
        text: t('ui.check.change', app.lang)
""")
load_kv(__file__)
