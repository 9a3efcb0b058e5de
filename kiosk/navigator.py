"""What comes next in a visit, decided in one place (in the manner of Home Assistant's config flows).

A visit is a sequence of :class:`Step` s. Screens render a step and send the citizen's input
back; :meth:`Navigator.next` answers with the step to show now, which is the same step with
``errors`` when the input is refused (as ``async_show_form(..., errors=...)`` does).

The API, all of it::

    nav = Navigator(flow, identified=lambda: ..., camera_usable=lambda: ...)
    step = nav.start()                      # IDENTIFY, or the first question once identified
    step = nav.next(step, user_input)       # the step to show next (or ``step`` with errors)
    step = nav.back(step, user_input)       # the step before (form answers are kept, unchecked)
    step = nav.change(field_id)             # from the summary: the page that asks the field

Step kinds and the input ``next`` takes:

==========  =====================  =====================================================
kind        ``step.id``            ``next(step, input)``
==========  =====================  =====================================================
identify    ""                     None; moves on once ``identified()`` is true
question    the question id        the chosen option's value
results     ""                     None: start the form
form_page   the page id            ``{field id: value}`` of that page (None: as stored)
materials   ""                     None: the citizen finished capturing
check       ""                     None: submit (refused → the page of the first error)
submit      ""                     the reference the outbox gave
receipt     ""                     None
rating      ""                     None (the rating itself is sent by the screen)
done        ""                     (the end)
==========  =====================  =====================================================

Rules that live only here: newly revealed fields are asked before the summary (after a change,
the first page with a missing answer comes next, still ``returning``); a page opened from the
summary goes back to the summary; the materials step is skipped when nothing is to be captured
or the camera is not usable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from kiosk.engine import Flow
from kiosk.errors import FlowError
from wire.errors import KioskError

BASE = ""  # the errors key of a problem that belongs to no field (HA's errors["base"])

UserInput = str | Mapping[str, object] | None


class StepKind(StrEnum):
    IDENTIFY = "identify"
    QUESTION = "question"
    RESULTS = "results"
    FORM_PAGE = "form_page"
    MATERIALS = "materials"
    CHECK = "check"  # check your answers (the summary)
    SUBMIT = "submit"
    RECEIPT = "receipt"
    RATING = "rating"  # 好差评
    DONE = "done"


@dataclass(frozen=True)
class Step:
    """One thing the citizen is shown. ``errors`` maps a field id (or :data:`BASE`) to why the
    last input was refused; ``returning`` marks a form page opened from the summary; ``focus``
    names the field to put the cursor in."""

    kind: StepKind
    id: str = ""
    returning: bool = False
    focus: str = ""
    errors: Mapping[str, KioskError] = field(default_factory=dict)

    def refused(self, errors: Mapping[str, KioskError]) -> Step:
        return replace(self, errors=dict(errors))


class Navigator:
    """The order of one visit's steps over its :class:`~kiosk.engine.Flow`."""

    def __init__(self, flow: Flow, *, identified: Callable[[], bool],
                 camera_usable: Callable[[], bool]) -> None:
        self.flow = flow
        self._identified = identified
        self._camera_usable = camera_usable

    # ----- the API ------------------------------------------------------------------------
    def start(self) -> Step:
        return self._after_identify() if self._identified() else Step(StepKind.IDENTIFY)

    def next(self, step: Step, user_input: UserInput = None) -> Step:
        kind = step.kind
        if kind is StepKind.IDENTIFY:
            return self._after_identify() if self._identified() else step
        if kind is StepKind.QUESTION:
            try:
                self.flow.answer(step.id, str(user_input))
            except KioskError as error:
                return step.refused({BASE: error})
            return self._question_or_results()
        if kind is StepKind.RESULTS:
            if self.flow.stop() is not None:
                return step.refused({BASE: FlowError("a stop rule holds", key="catalog.stop.title")})
            return self._first_page()
        if kind is StepKind.FORM_PAGE:
            return self._after_page(step, user_input)
        if kind is StepKind.MATERIALS:
            return Step(StepKind.CHECK)
        if kind is StepKind.CHECK:
            return self._submit_or_fix()
        if kind is StepKind.SUBMIT:
            return Step(StepKind.RECEIPT) if user_input else step
        if kind is StepKind.RECEIPT:
            return Step(StepKind.RATING)
        return Step(StepKind.DONE)

    def back(self, step: Step, user_input: UserInput = None) -> Step:
        kind = step.kind
        if kind is StepKind.QUESTION or kind is StepKind.RESULTS:
            question = self.flow.back_question()
            return Step(StepKind.QUESTION, question.id) if question else Step(StepKind.IDENTIFY)
        if kind is StepKind.FORM_PAGE:
            self._store(user_input)
            if step.returning:
                return Step(StepKind.CHECK)
            ids = self._page_ids()
            position = ids.index(step.id) if step.id in ids else 0
            return Step(StepKind.FORM_PAGE, ids[position - 1]) if position > 0 else Step(StepKind.RESULTS)
        if kind is StepKind.MATERIALS:
            ids = self._page_ids()
            return Step(StepKind.FORM_PAGE, ids[-1]) if ids else Step(StepKind.RESULTS)
        if kind is StepKind.CHECK:
            if self._materials_to_capture():
                return Step(StepKind.MATERIALS)
            ids = self._page_ids()
            return Step(StepKind.FORM_PAGE, ids[-1], returning=True) if ids else Step(StepKind.RESULTS)
        return step  # identify is left through the screen's own exit; the rest cannot go back

    def change(self, field_id: str) -> Step:
        """From the summary: the page that asks ``field_id``; its "next" comes back to the summary."""
        return Step(StepKind.FORM_PAGE, self.flow.field(field_id).page, returning=True, focus=field_id)

    # ----- the rules ----------------------------------------------------------------------
    def _after_identify(self) -> Step:
        return self._question_or_results()

    def _question_or_results(self) -> Step:
        question = self.flow.next_question()  # none once a stop rule holds: the results say why
        return Step(StepKind.QUESTION, question.id) if question else Step(StepKind.RESULTS)

    def _page_ids(self) -> list[str]:
        return [page.id for page in self.flow.pages()]

    def _first_page(self) -> Step:
        ids = self._page_ids()
        return Step(StepKind.FORM_PAGE, ids[0]) if ids else self._after_form()

    def _store(self, user_input: UserInput) -> None:
        """Keep a page's answers, valid or not (the page's errors are checked on "next")."""
        if isinstance(user_input, Mapping):
            for field_id, value in user_input.items():
                self.flow.set(field_id, value if value != "" else None)

    def _after_page(self, step: Step, user_input: UserInput) -> Step:
        self._store(user_input)
        errors = self.flow.page_errors(step.id)
        if errors:
            return step.refused(errors)
        if step.returning:
            # A change can reveal new questions on other pages: ask those before the summary.
            missing = next((p for p in self._page_ids() if self.flow.page_errors(p)), None)
            return Step(StepKind.FORM_PAGE, missing, returning=True) if missing else Step(StepKind.CHECK)
        ids = self._page_ids()
        position = ids.index(step.id) if step.id in ids else len(ids) - 1
        return Step(StepKind.FORM_PAGE, ids[position + 1]) if position + 1 < len(ids) else self._after_form()

    def _materials_to_capture(self) -> bool:
        wanted = any(need.material.capture is not None for need in self.flow.materials())
        return wanted and self._camera_usable()

    def _after_form(self) -> Step:
        return Step(StepKind.MATERIALS) if self._materials_to_capture() else Step(StepKind.CHECK)

    def _submit_or_fix(self) -> Step:
        errors = self.flow.errors()
        if not errors:
            return Step(StepKind.SUBMIT)
        first = next(iter(errors))
        page = self.flow.field(first).page
        page_errors = {k: v for k, v in errors.items() if self.flow.field(k).page == page}
        return Step(StepKind.FORM_PAGE, page, returning=True, focus=first, errors=page_errors)
