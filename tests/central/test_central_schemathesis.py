"""Property-based requests generated from the OpenAPI document: the server never answers 5xx.

Kiosk endpoints are signed by an enrolled kiosk (after generation, over the exact bytes sent)
so the generated bodies reach the handlers instead of stopping at the signature check; the
back-office endpoints get an admin token. Kept small (a few examples per operation).
"""

from __future__ import annotations

import re

import requests
import schemathesis
from central_helpers import SignedKiosk, enrol
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from central.embedded import EmbeddedCentral
from wire import signing

MAX_EXAMPLES = 12
# Log batches are bytes; random bytes exercise the "not JSON, keep it anyway" path.
schemathesis.serializer.alias("application/x-ndjson", "application/octet-stream")

SIGNED_PATHS = (
    "/api/v1/heartbeat", "/api/v1/submissions", "/api/v1/events", "/api/v1/logs", "/api/v1/batch"
)


def _send(
    case: schemathesis.Case, central: EmbeddedCentral, kiosk: SignedKiosk, token: str
) -> requests.Response:
    kwargs = case.as_transport_kwargs(base_url=central.url)
    kwargs.pop("timeout", None)
    prepared = requests.Request(
        method=kwargs.pop("method"),
        url=kwargs.pop("url"),
        headers=kwargs.pop("headers", {}) or {},
        params=kwargs.pop("params", None),
        data=kwargs.pop("data", None),
        json=kwargs.pop("json", None),
        files=kwargs.pop("files", None),
        cookies=kwargs.pop("cookies", None),
    ).prepare()
    if case.operation.path in SIGNED_PATHS:
        body = prepared.body or b""
        body = body.encode() if isinstance(body, str) else body
        prepared.headers.update(
            signing.sign_headers(
                kiosk.secret, kiosk.kiosk_id, prepared.method or "POST", prepared.path_url, body
            )
        )
    else:
        prepared.headers["Authorization"] = f"Bearer {token}"
    with requests.Session() as session:
        return session.send(prepared, timeout=30)


def _header_safe(value: object) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"[\x21-\x7e]+", value))


def _aim(case: schemathesis.Case, central: EmbeddedCentral, kiosk: SignedKiosk) -> None:
    """Point generated requests at real records so they get past the first refusal."""
    path = case.operation.path
    if isinstance(case.body, dict):
        if path == "/api/v1/enrol":
            case.body["pairing_code"] = central.pairing_code()
        elif path == "/api/v1/heartbeat":
            case.body["kiosk_id"] = kiosk.kiosk_id
        elif path in ("/api/v1/submissions", "/api/v1/events") and _header_safe(
            case.body.get("id")
        ):
            case.headers = {**(case.headers or {}), signing.HEADER_IDEMPOTENCY: case.body["id"]}
    if case.path_parameters and "kiosk_id" in case.path_parameters and not path.endswith("/revoke"):
        case.path_parameters["kiosk_id"] = kiosk.kiosk_id


def test_no_server_errors(central: EmbeddedCentral, admin_token: str) -> None:
    schema = schemathesis.openapi.from_url(central.url + "/openapi.json")
    kiosk = enrol(central)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def exercise(case: schemathesis.Case) -> None:
            _aim(case, central, kiosk)
            response = _send(case, central, kiosk, admin_token)
            if response.status_code >= 500:
                failures.append(
                    f"{case.operation.label}: {response.status_code} {response.text[:200]}"
                )
            case.validate_response(response, checks=[not_a_server_error])

        exercise()
    assert failures == []
