"""The back office's web console (``/console``) and the citizen's progress page (``/track``)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from central.console import pages, track
from central.console.web import HERE, NeedsLogin, go, render
from central.deps import Refusal

_TITLES = {
    401: ("请先登录", "Please log in"),
    403: ("没有权限", "Not allowed"),
    404: ("未找到", "Not found"),
    409: ("不能这样操作", "Not possible now"),
    422: ("输入有误", "Please check the input"),
    429: ("尝试次数过多", "Too many attempts"),
}


def mount_console(app: FastAPI) -> None:
    """Add the console and /track; refusals on their pages are shown as pages, not JSON."""
    app.include_router(pages.router)
    app.include_router(track.router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")
    as_json = app.exception_handlers[Refusal]

    async def refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, Refusal)
        path = request.url.path
        if not (path.startswith("/console") or path.startswith("/track")):
            return await as_json(request, error)
        zh, en = _TITLES.get(error.status, ("出错了", "Something went wrong"))
        return render(
            request, "error.html", None, status_code=error.status, title_zh=zh, title_en=en,
            key=error.error, detail=error.detail if isinstance(error.detail, str) else "",
        )

    async def needs_login(_request: Request, _error: Exception) -> Response:
        return go("/console/login")

    app.add_exception_handler(Refusal, refused)
    app.add_exception_handler(NeedsLogin, needs_login)
