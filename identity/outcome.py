"""What a successfully read card means for the citizen: usable, expired, or a bad number.

A read that works always yields a record; this verdict is separate so the UI can show an
expired card as "your card has expired" (not as a reader failure), with the record at hand.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from identity.idnumber import problem
from identity.record import CardType, IdentityRecord

# 2017 foreign permanent resident number: 3-letter nationality + 12 digits. Its check rule is
# not in our sources, so only the shape is checked.
_FOREIGN_2017_NUMBER = re.compile(r"[A-Z]{3}\d{12}")


class CardOutcome(StrEnum):
    OK = "ok"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    INVALID_NUMBER = "invalid_number"

    @property
    def key(self) -> str:
        """The i18n key of the message for this outcome."""
        return f"idcard.outcome.{self.value}"

    @property
    def usable(self) -> bool:
        return self is CardOutcome.OK


def number_problem(record: IdentityRecord) -> str | None:
    """Why the record's number is invalid for its card type (None when it is valid)."""
    if record.card_type is CardType.FOREIGN_2017:
        return None if _FOREIGN_2017_NUMBER.fullmatch(record.id_number) else "format"
    return problem(record.id_number)


def assess(record: IdentityRecord, today: dt.date | None = None) -> CardOutcome:
    """The verdict on a read card; a bad number outranks expiry (it may not be a genuine card)."""
    today = today or dt.date.today()
    if number_problem(record):
        return CardOutcome.INVALID_NUMBER
    if record.expired(today):
        return CardOutcome.EXPIRED
    if record.valid_from and record.valid_from > today:
        return CardOutcome.NOT_YET_VALID
    return CardOutcome.OK
