"""The small-number rule every report shares (DESIGN.md): a count from 1 to 4 is shown as "<5"
for every role but admin, and in everything that leaves the service for every role; when one
group alone is hidden in a column, that column's total is withheld too (complementary
suppression), since the total minus the other groups would give it away."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SUPPRESSED = "<5"


def small(value: int) -> bool:
    """A count the rule hides: 1 to 4 (0 says nothing about anyone)."""
    return 1 <= value <= 4


def suppress(value: int, *, admin: bool) -> int | str:
    """The count as a reader sees it: exact for an admin, "<5" for anyone else when small."""
    return SUPPRESSED if not admin and small(value) else value


def protect_single_hidden_cell(
    rows: list[dict[str, Any]], totals: dict[str, Any], keys: Iterable[str]
) -> None:
    """Complementary suppression: when one group alone is "<5" in a column, the total minus the
    other groups would give it away, so that column's total is withheld (null)."""
    for key in keys:
        if sum(1 for row in rows if row[key] == SUPPRESSED) == 1 and totals[key] != SUPPRESSED:
            totals[key] = None
