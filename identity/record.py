"""What an identity card read yields, whichever reader and card type it came from.

The kiosk turns it into ``applicant.*`` answers. It holds personal data: keep it in memory for
one session only and never log it (``__repr__`` masks it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from identity.idnumber import mask


class CardType(StrEnum):
    RESIDENT = "resident"  # 居民身份证
    HMT_RESIDENCE = "hmt_residence"  # 港澳台居民居住证 (type J)
    FOREIGN_2017 = "foreign_2017"  # 外国人永久居留身份证 2017 (type I)
    FOREIGN_2023 = "foreign_2023"  # 外国人永久居留身份证 2023 (type Y)
    SOCIAL_SECURITY = "social_security"  # 社会保障卡 (PC/SC)


@dataclass(repr=False)
class IdentityRecord:
    card_type: CardType
    name: str
    id_number: str
    sex: str = ""  # "男" / "女"
    birth_date: dt.date | None = None
    nation: str = ""  # 民族 (resident cards) or nationality (foreign cards)
    address: str = ""
    issuer: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None  # None means 长期 (long-term)
    english_name: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    photo_wlt: bytes | None = None  # the raw 1024-byte WLT photo, memory only
    fingerprint: bytes | None = None  # raw fingerprint templates (SAM 30 10), memory only

    def expired(self, today: dt.date | None = None) -> bool:
        today = today or dt.date.today()
        return self.valid_until is not None and self.valid_until < today

    def prefill(self) -> dict[str, str]:
        """The ``applicant.*`` answers this card gives."""
        answers = {"applicant.name": self.name, "applicant.id_number": self.id_number}
        if self.sex:
            answers["applicant.sex"] = self.sex
        if self.birth_date:
            answers["applicant.birth_date"] = self.birth_date.isoformat()
        if self.address:
            answers["applicant.address"] = self.address
        if self.nation:
            answers["applicant.nation"] = self.nation
        return answers

    def wipe(self) -> None:
        """Overwrite the fields we can (Python strings are immutable; drop references)."""
        self.name = self.id_number = self.address = self.english_name = self.issuer = ""
        self.nation = self.sex = ""
        self.extra.clear()
        self.photo_wlt = None
        self.fingerprint = None

    def __repr__(self) -> str:
        return f"IdentityRecord({self.card_type.value}, id={mask(self.id_number)})"
