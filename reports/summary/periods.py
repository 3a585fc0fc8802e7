"""Local days and months for the summary: the months a refresh recomputes, the local day of a
time column as SQL, and which summary rows (month or day) make up a report's range."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from core.extensions import db
from reports.services import local_midnight


def month_start(day: date) -> date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def months(first: date, end: date) -> Iterator[tuple[date, date]]:
    """The local months that hold the days [first, end), each as [its first day, the next's)."""
    month = month_start(first)
    while month < end:
        following = next_month(month)
        yield month, following
        month = following


def local_day(column: Any, first: date, end: date) -> Any:
    """The local date of a UTC time `column` as a CASE over the days [first, end) (rows must
    already be limited to them): the zone's offset is exact on both databases, with no
    dialect's time zone functions. A refresh passes one month at a time (at most 31 branches)."""
    whens, day = [], first
    while day < end:
        following = day + timedelta(days=1)
        whens.append((column < local_midnight(following), sa.literal(day, sa.Date)))
        day = following
    return sa.case(*whens, else_=sa.null())


def month_label(period: Any) -> Any:
    """YYYY-MM of a summary row's `period` (a date column), in the database's own function."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.to_char(period, "YYYY-MM")
    return sa.func.strftime("%Y-%m", period)


def split_range(start: date, end: date) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """[start, end) as (the whole months inside it, or None; the day ranges outside those)."""
    first_whole = start if start.day == 1 else next_month(start)
    end_whole = month_start(end)
    if first_whole >= end_whole:
        return None, [(start, end)]
    edges = [(a, b) for a, b in ((start, first_whole), (end_whole, end)) if a < b]
    return (first_whole, end_whole), edges


def in_periods(table: Any, start: date, end: date) -> Any:
    """The rows of a summary `table` that together count [start, end) once: its whole months'
    month rows and the other days' day rows."""
    whole, edges = split_range(start, end)
    parts = [
        sa.and_(table.c.grain == "day", table.c.period >= a, table.c.period < b) for a, b in edges
    ]
    if whole is not None:
        parts.append(
            sa.and_(table.c.grain == "month", table.c.period >= whole[0], table.c.period < whole[1])
        )
    return sa.or_(*parts)
