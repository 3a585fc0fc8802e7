"""Refreshing the report summary: whole local months at a time, in the caller's transaction.

A refresh deletes the summary rows of each month it covers, computes that month's day rows from
the detail tables (reports.summary.sources) and adds them up into its month row, so readers in
other transactions see the old month or the new one, never half of it. The scheduler's
`reports.summary` job refreshes the recent months (REPORT_SUMMARY_RECENT_DAYS) every
REPORT_SUMMARY_SECONDS and rebuilds everything once a local day (a late follow-up or outcome of
an older referral is counted by the next night's rebuild); `flask reports refresh [--all]` does
either by hand.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from core.api import local_zone
from core.db import utcnow
from core.extensions import db
from notifications import services as notifications
from referrals.models import Referral
from reports.summary.models import SummaryState
from reports.summary.periods import months
from reports.summary.sources import SOURCES, TABLES

STATE = "reports"


def _clear(first: date | None = None, end: date | None = None) -> None:
    """Delete the summary rows of the days [first, end) (both None: every row)."""
    for model, _group, _sums in TABLES:
        table = model.__table__
        delete = sa.delete(table)
        if first is not None and end is not None:
            delete = delete.where(table.c.period >= first, table.c.period < end)
        db.session.execute(delete)


def _roll_up(first: date, end: date) -> None:
    """Each table's month row of [first, end) (one month): the sums of its day rows."""
    for model, group, sums in TABLES:
        table = model.__table__
        select = (
            sa.select(
                sa.literal("month"),
                sa.literal(first, sa.Date),
                *(table.c[c] for c in group),
                *(sa.func.sum(table.c[c]) for c in sums),
            )
            .where(table.c.grain == "day", table.c.period >= first, table.c.period < end)
            .group_by(*(table.c[c] for c in group))
        )
        columns = ["grain", "period", *group, *sums]
        db.session.execute(sa.insert(table).from_select(columns, select))


def refresh_months(first: date, end: date) -> int:
    """Recompute every local month that holds a day of [first, end); flushes, returns how many."""
    count = 0
    for month, following in months(first, end):
        _clear(month, following)
        for source in SOURCES:
            source(month, following)
        _roll_up(month, following)
        count += 1
    db.session.flush()
    return count


def _today() -> date:
    return utcnow().astimezone(local_zone()).date()


def _local(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(local_zone()).date()


def data_range() -> tuple[date, date] | None:
    """The local days from the first referral or message to the last one or today, whichever
    is later (inclusive), or None when there is neither."""
    outbox = notifications.outbox_table()
    ends = [
        *db.session.execute(
            sa.select(sa.func.min(Referral.created_at), sa.func.max(Referral.created_at))
        ).one(),
        *db.session.execute(
            sa.select(sa.func.min(outbox.c.send_at), sa.func.max(outbox.c.send_at))
        ).one(),
    ]
    known = [day for day in map(_local, ends) if day is not None]
    if not known:
        return None
    return min(known), max(*known, _today()) + timedelta(days=1)


def state() -> SummaryState:
    """The summary's state row, locked until the transaction ends (on PostgreSQL): a refresh by
    hand and the scheduler's wait for each other instead of deleting and inserting the same
    months at once. SQLite has one writer at a time anyway."""
    row = db.session.get(SummaryState, STATE, with_for_update=True)
    if row is None:
        row = SummaryState(name=STATE)
        db.session.add(row)
    return row


def refresh(*, rebuild: bool = False, now: datetime | None = None) -> dict[str, Any]:
    """Refresh the recent months, or (`rebuild`) drop the summary and compute every month that
    holds data; records when in the state row. Flushes; the caller commits."""
    moment = now or utcnow()
    row = state()
    if rebuild:
        span = data_range()
        _clear()
    else:
        today = _today()
        recent = int(current_app.config["REPORT_SUMMARY_RECENT_DAYS"])
        span = (today - timedelta(days=recent), today + timedelta(days=1))
    counted = refresh_months(*span) if span else 0
    row.refreshed_at = moment
    if rebuild:
        row.rebuilt_at = moment
    db.session.flush()
    return {"months": counted, "rebuild": rebuild}


def refresh_job() -> dict[str, Any]:
    """The scheduler's job: a whole rebuild once a local day, the recent months otherwise."""
    from core.web import unit_of_work

    with unit_of_work():
        built = _local(state().rebuilt_at)
        return refresh(rebuild=built is None or built < _today())


def as_of() -> datetime | None:
    """When the figures the reports show were computed (None: never)."""
    row = db.session.get(SummaryState, STATE)
    return None if row is None else row.refreshed_at


def as_of_iso() -> str | None:
    """`as_of()` as the API gives it: ISO 8601 with the local offset, or None."""
    from core.api import iso_local

    return iso_local(as_of())
