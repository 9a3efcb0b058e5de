"""Printer profiles: paper width in columns and dots, the Chinese encoding, and QR support."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from devices.printer.errors import PrinterUrlError

ENCODINGS = ("gb18030", "gbk")
# Options every printer URL may carry, whatever its scheme.
URL_OPTIONS = frozenset({"width", "encoding", "qr", "cjk", "profile", "timeout"})


@dataclass(frozen=True)
class PrinterProfile:
    """What the renderer needs to know about one printer model.

    ``columns`` counts Font A half-width cells (12x24 dots); a hanzi takes two.
    ``cjk_font`` False means the printer has no Chinese font ROM: non-ASCII lines go as raster.
    ``cut`` is what the cutter can do: ``both``, only ``partial``, only ``full``, or ``none``
    (a tear-off bar).
    """

    name: str
    columns: int
    dots: int
    encoding: str = "gb18030"
    native_qr: bool = True
    cjk_font: bool = True
    cut: str = "both"
    raster: bool = True

    @property
    def cell_dots(self) -> int:
        return self.dots // self.columns


PAPER_58 = PrinterProfile(name="58mm", columns=32, dots=384)
PAPER_80 = PrinterProfile(name="80mm", columns=48, dots=576)
PAPERS = {"58": PAPER_58, "80": PAPER_80}


def model_profile(name: str, width: str | None = None) -> PrinterProfile:
    """The profile of a model in python-escpos's database (:mod:`devices.printer.models`).

    A model whose width the database does not know needs ``width=58|80`` too. Its Chinese font
    is not in the database either: ``cjk`` defaults to 0 (raster) for these profiles."""
    from devices.printer.models import find_model

    model = find_model(name)
    if width is not None:
        paper = _paper(width)
        dots, columns = paper.dots, paper.columns
    elif model.dots is None or model.columns <= 0:
        raise PrinterUrlError(
            f"python-escpos's database does not know the paper width of {model.key}: add width=58 or width=80",
            option="width",
        )
    else:
        dots, columns = model.dots, model.columns
    cut = {(True, True): "both", (True, False): "partial", (False, True): "full"}.get(
        (model.partial_cut, model.full_cut), "none"
    )
    return PrinterProfile(
        name=model.key, columns=columns, dots=dots, native_qr=model.native_qr, cjk_font=False,
        cut=cut, raster=model.raster,
    )


def _paper(width: str) -> PrinterProfile:
    if width not in PAPERS:
        raise PrinterUrlError(f"width must be 58 or 80, not {width!r}", option="width")
    return PAPERS[width]


def profile_from_options(options: Mapping[str, str]) -> PrinterProfile:
    """The profile named by URL options: ``profile=<model>``, ``width=58|80``, ``encoding=``,
    ``qr=native|raster``, ``cjk=0|1`` (options override what the model says)."""
    model = options.get("profile")
    if model:
        profile = model_profile(model, options.get("width"))
    else:
        profile = _paper(options.get("width", "80"))
    encoding = options.get("encoding", profile.encoding).lower()
    if encoding not in ENCODINGS:
        raise PrinterUrlError(
            f"encoding must be one of {ENCODINGS}, not {encoding!r}", option="encoding"
        )
    qr = options.get("qr", "native" if profile.native_qr else "raster")
    if qr not in ("native", "raster"):
        raise PrinterUrlError(f"qr must be native or raster, not {qr!r}", option="qr")
    cjk = options.get("cjk", "1" if profile.cjk_font else "0")
    if cjk not in ("0", "1"):
        raise PrinterUrlError(f"cjk must be 0 or 1, not {cjk!r}", option="cjk")
    if not profile.raster and (cjk == "0" or qr == "raster"):
        raise PrinterUrlError(
            f"{profile.name} prints no raster images: it needs cjk=1 and qr=native", option="cjk"
        )
    return replace(profile, encoding=encoding, native_qr=qr == "native", cjk_font=cjk == "1")
