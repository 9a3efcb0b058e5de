"""What a running central server holds for a simulated kiosk.

The back office's HTTP API has no list of applications yet (the centre's application endpoints
are being added), so this one function reads the embedded server's own store; switch it to the
back-office API once ``GET /applications`` exists, and nothing else has to change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from central.embedded import EmbeddedCentral


def stored_references(centre: EmbeddedCentral, kiosk_id: str) -> list[str]:
    """The references of every application the centre stored for ``kiosk_id``, sorted."""
    from sqlalchemy import select

    from central.models import Submission

    with centre.state.sessions() as session:
        rows = session.scalars(select(Submission.reference).where(Submission.kiosk_id == kiosk_id))
        return sorted(rows)
