"""Retention runs: every step that packages registered, by `flask retention purge` and, once a
local day, by the scheduler's `retention.daily` job.

Each run leaves an audit row (`retention.purge`, counts only). The daily job looks for one on the
current local day before it runs, so several scheduler processes (each taking the job's advisory
lock in turn) and restarts still purge once a day.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from core import audit
from core.db import utcnow
from core.extensions import db
from core.registry import registry

PURGE_ACTION = "retention.purge"


def purge_all(now: datetime, *, channel: str = "cli") -> list[tuple[str, dict]]:
    """Run every retention step at `now`, committing after each; returns (step, counts)."""
    results = []
    for name, step in registry().retention_steps:
        results.append((name, step(now)))
        db.session.commit()  # a step done stays done if a later one fails
    event = audit.record(None, PURGE_ACTION, "retention", None, dict(results), channel=channel)
    event.at = now
    db.session.commit()
    return results


def _local_day(now: datetime) -> tuple[datetime, datetime]:
    """The local day (APP_TIMEZONE) that holds `now`, as a [start, end) pair of aware times."""
    zone = ZoneInfo(current_app.config["APP_TIMEZONE"])
    day = now.astimezone(zone).date()
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def purged_on_day_of(now: datetime) -> bool:
    """Whether a purge already ran on the local day of `now`."""
    start, end = _local_day(now)
    return bool(
        db.session.scalar(
            sa.select(audit.AuditEvent.id)
            .where(
                audit.AuditEvent.action == PURGE_ACTION,
                audit.AuditEvent.at >= start,
                audit.AuditEvent.at < end,
            )
            .limit(1)
        )
    )


def daily_purge(now: datetime | None = None) -> bool:
    """The scheduler's job: purge unless already done today (local); True when it ran."""
    now = now or utcnow()
    if purged_on_day_of(now):
        return False
    purge_all(now, channel="system")
    return True


def purge_replay_records(now: datetime) -> dict:
    """Retention step: one-time form tokens and Idempotency-Keys older than 24 hours."""
    from core import idempotency, once

    return {"form_tokens": once.purge(now), "idempotency_keys": idempotency.purge(now)}
