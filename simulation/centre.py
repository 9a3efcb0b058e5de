"""What a running central server holds for a simulated kiosk, asked over its staff HTTP API.

The harness talks to the centre only over the wire, as the back office does: ``GET
/applications`` with a viewer's bearer token (made once per centre by the centre's own
``token()``, as ``kiosk-central token new`` would).
"""

from __future__ import annotations

from simulation.kiosk_state import Centre

PAGE = 500  # the API's largest page
_tokens: dict[str, str] = {}  # centre URL -> a viewer token (a token per poll would fill its table)


def stored_references(centre: Centre, kiosk_id: str) -> list[str]:
    """The references of every application the centre stored for ``kiosk_id``, sorted."""
    from central.errors import ServerRefused

    try:
        return _references(centre, kiosk_id, _tokens.get(centre.url) or _new_token(centre))
    except ServerRefused as refusal:  # a new centre on an old centre's port: a new token
        if refusal.params.get("status") != 401:
            raise
        return _references(centre, kiosk_id, _new_token(centre))


def _new_token(centre: Centre) -> str:
    _tokens[centre.url] = centre.token("viewer")
    return _tokens[centre.url]


def _references(centre: Centre, kiosk_id: str, token: str) -> list[str]:
    from central.client import BackOfficeClient

    office = BackOfficeClient(centre.url, token)
    references: list[str] = []
    try:
        while True:
            page = office.call_json("GET", "/applications",
                                    params={"kiosk": kiosk_id, "limit": PAGE, "offset": len(references)})
            items = page["items"]
            references += [str(item["reference"]) for item in items]
            if len(items) < PAGE:
                return sorted(references)
    finally:
        office.session.close()
