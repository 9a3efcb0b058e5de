"""The back office's HTTP client for the central API (used by the ``kiosk-central`` commands)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import requests

from central.errors import ServerRefused, ServerUnreachable
from wire.models import (
    API_PREFIX,
    HEADER_LOG_COVERAGE,
    CommandCreated,
    CommandStatus,
    KioskSummary,
    LogCoverage,
    PairingCodeResponse,
    RevokeResponse,
)


class BackOfficeClient:
    """Calls the back-office endpoints with one bearer token."""

    def __init__(self, server: str, token: str, timeout: float = 30.0) -> None:
        self.server = server.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = f"{self.server}{API_PREFIX}{path}"
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as error:
            raise ServerUnreachable(
                str(error), url=self.server, reason=type(error).__name__
            ) from error
        if response.status_code >= 400:
            try:
                body = response.json()
                error = body.get("error", "") if isinstance(body, dict) else ""
                detail = body.get("detail") if isinstance(body, dict) else None
            except ValueError:
                error, detail = response.text[:200], None
            text = f"{error}: {detail}" if detail else str(error)
            if error == "database_unavailable":
                raise ServerRefused(text, key="backoffice.centre_db_down", url=self.server)
            raise ServerRefused(status=response.status_code, error=text)
        return response

    def call_json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._call(method, path, **kwargs).json()

    def call_bytes(self, method: str, path: str, **kwargs: Any) -> bytes:
        return self._call(method, path, **kwargs).content

    def kiosks(self) -> list[KioskSummary]:
        return [KioskSummary.model_validate(k) for k in self._call("GET", "/kiosks").json()]

    def queue_command(self, kiosk_id: str, kind: str, args: dict[str, Any]) -> str:
        response = self._call(
            "POST", f"/kiosks/{kiosk_id}/commands", json={"kind": kind, "args": args}
        )
        return CommandCreated.model_validate(response.json()).id

    def command(self, kiosk_id: str, command_id: str) -> CommandStatus:
        response = self._call("GET", f"/kiosks/{kiosk_id}/commands/{command_id}")
        return CommandStatus.model_validate(response.json())

    def screenshot(self, kiosk_id: str, command_id: str) -> bytes:
        return self._call("GET", f"/kiosks/{kiosk_id}/commands/{command_id}/screenshot").content

    def commands(self, kiosk_id: str, limit: int = 20) -> list[CommandStatus]:
        response = self._call("GET", f"/kiosks/{kiosk_id}/commands", params={"limit": limit})
        return [CommandStatus.model_validate(c) for c in response.json()]

    def revoke(self, kiosk_id: str) -> RevokeResponse:
        return RevokeResponse.model_validate(
            self._call("POST", f"/kiosks/{kiosk_id}/revoke").json()
        )

    def pairing_code(self, ttl_seconds: int) -> PairingCodeResponse:
        response = self._call("POST", "/pairing-codes", json={"ttl_seconds": ttl_seconds})
        return PairingCodeResponse.model_validate(response.json())

    def coverage(self, kiosk_id: str, since: datetime, until: datetime) -> LogCoverage:
        params = {"since": since.isoformat(), "until": until.isoformat()}
        response = self._call("GET", f"/kiosks/{kiosk_id}/logs/coverage", params=params)
        return LogCoverage.model_validate(response.json())

    def logs(self, kiosk_id: str, since: datetime, until: datetime) -> tuple[str, Iterator[bytes]]:
        """The coverage header and the (already un-gzip'd) ndjson bytes, in chunks."""
        params = {"since": since.isoformat(), "until": until.isoformat()}
        response = self._call(
            "GET",
            f"/kiosks/{kiosk_id}/logs",
            params=params,
            stream=True,
            headers={"Accept-Encoding": "gzip"},
        )
        return response.headers.get(HEADER_LOG_COVERAGE, "partial"), response.iter_content(1 << 16)
