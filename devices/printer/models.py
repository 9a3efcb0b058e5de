"""Printer models from the capabilities database python-escpos ships (escpos-printer-db).

``profile=TM-T88V`` in a printer URL (or ``kiosk-provision printer --model TM-T88V``) takes the
paper width in dots, the Font A columns, native QR support, the cutter and the single-byte code
pages from the database entry of that model. The file is read as JSON from the installed
``escpos`` package; ``escpos.capabilities`` itself is not imported, because importing it calls
``logging.basicConfig()`` (a root handler that would bypass the kiosk's masking log setup),
creates a temporary folder and writes a pickle cache.

What the database does not say, and so stays ours: whether a model has a Chinese font ROM and
takes GB18030 or only GBK after ``FS &`` (no profile in the database has a Chinese code page),
and the width of a model whose entry says "Unknown".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from devices.printer.errors import PrinterUrlError

FONT_A = "0"


@dataclass(frozen=True)
class PrinterModel:
    """One entry of the database, as the renderer needs it."""

    key: str  # the database's key, e.g. "TM-T88V": what ``profile=`` names
    name: str
    vendor: str
    columns: int  # Font A characters per line
    dots: int | None  # printable width in dots; None when the database says "Unknown"
    width_mm: float | None
    native_qr: bool
    raster: bool  # GS v 0 raster images (our fallback for text without a font)
    partial_cut: bool
    full_cut: bool
    code_pages: tuple[str, ...]  # single-byte code pages, in ESC t order
    notes: str = ""

    @property
    def is_printer(self) -> bool:
        """False for the customer displays the database also lists."""
        return self.raster or self.partial_cut or self.full_cut


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _model(key: str, entry: dict[str, Any]) -> PrinterModel:
    features = entry.get("features", {})
    width = entry.get("media", {}).get("width", {})
    pixels = _number(width.get("pixels"))
    pages = entry.get("codePages", {})
    return PrinterModel(
        key=key,
        name=str(entry.get("name", key)),
        vendor=str(entry.get("vendor", "")),
        columns=int(entry.get("fonts", {}).get(FONT_A, {}).get("columns", 0)),
        dots=int(pixels) if pixels else None,
        width_mm=_number(width.get("mm")),
        native_qr=bool(features.get("qrCode")),
        raster=bool(features.get("bitImageRaster")),
        partial_cut=bool(features.get("paperPartCut")),
        full_cut=bool(features.get("paperFullCut")),
        code_pages=tuple(pages[n] for n in sorted(pages, key=int)),
        notes=str(entry.get("notes", "")).strip(),
    )


@cache
def database() -> dict[str, PrinterModel]:
    """Every model in the installed python-escpos's database, by key."""
    text = (resources.files("escpos") / "capabilities.json").read_text(encoding="utf-8")
    profiles = json.loads(text)["profiles"]
    return {key: _model(key, entry) for key, entry in sorted(profiles.items())}


def printer_models() -> list[PrinterModel]:
    """The receipt printers of the database (customer displays left out)."""
    return [model for model in database().values() if model.is_printer]


def find_model(name: str) -> PrinterModel:
    """The model ``name`` names (exact key first, then case-insensitive); a clear error if none."""
    models = database()
    if name in models:
        return models[name]
    by_fold = {key.casefold(): model for key, model in models.items()}
    if name.casefold() in by_fold:
        return by_fold[name.casefold()]
    close = [key for key in models if name.casefold() in key.casefold()]
    hint = f"; did you mean {', '.join(close)}?" if close else "; see kiosk-provision printer --list-models"
    raise PrinterUrlError(f"no printer model {name!r} in python-escpos's database{hint}", option="profile")
