"""Commands to kiosks as the back office follows them: queued → sent → done | failed.

A command is queued here (by the API, the CLI through it, or the console), handed to the kiosk
with its next heartbeat (``sent``), and closed by the ack that carries the kiosk's outcome
(``done`` or ``failed``). :func:`in_words` turns an outcome such as ``failed: printer.paper_out``
into the sentence a clerk or technician reads.
"""

from __future__ import annotations

import secrets
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.deps import Refusal
from central.models import Kiosk, KioskCommand, KioskScreenshot
from kiosk.i18n import t
from wire.models import COMMAND_ARGS, CommandKind, CommandStatus, utc_now

_SAID = {
    "unsupported": ("这台终端的软件不会执行这个命令（请升级终端软件）",
                    "this kiosk's software cannot run this command (update the kiosk)"),
    "invalid": ("终端读不懂这个命令的参数", "the kiosk could not read the command's arguments"),
}
# What a kiosk says when it did the job, in Chinese for the zh console (English as it said it).
_DONE_ZH = {
    "printed": "已打印",
    "restarting: the service manager starts the kiosk again": "正在重启，系统服务会再次启动终端程序",
    "on": "已暂停服务",
    "off": "已恢复服务",
}


def queue(db: Session, kiosk: Kiosk, kind: CommandKind, args: dict[str, Any]) -> KioskCommand:
    """A new command for ``kiosk`` (flushed, not committed); refused for a revoked kiosk or bad
    arguments, since it could never run."""
    if kiosk.revoked_at is not None:
        raise Refusal(409, "kiosk_revoked", "this kiosk is revoked; re-enrol it before sending commands")
    args_model = COMMAND_ARGS[kind]
    if args_model is not None:
        try:
            args = args_model.model_validate(args).model_dump(mode="json")
        except ValidationError as error:
            raise Refusal(
                422, "invalid_args", error.errors(include_url=False, include_context=False)
            ) from None
        if kind == "upload_logs" and args["since"] >= args["until"]:
            raise Refusal(422, "invalid_args", "since must be before until")
    command = KioskCommand(
        id="c-" + secrets.token_hex(8), kiosk_id=kiosk.id, kind=kind, args=args, created_at=utc_now(),
    )
    db.add(command)
    db.flush()
    return command


def state_of(command: KioskCommand) -> str:
    if command.acked_at is not None:
        return "failed" if command.failed else "done"
    return "sent" if command.first_sent_at is not None else "queued"


def status(command: KioskCommand, screenshot: bool = False) -> CommandStatus:
    return CommandStatus(
        id=command.id, kiosk_id=command.kiosk_id, kind=command.kind, args=command.args or {},
        state=state_of(command), created_at=command.created_at, sent_at=command.first_sent_at,
        done_at=command.acked_at, result=command.outcome or "", screenshot=screenshot,
    )


def with_screenshots(db: Session, commands: list[KioskCommand]) -> set[str]:
    """Which of ``commands`` have an uploaded screenshot."""
    ids = [c.id for c in commands if c.kind == "screenshot"]
    if not ids:
        return set()
    return set(db.scalars(select(KioskScreenshot.command_id).where(KioskScreenshot.command_id.in_(ids))))


def in_words(state: str, outcome: str, lang: str = "en") -> str:
    """What happened, for a person: the kiosk's outcome with its error key spelt out."""
    zh = lang != "en"
    if state == "queued":
        return "等待终端下次心跳" if zh else "waiting for the kiosk's next heartbeat"
    if state == "sent":
        return "已下发，等待终端回报结果" if zh else "handed to the kiosk, waiting for its result"
    if not outcome:
        return "已执行（终端未回报结果）" if zh else "done (the kiosk reported no result)"
    key = outcome.removeprefix("failed:").strip()
    if key in _SAID:
        said = _SAID[key][0 if zh else 1]
    elif outcome.startswith("failed"):
        message = t(key, "zh_CN" if zh else "en") if key else ""
        said = message if message != key else key or outcome
    elif zh and outcome in _DONE_ZH:
        return _DONE_ZH[outcome]
    elif zh and outcome.startswith("uploaded ("):
        return "已上传" + outcome.removeprefix("uploaded ").replace("(", "（").replace(")", "）")
    else:
        return outcome
    return said if key == outcome else f"{said} ({key})"
