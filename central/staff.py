"""Who a back-office caller is (role, label, department) and the audit log of what they did.

The API resolves a bearer token, the console a session cookie; both end in a :class:`Staff`.
Personal data is shown to admins and to clerks of a department the application is routed to;
every such view, and every action, is written to ``audit_log`` (never the data itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.credentials import hash_token
from central.deps import DB, Refusal
from central.models import ApiToken
from central.models_applications import AuditEntry, StaffScope
from wire.models import utc_now


@dataclass(frozen=True)
class Staff:
    role: str
    label: str
    token_hash: str
    department: str = ""
    address: str = ""

    @property
    def name(self) -> str:
        return self.label or f"{self.role}:{self.token_hash[:8]}"

    @property
    def can_act(self) -> bool:
        return self.role in ("admin", "clerk")

    def may_see(self, departments: list[str] | set[str]) -> bool:
        """Whether this person may see an application routed to ``departments``."""
        if self.role == "admin":
            return True
        return self.role == "clerk" and self.department in departments


def staff_for_token_hash(db: Session, token_hash: str, address: str = "") -> Staff | None:
    row = db.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()
    if row is None:
        return None
    scope = db.get(StaffScope, token_hash)
    return Staff(
        role=row.role,
        label=row.label,
        token_hash=token_hash,
        department=scope.department if scope else "",
        address=address,
    )


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def bearer_staff(
    request: Request, db: DB, authorization: Annotated[str | None, Header()] = None
) -> Staff:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refusal(401, "unauthorized", "send Authorization: Bearer <token>")
    staff = staff_for_token_hash(db, hash_token(token.strip()), client_address(request))
    if staff is None:
        raise Refusal(401, "unauthorized", "unknown token")
    return staff


StaffCaller = Annotated[Staff, Depends(bearer_staff)]


def audit(
    db: Session, staff: Staff, action: str, target: str = "", **detail: Any
) -> None:
    """Add one audit entry to the caller's transaction (committed with the action)."""
    db.add(
        AuditEntry(
            at=utc_now(),
            actor=staff.name[:128],
            role=staff.role,
            action=action,
            target=target[:128],
            detail=detail,
            address=staff.address[:64],
        )
    )
