"""Sending limits the dispatcher checks before a send: a daily segment budget, a per-member cap.

Pure reads of the outbox (no writes); the clock is passed in. "A day" is the local day of
APP_TIMEZONE, the day members and the budget's owner live in.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from core.extensions import db
from notifications.models import OutboxMessage

# Statuses whose segments were (or may have been) paid for: accepted by the provider, delivered or
# not, and the rows in flight (claimed, or sent without an answer).
_BILLED = ("sent", "delivered", "undelivered", "failed")
_IN_FLIGHT = ("sending", "unknown")
# A member's cap counts what reached, or may reach, her phone.
_TO_HER = ("sent", "delivered", "sending", "unknown")
DEFAULT_MAX_PER_CONTACT = 3


def _setting_int(name: str, default: int) -> int:
    value = current_app.config.get(name)
    if value is None or value == "":
        value = os.environ.get(name)
    try:
        return default if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        return default


def local_day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the APP_TIMEZONE day that holds `now`."""
    tz = ZoneInfo(current_app.config["APP_TIMEZONE"])
    day = now.astimezone(tz).date()
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def local_day(now: datetime) -> date:
    """The APP_TIMEZONE date of `now`."""
    return now.astimezone(ZoneInfo(current_app.config["APP_TIMEZONE"])).date()


def _when():
    # A row in flight has no sent_at yet: its claim (updated_at) stands for it.
    return sa.func.coalesce(OutboxMessage.sent_at, OutboxMessage.updated_at)


def daily_segments_used(day_start_utc: datetime, day_end_utc: datetime) -> int:
    """Segments sent (or in flight) in [day_start_utc, day_end_utc)."""
    used = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(sa.func.coalesce(OutboxMessage.segments, 1)), 0))
        .where(OutboxMessage.status.in_(_BILLED + _IN_FLIGHT))
        .where(_when() >= day_start_utc, _when() < day_end_utc)
    )
    return int(used or 0)


def budget_allows(segments: int, now: datetime) -> bool:
    """Whether `segments` more fit today's SMS_DAILY_SEGMENT_BUDGET (0 or unset: no budget)."""
    budget = _setting_int("SMS_DAILY_SEGMENT_BUDGET", 0)
    if budget <= 0:
        return True
    start, end = local_day_bounds(now)
    return daily_segments_used(start, end) + max(segments, 0) <= budget


def member_cap_allows(contact_id: int, now: datetime, *, exclude_id: int | None = None) -> bool:
    """Whether she may get one more SMS today (SMS_MAX_PER_CONTACT_PER_DAY, default 3; 0: no
    cap). `exclude_id`: the message being decided, when it is already claimed (`sending`)."""
    cap = _setting_int("SMS_MAX_PER_CONTACT_PER_DAY", DEFAULT_MAX_PER_CONTACT)
    if cap <= 0:
        return True
    start, end = local_day_bounds(now)
    query = (
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.contact_id == contact_id)
        .where(OutboxMessage.status.in_(_TO_HER))
        .where(_when() >= start, _when() < end)
    )
    if exclude_id is not None:
        query = query.where(OutboxMessage.id != exclude_id)
    return int(db.session.scalar(query) or 0) < cap
