"""The reference central API: ``create_app(database_url, ...)`` builds the FastAPI application.

Every refusal is answered as ``{"error": key}`` (plus ``detail`` where it helps), with the
statuses of /work/notes/central-contract.md.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from central import aftercare_api, applications_api, backoffice_api, batch_api, kiosk_api
from central.alerts import AlertWatcher
from central.bodylimit import BodyLimit
from central.console import mount_console
from central.credentials import load_or_create_server_key
from central.db import make_engine, make_sessionmaker, make_soft_state_engine, sqlite_url
from central.deps import CentralState, Refusal
from central.heartbeat_fast import AsyncPool, HeartbeatFastPath, conninfo
from central.sealing import DataKeys, load_or_create_data_keys
from wire.models import API_PREFIX

DEFAULT_HEARTBEAT_SECONDS = 60
API_VERSION = "1.0.0"

_HTTP_ERRORS = {404: "not_found", 405: "method_not_allowed"}


async def _refused(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Refusal)
    body: dict[str, object] = {"error": error.error}
    if error.detail is not None:
        body["detail"] = jsonable_encoder(error.detail)
    return JSONResponse(body, status_code=error.status)


async def _invalid(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    detail = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in error.errors()]
    return JSONResponse(
        {"error": "invalid_body", "detail": jsonable_encoder(detail)}, status_code=422
    )


async def _unstorable(_request: Request, error: Exception) -> JSONResponse:
    # A value the database cannot hold (NUL in text, a too-long string on PostgreSQL).
    return JSONResponse({"error": "invalid_value", "detail": type(error).__name__}, status_code=422)


async def _database_down(_request: Request, _error: Exception) -> JSONResponse:
    # The database cannot be reached (down, restarting, full): a retry later may work.
    return JSONResponse({"error": "database_unavailable",
                         "detail": "the centre's database cannot be reached"}, status_code=503)


async def _http(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    key = _HTTP_ERRORS.get(error.status_code, "http_error")
    return JSONResponse({"error": key}, status_code=error.status_code, headers=error.headers)


def create_app(
    database_url: str | None = None,
    *,
    data_dir: Path | None = None,
    server_key: bytes | None = None,
    heartbeat_seconds: int = DEFAULT_HEARTBEAT_SECONDS,
    data_keys: DataKeys | None = None,
    alert_webhook: str = "",
) -> FastAPI:
    """The application over ``database_url`` (default: SQLite in ``data_dir``).

    ``server_key`` is the Fernet key that encrypts kiosk secrets at rest; by default it is read
    from (or made in) ``data_dir/server.key``.
    """
    if database_url is None or server_key is None:
        if data_dir is None:
            raise ValueError("give data_dir, or both database_url and server_key")
        data_dir.mkdir(parents=True, exist_ok=True)
    database_url = database_url or sqlite_url(data_dir)  # type: ignore[arg-type]
    server_key = server_key or load_or_create_server_key(data_dir)  # type: ignore[arg-type]
    engine = make_engine(database_url)
    app = FastAPI(
        title="Kiosk central API",
        version=API_VERSION,
        description="Reference central server for the 24-hour self-service kiosks.",
    )
    app.state.central = CentralState(
        engine=engine,
        sessions=make_sessionmaker(engine),
        fernet=Fernet(server_key),
        heartbeat_seconds=heartbeat_seconds,
        soft_state=make_soft_state_engine(database_url),
    )
    app.include_router(kiosk_api.router, prefix=API_PREFIX)
    app.include_router(backoffice_api.router, prefix=API_PREFIX)
    app.include_router(aftercare_api.router, prefix=API_PREFIX)
    app.include_router(batch_api.router, prefix=API_PREFIX)
    app.include_router(applications_api.router, prefix=API_PREFIX)
    app.state.data_keys = data_keys or (
        load_or_create_data_keys(data_dir) if data_dir is not None else DataKeys.generate()
    )
    app.state.alert_webhook = alert_webhook
    if alert_webhook:
        app.state.alert_watcher = AlertWatcher(
            app.state.central.sessions, heartbeat_seconds, alert_webhook, float(heartbeat_seconds)
        ).start()
    app.add_exception_handler(Refusal, _refused)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(DataError, _unstorable)
    app.add_exception_handler(OperationalError, _database_down)
    app.add_exception_handler(UnicodeEncodeError, _unstorable)
    app.add_exception_handler(StarletteHTTPException, _http)
    mount_console(app)
    app.add_middleware(BodyLimit)
    soft_state = app.state.central.soft_state
    app.state.heartbeat_pool = AsyncPool(conninfo(soft_state)) if soft_state is not None else None
    # Outermost: the usual heartbeat is answered before FastAPI's machinery (see the module).
    app.add_middleware(HeartbeatFastPath, state=app.state.central, pool=app.state.heartbeat_pool)
    return app
