"""What every visit screen shares besides the header: the stage indicator (身份 → … → 回执), the
呼叫工作人员 panel, the 结束办理 confirmation and plain-word notes for jargon.

The panel's words come from :meth:`kiosk.services.VisitService.help_advice` (the hall's facts are data
in ``assets/help/hall.yaml``); the glossary from ``assets/glossary.yaml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView

from kiosk.glossary import explanations
from kiosk.i18n import t

# The stages of a visit, in order, and the screens that belong to each.
STAGES: tuple[str, ...] = ("identify", "situation", "form", "materials", "check", "submit", "receipt")
STAGE_OF_SCREEN = {
    "identify": "identify",
    "questions": "situation",
    "results": "situation",
    "form": "form",
    "materials": "materials",
    "check": "check",
    "submitting": "submit",
    "receipt": "receipt",
    "rating": "receipt",
}
STAFF_PHRASES = ("请联系工作人员", "联系工作人员", "请联系值班人员")


class StageBar(BoxLayout):
    """身份 → 情形 → 填表 → 材料 → 核对 → 提交 → 回执, the current one filled and bold."""

    stage = StringProperty("")
    stages = ListProperty(list(STAGES))

    def state_of(self, name: str) -> str:
        """"done", "current" or "todo" for one stage."""
        if self.stage not in STAGES:
            return "todo"
        here, there = STAGES.index(self.stage), STAGES.index(name)
        return "current" if here == there else ("done" if there < here else "todo")


class StageChip(BoxLayout):
    name = StringProperty("")
    state = StringProperty("todo")
    last = BooleanProperty(False)


class GlossaryNote(BoxLayout):
    """"ⓘ 数电发票：全面数字化的电子发票……" under a text that uses the term."""

    term = StringProperty("")
    explanation = StringProperty("")


def glossary_notes(text: str, lang: str, seen: set[str] | None = None) -> list[GlossaryNote]:
    """One note per jargon term in ``text`` (each term once per screen when ``seen`` is shared)."""
    notes = []
    for term, explanation in explanations(text, lang):
        if seen is not None:
            if term in seen:
                continue
            seen.add(term)
        notes.append(GlossaryNote(term=term, explanation=explanation))
    return notes


def with_help_pointer(message: str, lang: str) -> str:
    """"…，请联系工作人员。" becomes "…，请点屏幕上方的“呼叫工作人员”……": at 3 a.m. there is
    nobody to contact, and the panel says what to do instead."""
    for phrase in STAFF_PHRASES:
        if phrase in message:
            return message.replace(phrase, t("ui.help.pointer", lang), 1)
    lowered = message.lower()
    for phrase in ("ask staff", "ask a member of staff", "contact staff"):
        at = lowered.find(phrase)
        if at >= 0:
            return message[:at] + t("ui.help.pointer", lang) + message[at + len(phrase):]
    return message


class HelpPanel(ModalView):
    """呼叫工作人员: what to do at this hour, and whether the back office was told."""

    headline = StringProperty("")
    lines = StringProperty("")
    sent = StringProperty("")
    staffed = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("auto_dismiss", False)
        super().__init__(**kwargs)

    def show(self, advice: Any, sent: bool) -> None:
        lang = App.get_running_app().lang
        self.staffed = advice.staffed
        self.headline = advice.headline
        self.lines = "\n".join(f"• {line}" for line in advice.lines)
        self.sent = t("ui.help.sent" if sent else "ui.help.not_sent", lang)


class ConfirmExit(ModalView):
    """结束办理 asks first: "确定结束？您填写的内容将被清除". Cancelling keeps everything."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("auto_dismiss", False)
        super().__init__(**kwargs)
        self.ids.confirm.confirm_exit = True  # what the scripted citizen's 结束办理 looks for

    def confirm(self) -> None:
        self.dismiss()
        App.get_running_app().end_visit("cancel")

    def cancel(self) -> None:
        self.dismiss()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
