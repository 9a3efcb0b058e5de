"""Printer profiles: paper width in columns and dots, the Chinese encoding, and QR support."""

from __future__ import annotations

from dataclasses import dataclass, replace

from devices.printer.errors import PrinterUrlError

ENCODINGS = ("gb18030", "gbk")


@dataclass(frozen=True)
class PrinterProfile:
    """What the renderer needs to know about one printer model.

    ``columns`` counts Font A half-width cells (12x24 dots); a hanzi takes two.
    ``cjk_font`` False means the printer has no Chinese font ROM: non-ASCII lines go as raster.
    """

    name: str
    columns: int
    dots: int
    encoding: str = "gb18030"
    native_qr: bool = True
    cjk_font: bool = True

    @property
    def cell_dots(self) -> int:
        return self.dots // self.columns


PAPER_58 = PrinterProfile(name="58mm", columns=32, dots=384)
PAPER_80 = PrinterProfile(name="80mm", columns=48, dots=576)
PAPERS = {"58": PAPER_58, "80": PAPER_80}


def profile_from_options(options: dict[str, str]) -> PrinterProfile:
    """The profile named by URL options: ``width=58|80``, ``encoding=``, ``qr=native|raster``, ``cjk=0|1``."""
    width = options.get("width", "80")
    if width not in PAPERS:
        raise PrinterUrlError(f"width must be 58 or 80, not {width!r}", option="width")
    profile = PAPERS[width]
    encoding = options.get("encoding", profile.encoding).lower()
    if encoding not in ENCODINGS:
        raise PrinterUrlError(
            f"encoding must be one of {ENCODINGS}, not {encoding!r}", option="encoding"
        )
    qr = options.get("qr", "native")
    if qr not in ("native", "raster"):
        raise PrinterUrlError(f"qr must be native or raster, not {qr!r}", option="qr")
    cjk = options.get("cjk", "1")
    if cjk not in ("0", "1"):
        raise PrinterUrlError(f"cjk must be 0 or 1, not {cjk!r}", option="cjk")
    return replace(profile, encoding=encoding, native_qr=qr == "native", cjk_font=cjk == "1")
