"""办件查询 at a kiosk: where an application is, and 补正 sent back through the outbox.

The citizen holds the receipt's QR under the document camera (it encodes
``{central}/track/{reference}``) or types the reference, then types the last 4 digits of the
phone given in the application; the centre answers with the same timeline its /track page shows
and, for 需补正, which materials to recapture. Recaptured pages go to the centre as one
supplement through the outbox, so a dead link loses nothing and a retry is stored once.
Nothing here is kept after the visit: the screen drops the reply and the pages when it leaves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Protocol

from kiosk.central_client import CentralRejected, CentralServerError, CentralUnreachable, Reply
from kiosk.errors import CentralError
from kiosk.outbox import Material
from kiosk.reference import is_valid_reference
from wire.models import StatusQuery, StatusReply

STATUS_QUERY_PATH = "/status-queries"
NEEDS_CORRECTION = "needs_correction"
_REFERENCE_IN_TEXT = re.compile(r"GJZ-\d{8}-[0-9A-Z]{5}-[0-9A-Z]")
_LAST4 = re.compile(r"[0-9]{4}")


class TrackingError(CentralError):
    """办件查询 could not answer; the key says why in words for the citizen."""

    key = "tracking.error"


class BadReference(TrackingError):
    key = "tracking.bad_reference"


class BadPhoneDigits(TrackingError):
    key = "tracking.bad_phone_digits"


class NoMatch(TrackingError):
    """The reference and the phone's last 4 digits do not belong together (or no such reference)."""

    key = "tracking.no_match"


class TooManyTries(TrackingError):
    key = "tracking.too_many_tries"


class TrackingOffline(TrackingError):
    key = "tracking.offline"
    retryable = True


class NothingToSend(TrackingError):
    key = "tracking.nothing_to_send"


class PostsJson(Protocol):
    def post_json(self, path: str, payload: dict[str, object], **kwargs: object) -> Reply: ...


class QueuesSupplements(Protocol):
    def enqueue_supplement(self, reference: str, materials: Sequence[Material], request_id: str = "") -> str: ...


def reference_from_text(text: str) -> str | None:
    """The reference in a typed text or a scanned QR (``…/track/GJZ-…``), if it has a valid one."""
    for candidate in _REFERENCE_IN_TEXT.findall(text.upper().replace(" ", "")):
        if is_valid_reference(candidate):
            return candidate
    return None


def lookup(client: PostsJson, reference_text: str, phone_last4: str) -> StatusReply:
    """Ask the centre; every failure is a :class:`TrackingError` whose key the screen shows."""
    reference = reference_from_text(reference_text)
    if reference is None:
        raise BadReference(reference_text[:40])
    digits = phone_last4.strip()
    if not _LAST4.fullmatch(digits):
        raise BadPhoneDigits()
    query = StatusQuery(reference=reference, phone_last4=digits)
    try:
        reply = client.post_json(STATUS_QUERY_PATH, query.model_dump())
    except CentralRejected as error:
        if error.params.get("status") == 404:
            raise NoMatch(reference) from None
        raise TrackingError(error.detail) from None
    except CentralServerError as error:
        if error.params.get("status") == 429:
            raise TooManyTries(reference) from None
        raise TrackingOffline(error.detail) from None
    except CentralUnreachable as error:
        raise TrackingOffline(error.detail) from None
    return StatusReply.model_validate(reply.body)


def send_supplement(
    outbox: QueuesSupplements, status: StatusReply, pages: Mapping[str, Sequence[bytes]]
) -> str:
    """Queue the recaptured pages (material id → JPEG pages) for ``status``'s 补正 request.

    Every material the centre asked for must have at least one page; returns the record id.
    """
    wanted = [m.id for m in status.redo_materials]
    missing = [material for material in wanted if not pages.get(material)]
    if status.status != NEEDS_CORRECTION or not wanted or missing:
        raise NothingToSend(", ".join(missing) or status.status)
    materials = [
        Material(f"{material}-{n}.jpg", page, "image/jpeg")
        for material in wanted
        for n, page in enumerate(pages[material], start=1)
    ]
    return outbox.enqueue_supplement(status.reference, materials, status.request_id)
