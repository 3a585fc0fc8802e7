"""What the newer reports share: the local month of a time column as SQL, the range and grouping
checks, a rate, a median per group computed by the database."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from core.errors import BadInput
from core.extensions import db
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


def medians(sample: sa.Subquery) -> dict[Any, tuple[float, int]]:
    """{gkey: (median of `value`, how many values)} over a subquery of (`gkey`, `value`) rows,
    in SQL: percentile_cont on PostgreSQL, the middle rows by a window on SQLite."""
    if db.engine.dialect.name == "postgresql":
        median = sa.func.percentile_cont(0.5).within_group(sample.c.value)
        query = sa.select(sample.c.gkey, median, sa.func.count()).group_by(sample.c.gkey)
    else:
        by = sample.c.gkey
        ranked = sa.select(
            sample.c.gkey,
            sample.c.value,
            sa.func.row_number().over(partition_by=by, order_by=sample.c.value).label("n"),
            sa.func.count().over(partition_by=by).label("size"),
        ).subquery("ranked")
        middle = ranked.c.n.in_([(ranked.c.size + 1) // 2, (ranked.c.size + 2) // 2])
        query = sa.select(ranked.c.gkey, sa.func.avg(ranked.c.value), sa.func.max(ranked.c.size))
        query = query.where(middle).group_by(ranked.c.gkey)
    rows = db.session.execute(query).all()
    return {gkey: (float(value), int(size)) for gkey, value, size in rows}
