"""Print a 办事指南's HTML to PDF with WeasyPrint (pure Python on Pango; fonts-wqy-microhei gives
the Chinese glyphs; nothing is downloaded at run time)."""

from __future__ import annotations

from pathlib import Path

from kiosk.errors import CatalogError


def write_pdf(html_text: str, path: Path) -> int:
    """Write the PDF; returns its page count."""
    try:
        from weasyprint import HTML
    except ImportError as error:  # pragma: no cover - setup.sh installs it
        raise CatalogError([f"PDF output needs the weasyprint package ({error}); run scripts/setup.sh"]) from error
    document = HTML(string=html_text).render()
    document.write_pdf(str(path))
    return len(document.pages)
