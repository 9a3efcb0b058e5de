"""好差评 after the receipt: five levels, reasons and an optional comment for the two lowest, one
touch to skip. The rating is queued in the outbox linked only to the application's reference.

A satisfied level is sent at the touch; 不满意 and 非常不满意 open the reasons (the national
rules turn these into work orders with a call-back within 15 working days) and a comment field
with the docked keyboard, then "提交评价". Either way the visit then ends on the done screen.
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.navigator import Step, StepKind
from screens.base import KioskScreen, load_kv
from screens.components.controls import KioskButton
from wire.models import RATING_REASONS

LEVELS = (5, 4, 3, 2, 1)  # 非常满意 … 非常不满意, best first as the national form shows them
DISSATISFIED = frozenset({1, 2})
COMMENT_MAX = 200


class RatingScreen(KioskScreen):
    level = NumericProperty(0)
    asking_reasons = BooleanProperty(False)
    message = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.reasons: list[str] = []
        self.level_buttons: dict[int, KioskButton] = {}
        self.reason_buttons: dict[str, KioskButton] = {}

    def on_enter(self, *_: object) -> None:
        self.level = 0
        self.asking_reasons = False
        self.message = ""
        self.reasons = []
        self.ids.comment.text = ""
        self.ids.comment.focus = False
        self.ids.dock.hide()
        self.fill()
        self.visit.say(self.t("ui.rating.title"))

    def on_leave(self, *_: object) -> None:
        self.ids.comment.focus = False
        self.ids.dock.hide()

    def refresh(self) -> None:
        self.fill()

    def help_step(self) -> str:
        return "reasons" if self.asking_reasons else "levels"

    def fill(self) -> None:
        levels = self.ids.levels
        levels.clear_widgets()
        self.level_buttons = {}
        for level in LEVELS:
            button = KioskButton(text=self.t(f"ui.rating.level.{level}"),
                                 role="selected" if level == self.level else "primary")
            button.level = level
            button.bind(on_release=lambda b: self.choose(b.level))
            self.level_buttons[level] = button
            levels.add_widget(button)
        reasons = self.ids.reasons
        reasons.clear_widgets()
        self.reason_buttons = {}
        for reason in RATING_REASONS:
            button = KioskButton(text=self.t(f"ui.rating.reason.{reason}"),
                                 role="selected" if reason in self.reasons else "secondary")
            button.reason = reason
            button.bind(on_release=lambda b: self.toggle_reason(b.reason))
            self.reason_buttons[reason] = button
            reasons.add_widget(button)

    def choose(self, level: int) -> None:
        self.level = level
        for value, button in self.level_buttons.items():
            button.role = "selected" if value == level else "primary"
        if level in DISSATISFIED:
            self.asking_reasons = True  # reasons and a comment first, then 提交评价
            return
        self.send()

    def toggle_reason(self, reason: str) -> None:
        if reason in self.reasons:
            self.reasons.remove(reason)
        else:
            self.reasons.append(reason)
        self.reason_buttons[reason].role = "selected" if reason in self.reasons else "secondary"

    def send(self) -> None:
        if not self.level:
            return
        comment = self.ids.comment.text.strip()[:COMMENT_MAX] if self.asking_reasons else ""
        reasons = [r for r in RATING_REASONS if r in self.reasons] if self.asking_reasons else []
        session = self.visit.session
        try:
            kept = session is not None and self.reporting.rate(
                session.reference, session.scenario_id, int(self.level), reasons, comment) is not None
        except Exception:  # a rating must never keep a citizen from finishing
            kept = False
        self.app.screen("done").rating_note = self.t("ui.rating.thanks" if kept else "ui.rating.not_sent")
        self._done()

    def skip(self) -> None:
        self._done()

    def _done(self) -> None:
        """On to the done screen: through the navigator (its rating step is followed by done)."""
        if self.app.step is not None:
            self.advance()
        else:  # reached without a visit step (a test showing the screen alone)
            self.app.show(Step(StepKind.DONE))

    def wipe(self) -> None:
        self.level = 0
        self.asking_reasons = False
        self.reasons = []
        self.message = ""
        if "comment" in self.ids:
            self.ids.comment.text = ""
            self.ids.dock.wipe()


load_kv(__file__)
