"""The kiosk's HTTP client for the central API: signing, timeouts, TLS and error mapping.

Every request but enrolment is signed with :func:`wire.signing.sign_headers` over the exact
path and query that go on the wire (taken from the prepared request, so nothing re-encodes it
afterwards). Timeouts are always finite; TLS is verified against the CA file given at enrolment.
Failures become :class:`CentralError` subclasses whose ``retryable`` flag tells the outbox
whether to try again later, stop the queue (authentication) or park the record (rejected).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

import requests

from kiosk.errors import CentralError
from wire.signing import CLOCK_SKEW_SECONDS, HEADER_IDEMPOTENCY, sign_headers

API = "/api/v1"
# Below this the Date header's one-second steps and the network's latency are noise.
CLOCK_NOISE_SECONDS = 30.0


class CentralUnreachable(CentralError):
    """No answer: connection refused, DNS, timeout, reset. Try again later."""

    key = "central.unreachable"
    retryable = True


class CentralTLSError(CentralUnreachable):
    """The server's certificate does not verify against the enrolment CA file."""

    key = "central.tls_failed"


class CentralServerError(CentralError):
    """The server answered 5xx (or a replay 409, or an unreadable 2xx). Try again later."""

    key = "central.server_error"
    retryable = True


class CentralAuthFailed(CentralError):
    """401/403: bad signature, stale clock, unknown or revoked kiosk. Retrying cannot help."""

    key = "central.auth_failed"
    retryable = False


class CentralRejected(CentralError):
    """Another 4xx: the server refuses this very request; it must be kept and reported."""

    key = "central.rejected"
    retryable = False


class EnrolmentRefused(CentralError):
    """The pairing code was refused (unknown, expired or already used)."""

    key = "central.enrol_refused"
    retryable = False


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any


def _error_code(response: requests.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(data, dict):
        return str(data.get("error") or data.get("detail") or "")
    return ""


def error_for(status: int, code: str, what: str) -> CentralError | None:
    """The error an answer means (None for a 2xx): retry later, stop, or park the record."""
    if 200 <= status < 300:
        return None
    detail = f"{what}: HTTP {status} {code}".strip()
    # 403 "forbidden" is about one record (another kiosk's id), not about our credentials.
    if status == 401 or (status == 403 and code != "forbidden"):
        return CentralAuthFailed(detail, status=status, error=code)
    if status == 409 and code == "replay":
        return CentralServerError(detail, status=status, error=code)
    if status in (408, 425, 429) or status >= 500:
        return CentralServerError(detail, status=status, error=code)
    return CentralRejected(detail, status=status, error=code)


def _raise_for(response: requests.Response, what: str) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    error = error_for(status, _error_code(response), what)
    assert error is not None
    raise error


@dataclass(frozen=True)
class BatchOutcome:
    """One record's answer within a batch: ``error`` None when the centre stored it (now or
    before), else what the same answer to the record alone would have raised."""

    id: str
    error: CentralError | None
    body: Any


class CentralClient:
    """One kiosk's connection to the central API (thread-safe enough for one worker)."""

    def __init__(
        self,
        url: str,
        kiosk_id: str = "",
        secret: bytes = b"",
        *,
        ca_file: str = "",
        timeout: float = 10.0,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not url:
            raise CentralUnreachable("no central URL configured; enrol the kiosk first")
        self.base = url.rstrip("/")
        self.kiosk_id = kiosk_id
        self._secret = secret
        # A CA file pins verification to the enrolment CA; otherwise the system store.
        self.verify: str | bool = ca_file or True
        self.timeout = (min(timeout, 5.0), timeout)
        self._session = session or requests.Session()
        self._clock = clock
        # The centre's clock minus ours, from the Date header of the last reply (None: unknown).
        self.clock_offset: float | None = None
        # Applied to our timestamps once the centre refused one as stale: the kiosk keeps
        # working (and can report its wrong clock) until someone fixes the clock.
        self._signing_offset = 0.0

    def _observe_date(self, response: requests.Response) -> None:
        try:
            server = parsedate_to_datetime(response.headers["Date"]).timestamp()
        except (KeyError, TypeError, ValueError, IndexError, OverflowError):
            return
        self.clock_offset = server - self._clock()
        if abs(self.clock_offset) < CLOCK_NOISE_SECONDS:
            self._signing_offset = 0.0  # the clock was fixed

    def signing_time(self) -> float:
        return self._clock() + self._signing_offset

    @classmethod
    def from_config(cls, config: Any, secret: bytes) -> CentralClient:
        return cls(
            config.central.url,
            config.kiosk_id,
            secret,
            ca_file=config.central.ca_file,
            timeout=config.central.timeout_seconds,
        )

    def close(self) -> None:
        self._session.close()

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        signed: bool = True,
    ) -> Reply:
        url = self.base + API + path
        if query:
            url += "?" + urlencode({k: v for k, v in query.items() if v})
        what = f"{method} {path}"
        response = self._send(method, url, body, headers, signed, what)
        if signed and self._stale(response):
            # Our clock is off by more than the centre's window: sign with the centre's time.
            self._signing_offset = self.clock_offset or 0.0
            response = self._send(method, url, body, headers, signed, what)
        _raise_for(response, what)
        try:
            data = response.json() if response.content else None
        except ValueError as error:
            raise CentralServerError(f"{what}: reply is not JSON") from error
        return Reply(response.status_code, data)

    def _send(
        self, method: str, url: str, body: bytes, headers: dict[str, str] | None, signed: bool, what: str
    ) -> requests.Response:
        prepared = requests.Request(method, url, data=body or None, headers=headers or {}).prepare()
        if signed:
            if not (self.kiosk_id and self._secret):
                raise CentralAuthFailed("this kiosk has no id or key; enrol it first")
            prepared.headers.update(sign_headers(
                self._secret, self.kiosk_id, method, prepared.path_url, body, now=self.signing_time()
            ))
        try:
            response = self._session.send(prepared, timeout=self.timeout, verify=self.verify)
        except requests.exceptions.SSLError as error:
            raise CentralTLSError(f"{what}: {error}") from error
        except requests.exceptions.RequestException as error:
            raise CentralUnreachable(f"{what}: {type(error).__name__}: {error}") from error
        except OSError as error:  # e.g. an unreadable CA file
            raise CentralTLSError(f"{what}: {error}") from error
        self._observe_date(response)
        return response

    def _stale(self, response: requests.Response) -> bool:
        """A 401 ``stale`` while the centre's Date says our clock is outside its window."""
        return (
            response.status_code == 401
            and _error_code(response) == "stale"
            and self.clock_offset is not None
            and abs(self.clock_offset) > CLOCK_SKEW_SECONDS / 2
        )

    def post_json(self, path: str, payload: dict[str, Any], **kwargs: Any) -> Reply:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
        return self.request("POST", path, body, headers=headers, **kwargs)

    # The endpoints of the contract.

    def enrol(
        self, pairing_code: str, hostname: str, location: dict[str, Any], versions: dict[str, str]
    ) -> dict[str, Any]:
        payload = {
            "pairing_code": pairing_code,
            "hostname": hostname,
            "location": location,
            "versions": versions,
        }
        try:
            reply = self.post_json("/enrol", payload, signed=False)
        except CentralRejected as error:
            raise EnrolmentRefused(error.detail, **error.params) from error
        if not isinstance(reply.body, dict) or not {"kiosk_id", "secret"} <= set(reply.body):
            raise CentralServerError(f"POST /enrol: unexpected reply {reply.body!r}")
        return reply.body

    def heartbeat(self, payload: dict[str, Any]) -> dict[str, Any]:
        reply = self.post_json("/heartbeat", payload)
        if not isinstance(reply.body, dict):
            raise CentralServerError("POST /heartbeat: unexpected reply")
        return reply.body

    def deliver(
        self,
        path: str,
        body: bytes,
        idempotency_key: str,
        *,
        content_type: str = "application/json",
        content_encoding: str = "",
        query: dict[str, str] | None = None,
    ) -> Reply:
        """POST one outbox record under its never-changing idempotency key."""
        headers = {"Content-Type": content_type, HEADER_IDEMPOTENCY: idempotency_key}
        if content_encoding:
            headers["Content-Encoding"] = content_encoding
        return self.request("POST", path, body, query=query, headers=headers)

    def deliver_batch(self, records: Sequence[tuple[str, str, bytes]]) -> list[BatchOutcome]:
        """POST several outbox records, given as (id, kind, JSON object bytes), in one signed
        request; one outcome per record, in order. Raises as ``request`` does when the batch
        as a whole is refused (a centre without /batch answers 404)."""
        parts = [
            b'{"id":' + json.dumps(record_id).encode() + b',"kind":' + json.dumps(kind).encode()
            + b',"body":' + body + b"}"
            for record_id, kind, body in records
        ]
        payload = b'{"records":[' + b",".join(parts) + b"]}"
        reply = self.request("POST", "/batch", payload, headers={"Content-Type": "application/json"})
        results = reply.body.get("results") if isinstance(reply.body, dict) else None
        if not isinstance(results, list) or [
            r.get("id") if isinstance(r, dict) else None for r in results
        ] != [record_id for record_id, _, _ in records]:
            raise CentralServerError("POST /batch: the results do not match the records sent")
        outcomes = []
        for result in results:
            body = result.get("body")
            code = str(body.get("error") or "") if isinstance(body, dict) else ""
            status = result.get("status")
            error = error_for(status if isinstance(status, int) else 502, code,
                              f"POST /batch record {result['id']}")
            outcomes.append(BatchOutcome(result["id"], error, body))
        return outcomes
