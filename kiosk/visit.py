"""One citizen's visit: the flow (which holds every answer, the card read and the captured
pages), the navigator over it, and whether it was submitted.

The flow is the ONE owner of the citizen's personal data, so :meth:`Visit.wipe` is one wipe:
it asks the flow to forget everything and drops the references to it. All in memory only.
"""

from __future__ import annotations

from dataclasses import dataclass

from identity.record import IdentityRecord
from kiosk.engine import Flow
from kiosk.navigator import Navigator


@dataclass
class Visit:
    scenario_id: str
    flow: Flow | None
    navigator: Navigator | None = None
    submitted: bool = False

    @property
    def identity(self) -> IdentityRecord | None:
        """The card read taken into this visit (held by the flow)."""
        return self.flow.card if self.flow is not None else None

    @property
    def reference(self) -> str:
        """The application's reference, once submitted ("" before)."""
        return self.flow.reference if self.flow is not None and self.submitted else ""

    @property
    def captures(self) -> dict[str, list[bytes]]:
        """The pages captured so far, by material id (held by the flow)."""
        return self.flow.attachments if self.flow is not None else {}

    def capture(self, material_id: str, jpeg: bytes) -> int:
        """Add one page; returns how many pages that material now has."""
        assert self.flow is not None
        pages = [*self.flow.attachments.get(material_id, []), jpeg]
        self.flow.attach(material_id, pages)
        return len(pages)

    def drop_capture(self, material_id: str, index: int) -> None:
        assert self.flow is not None
        pages = list(self.flow.attachments.get(material_id, []))
        if 0 <= index < len(pages):
            del pages[index]
            self.flow.attach(material_id, pages)

    def wipe(self) -> None:
        """Forget everything the citizen entered or showed (card, answers, photos)."""
        if self.flow is not None:
            self.flow.wipe()
        self.flow = None
        self.navigator = None
        self.submitted = False
