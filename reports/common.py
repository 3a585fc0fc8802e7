"""What the SMS reports share: the local month of a time column as SQL, the range and grouping
checks, a rate."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from core.errors import BadInput
from core.i18n import N_
from reports.services import local_midnight

# How many decimals a rate, a difference and its interval keep (4: Newcombe's own tables).
RATE_DECIMALS = 4


def month_key(column: Any, start: date, end: date) -> Any:
    """YYYY-MM of the local (APP_TIMEZONE) month of `column`, as a CASE over UTC month
    boundaries computed here: the same SQL on both databases, exact across the zone's offset.
    Rows must already be limited to [start, end)."""
    whens, first = [], start.replace(day=1)
    while first < end:
        following = (first + timedelta(days=32)).replace(day=1)
        whens.append((column < local_midnight(following), first.strftime("%Y-%m")))
        first = following
    return sa.case(*whens, else_=sa.null())


def in_range(column: Any, start: date, end: date) -> Any:
    """`column` within the local dates [start, end)."""
    return sa.and_(column >= local_midnight(start), column < local_midnight(end))


def check_group_by(group_by: str, choices: tuple[str, ...]) -> None:
    """A grouping outside `choices` is refused (the API's query model answers 422 first)."""
    if group_by not in choices:
        raise BadInput(
            N_("group_by must be one of %(choices)s."),
            params={"choices": ", ".join(choices)},
            fields={"group_by": N_("One of %(choices)s.")},
        )


def rate(part: int, whole: int) -> float | None:
    """part ÷ whole as a fraction, or None when there is nothing to divide by."""
    return None if whole == 0 else round(part / whole, RATE_DECIMALS)
