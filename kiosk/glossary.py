"""Plain words for jargon (``assets/glossary.yaml``): which terms a text uses, and what they mean.

Screens put the one-line explanation under a term or behind an ⓘ; the words are data, so a
clerk can add a term without touching code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from kiosk.i18n import DEFAULT_LANGUAGE
from kiosk.paths import ASSETS

GLOSSARY_FILE = ASSETS / "glossary.yaml"


@cache
def load_glossary(path: Path = GLOSSARY_FILE) -> dict[str, dict[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or not all(isinstance(v, dict) and "zh" in v and "en" in v for v in data.values()):
        raise ValueError(f"{path}: expected term: {{zh: …, en: …}} entries")
    return {str(term): {str(k): str(v) for k, v in entry.items()} for term, entry in data.items()}


def _written(term: str, entry: dict[str, str], lang: str) -> str:
    """How the term appears on a screen in ``lang`` ("" when the English screens have no such word)."""
    return term if lang.startswith("zh") else entry.get("en_term", "").lower()


def terms_in(text: str, glossary: dict[str, dict[str, str]] | None = None,
             lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """The glossary terms ``text`` uses, in order of appearance; a term inside a longer matched
    term ("发票" in "数电发票") is not repeated."""
    glossary = load_glossary() if glossary is None else glossary
    haystack = text if lang.startswith("zh") else text.lower()
    taken: list[tuple[int, int, str]] = []
    written = {term: _written(term, entry, lang) for term, entry in glossary.items()}
    for term in sorted(glossary, key=lambda k: len(written[k]), reverse=True):
        needle = written[term]
        if not needle:
            continue
        start = haystack.find(needle)
        while start >= 0:
            end = start + len(needle)
            if not any(a < end and start < b for a, b, _ in taken):
                taken.append((start, end, term))
                break
            start = haystack.find(needle, start + 1)
    seen: list[str] = []
    for _a, _b, term in sorted(taken):
        if term not in seen:
            seen.append(term)
    return seen


def explain(term: str, lang: str = DEFAULT_LANGUAGE) -> str:
    entry = load_glossary().get(term, {})
    return entry.get("zh" if lang.startswith("zh") else "en") or entry.get("zh", "")


def explanations(text: str, lang: str = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    """(term, explanation) for each term ``text`` uses."""
    glossary = load_glossary()
    return [(_shown(term, glossary[term], lang), explain(term, lang)) for term in terms_in(text, glossary, lang)]


def _shown(term: str, entry: dict[str, str], lang: str) -> str:
    return term if lang.startswith("zh") else entry.get("en_term", term)
