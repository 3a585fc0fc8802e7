"""Reading the summary for a report's range: sums per group and the median of a histogram per
group, both in one GROUP BY of the summary rows that count [start, end) once."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from core.extensions import db
from reports.summary.models import ValueCounts
from reports.summary.periods import in_periods


def sums(
    table: Any,
    start: date,
    end: date,
    columns: tuple[str, ...],
    group: tuple[Any, Any],
    *,
    where: Any = None,
    joins: tuple[tuple[Any, Any], ...] = (),
) -> list[Any]:
    """Rows of (gkey, glabel, each of `columns` summed) over `table`'s rows of [start, end);
    `group` is the (key, label) expression pair, `joins` (target, on) pairs it needs."""
    key, label = group
    source: Any = table
    for target, on in joins:
        source = source.join(target, on)
    # The group is a column of an inner query, so a constant one ("total") groups too.
    rows = (
        sa.select(key.label("gkey"), label.label("glabel"), *(table.c[c] for c in columns))
        .select_from(source)
        .where(in_periods(table, start, end), sa.true() if where is None else where)
        .subquery("rows")
    )
    query = sa.select(
        rows.c.gkey, rows.c.glabel, *(sa.func.sum(rows.c[c]).label(c) for c in columns)
    ).group_by(rows.c.gkey, rows.c.glabel)
    return list(db.session.execute(query).all())


def medians(
    measure: str,
    dimension: str,
    start: date,
    end: date,
    key: Any,
    joins: tuple[tuple[Any, Any], ...] = (),
) -> dict[Any, tuple[float, int]]:
    """{group key: (median, how many values)} of a histogram of whole values: the middle value
    (the mean of the two middle ones for an even count), as percentile_cont gives."""
    values = ValueCounts.__table__
    source: Any = values
    for target, on in joins:
        source = source.join(target, on)
    rows = (
        sa.select(key.label("gkey"), values.c.value, values.c.n)
        .select_from(source)
        .where(
            values.c.measure == measure,
            values.c.dimension == dimension,
            in_periods(values, start, end),
        )
        .subquery("rows")
    )
    merged = (
        sa.select(rows.c.gkey, rows.c.value, sa.func.sum(rows.c.n).label("n"))
        .group_by(rows.c.gkey, rows.c.value)
        .subquery("merged")
    )
    running = sa.select(
        merged.c.gkey,
        merged.c.value,
        sa.func.sum(merged.c.n)
        .over(partition_by=merged.c.gkey, order_by=merged.c.value)
        .label("upto"),
        sa.func.sum(merged.c.n).over(partition_by=merged.c.gkey).label("size"),
    ).subquery("running")
    # The middle values sit at the 1-based positions ceil(size/2) and floor(size/2) + 1, the
    # first values whose running count reaches half the size, and passes it (no division, so
    # the integer and numeric sums of the two databases agree).
    at_low = sa.func.min(sa.case((2 * running.c.upto >= running.c.size, running.c.value)))
    at_high = sa.func.min(sa.case((2 * running.c.upto > running.c.size, running.c.value)))
    found = db.session.execute(
        sa.select(running.c.gkey, at_low, at_high, sa.func.max(running.c.size)).group_by(
            running.c.gkey
        )
    ).all()
    return {gkey: ((int(lo) + int(hi)) / 2, int(size)) for gkey, lo, hi, size in found}
