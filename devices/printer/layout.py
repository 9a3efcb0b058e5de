"""Width-aware text layout in printer columns: a hanzi is two columns, ASCII one.

On a Chinese printer in Kanji mode (``FS &``) every character outside ASCII is printed from the
24x24 Kanji font, so it takes two columns even when Unicode calls it "ambiguous" (·, —, ①).
Wrapping never splits a character and keeps closing punctuation off the start of a line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from devices.printer.document import Align

# Characters that must not start a line (kinsoku): they stay with the character before them.
_NO_LINE_START = set("，。、；：？！）》」』】〉”’…,.;:?!)]}%")


def char_width(char: str) -> int:
    if char < "\x80":
        return 1 if char.isprintable() else 0
    if unicodedata.combining(char):
        return 0
    return 2


def text_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def _break_ascii_word(tokens: list[str], columns: int) -> list[str]:
    """Split over-long tokens so each fits in ``columns``."""
    out: list[str] = []
    for token in tokens:
        while text_width(token) > columns:
            out.append(token[:columns])
            token = token[columns:]
        out.append(token)
    return out


def _tokens(text: str) -> list[str]:
    """ASCII words (with their trailing space) stay whole; every other character is a token."""
    tokens: list[str] = []
    word = ""
    for char in text:
        if char < "\x80" and char != " ":
            word += char
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(char)
    if word:
        tokens.append(word)
    return tokens


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most ``columns`` columns; explicit newlines are kept; empty text gives ``[""]``."""
    if columns < 2:
        raise ValueError("columns must be at least 2")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        tokens = _break_ascii_word(_tokens(paragraph), columns)
        current: list[str] = []
        width = 0
        for token in tokens:
            w = text_width(token)
            if width + w <= columns:
                current.append(token)
                width += w
                continue
            if token == " ":
                lines.append("".join(current).rstrip())
                current, width = [], 0
                continue
            carry: list[str] = []
            # Keep a closing mark with its predecessor by moving that predecessor down too.
            if token in _NO_LINE_START and len(current) > 1:
                carry = [current.pop()]
            lines.append("".join(current).rstrip())
            current = [*carry, token]
            width = sum(text_width(t) for t in current)
        lines.append("".join(current).rstrip())
    return lines


def pad(text: str, columns: int, align: Align = "left") -> str:
    """``text`` padded with spaces to exactly ``columns`` columns (it must already fit)."""
    gap = columns - text_width(text)
    if gap < 0:
        raise ValueError(f"{text!r} is wider than {columns} columns")
    if align == "right":
        return " " * gap + text
    if align == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap


def key_value(key: str, value: str, columns: int, indent: int = 2) -> list[str]:
    """``key   value`` on one line when it fits, else the key then the value indented below."""
    if text_width(key) + 1 + text_width(value) <= columns:
        return [key + pad(value, columns - text_width(key), "right")]
    lines = wrap(key, columns)
    lines += [" " * indent + line for line in wrap(value, columns - indent)]
    return lines


def column_widths(
    headers: Sequence[str], rows: Sequence[Sequence[str]], columns: int, gap: int = 1
) -> list[int]:
    """Widths per column that sum (with gaps) to ``columns``, shrinking the widest first."""
    count = len(headers)
    usable = columns - gap * (count - 1)
    if usable < 4 * count:
        raise ValueError(f"{count} table columns do not fit in {columns} columns")
    natural = [
        max(text_width(str(cell)) for cell in [headers[i], *(row[i] for row in rows)])
        for i in range(count)
    ]
    widths = [max(w, 2) for w in natural]
    # The first column (the item's name) is favoured: it shrinks as if it were 40% narrower;
    # short columns (a time limit) keep their width while a wide one can still give some up.
    short = {i for i in range(1, count) if natural[i] <= usable // 3}
    while sum(widths) > usable:
        shrinkable = [i for i in range(count) if i not in short and widths[i] > 4] or list(
            range(count)
        )
        widest = max(shrinkable, key=lambda i: widths[i] * (0.6 if i == 0 else 1.0))
        if widths[widest] <= 2:
            raise ValueError(f"{count} table columns do not fit in {columns} columns")
        widths[widest] -= 1
    widths[0] += usable - sum(widths)
    return widths


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], columns: int, gap: int = 1
) -> list[str]:
    """A text table: the first column is left-aligned and takes the spare room, the others right."""
    widths = column_widths(headers, rows, columns, gap)
    out: list[str] = []
    for row in [headers, *rows]:
        cells = [wrap(str(cell), widths[i]) for i, cell in enumerate(row)]
        height = max(len(c) for c in cells)
        for line in range(height):
            parts = []
            for i, cell in enumerate(cells):
                text = cell[line] if line < len(cell) else ""
                parts.append(pad(text, widths[i], "left" if i == 0 else "right"))
            out.append((" " * gap).join(parts).rstrip())
        if row is headers:
            out.append("-" * columns)
    return out
