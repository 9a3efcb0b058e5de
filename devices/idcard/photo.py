"""Turning the card's 1024-byte WLT photo into an image, through a pluggable vendor decoder.

WLT is encrypted and compressed; only proprietary vendor libraries decode it (WltRS.dll,
libwlt2bmp.so, …; fact sheet §2.9). No decoder ships with the kiosk. A deployment that has a
licensed one provides an object with ``name`` and ``decode(wlt) -> bytes`` (a 24-bit BMP of
102 × 126 px) and names it either in the ``KIOSK_WLT_DECODER`` environment variable as
``module:attribute`` or as an entry point in the ``kiosk.wlt_decoders`` group. With none
installed there is simply no photo: we never make one up.

The WLT bytes and the decoded image stay in memory; nothing here writes a file.
"""

from __future__ import annotations

import importlib
import os
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

from devices.idcard.errors import PhotoDecodeError

WLT_LEN = 1024
PHOTO_WIDTH, PHOTO_HEIGHT = 102, 126
BMP_LEN = 54 + ((PHOTO_WIDTH * 3 + 3) // 4 * 4) * PHOTO_HEIGHT  # 38 862 bytes
ENV_VAR = "KIOSK_WLT_DECODER"
ENTRY_POINT_GROUP = "kiosk.wlt_decoders"


@runtime_checkable
class WltDecoder(Protocol):
    name: str

    def decode(self, wlt: bytes) -> bytes:
        """The photo as a BMP file image; raise on failure (e.g. the licence check)."""
        ...


def _load(spec: str) -> WltDecoder:
    module_name, _, attribute = spec.partition(":")
    try:
        target = getattr(importlib.import_module(module_name), attribute or "decoder")
    except (ImportError, AttributeError) as error:
        raise PhotoDecodeError(f"cannot load WLT decoder {spec!r}: {error}") from error
    decoder = target() if isinstance(target, type) else target
    if not isinstance(decoder, WltDecoder):
        raise PhotoDecodeError(f"{spec!r} is not a WLT decoder (needs name and decode())")
    return decoder


def find_decoder(spec: str | None = None) -> WltDecoder | None:
    """The configured decoder: ``spec``, then the environment variable, then an entry point."""
    spec = spec or os.environ.get(ENV_VAR)
    if spec:
        return _load(spec)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        return _load(entry.value)
    return None


def decode_photo(wlt: bytes | None, decoder: WltDecoder | None) -> bytes | None:
    """The BMP for ``wlt``, or None when there is no photo or no decoder."""
    if not wlt or decoder is None:
        return None
    if len(wlt) != WLT_LEN:
        raise PhotoDecodeError(f"WLT photo is {len(wlt)} bytes, expected {WLT_LEN}")
    try:
        image = decoder.decode(wlt)
    except PhotoDecodeError:
        raise
    except Exception as error:  # a vendor library may raise anything; report it as ours
        raise PhotoDecodeError(f"{decoder.name}: {error}") from error
    if not image.startswith(b"BM"):
        raise PhotoDecodeError(f"{decoder.name} returned something that is not a BMP")
    return image
