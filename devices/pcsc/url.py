"""``pcsc://`` transport URLs: which reader a driver should use.

``pcsc://`` means the first reader pcscd lists; ``pcsc://<text>`` the first reader whose name
contains ``<text>`` (case-insensitive), e.g. ``pcsc://Virtual PCD 00 00`` or ``pcsc://ACR122``.
Spaces may be written as-is or as ``%20``.
"""

from __future__ import annotations

from collections.abc import Sequence

from devices import registry
from devices.errors import DeviceError
from devices.pcsc.errors import ReaderNotFound


class BadPcscUrl(DeviceError):
    key = "pcsc.bad_url"


def parse_pcsc_url(url: str) -> str | None:
    """The reader-name substring of a URL, or None for "the first reader"."""
    try:
        parsed = registry.parse_url(url)
    except registry.DeviceUrlError:
        parsed = None
    if parsed is None or parsed.scheme != "pcsc":
        raise BadPcscUrl(f"not a pcsc:// URL: {url!r}", url=url)
    return parsed.target.rstrip("/").strip() or None


def pick_reader(hint: str | None, names: Sequence[str]) -> str:
    """The reader ``hint`` selects among ``names``; ReaderNotFound when none does."""
    if not names:
        raise ReaderNotFound("pcscd lists no reader")
    if hint is None:
        return names[0]
    wanted = hint.casefold()
    for name in names:
        if wanted in name.casefold():
            return name
    raise ReaderNotFound(f"no reader matches {hint!r}; pcscd lists: {', '.join(names)}")
