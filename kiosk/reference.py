"""Human-readable reference numbers with a check character, e.g. ``GJZ-20261125-7K3Q9-M``.

The body is derived from the submission id, so a retried submission keeps its reference.
The check character is Luhn mod N over the alphabet, which catches every single mistyped
character and every swap of two neighbours that a citizen reading it over the phone might make.
"""

from __future__ import annotations

import datetime as dt
import re

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud without confusion
CHECK_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # covers the date digits too
PREFIX = "GJZ"
_PATTERN = re.compile(rf"{PREFIX}-(\d{{8}})-([{ALPHABET}]{{5}})-([{CHECK_ALPHABET}])")


def check_char(body: str) -> str:
    n = len(CHECK_ALPHABET)
    total, factor = 0, 2
    for char in reversed(body):
        addend = factor * CHECK_ALPHABET.index(char)
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return CHECK_ALPHABET[(n - total % n) % n]


def make_reference(submission_id: str, day: dt.date) -> str:
    value = int(submission_id[:16], 16)
    body = ""
    for _ in range(5):
        value, index = divmod(value, len(ALPHABET))
        body += ALPHABET[index]
    stamp = f"{day:%Y%m%d}"
    return f"{PREFIX}-{stamp}-{body}-{check_char(stamp + body)}"


def is_valid_reference(reference: str) -> bool:
    match = _PATTERN.fullmatch(reference.strip().upper())
    return bool(match) and check_char(match.group(1) + match.group(2)) == match.group(3)
