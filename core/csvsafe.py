"""CSV cells a spreadsheet will not run as formulas (CONTRACT.md: "Every CSV the service writes").

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, which
spreadsheets read as "this is text". A cell that already starts with `'` gets one more, so that
`unescape_cell` can take exactly ours off again and an exported file imports back unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def escape_cell(value: Any) -> str:
    """The cell as text: empty for None, and quoted with `'` when a spreadsheet would run it."""
    if value is None:
        return ""
    text = str(value)
    if text[:1] in (*FORMULA_STARTS, _QUOTE):
        return _QUOTE + text
    return text


def unescape_cell(text: str) -> str:
    """Undo `escape_cell`: drop the one `'` it put before a formula start or a `'`."""
    if text[:1] == _QUOTE and (text[1:2] in FORMULA_STARTS or text[1:2] == _QUOTE):
        return text[1:]
    return text


class SafeWriter:
    """A `csv.writer` whose every cell goes through `escape_cell`."""

    def __init__(self, out: IO[str], **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row, each cell escaped."""
        self._writer.writerow([escape_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write several rows, each cell escaped."""
        for row in rows:
            self.writerow(row)


def writer(out: IO[str], **options: Any) -> SafeWriter:
    """The writer every CSV the service produces goes through (options as `csv.writer`'s)."""
    return SafeWriter(out, **options)
