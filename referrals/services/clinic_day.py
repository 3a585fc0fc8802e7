"""The clinic partner's day: the referrals her clinic expects, grouped for the home page."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from core.extensions import db
from core.security import Actor
from referrals.models import Referral
from referrals.services.scope import referrals_query

LIST_LIMIT = 100  # rows per list: the page is a day's work, not an archive


def day_bounds(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The start and end of `now`'s day in `zone`, as aware datetimes."""
    start = datetime.combine(now.astimezone(zone).date(), datetime.min.time(), tzinfo=zone)
    return start, start + timedelta(days=1)


def _rows(query: sa.Select) -> list[Referral]:
    return list(db.session.scalars(query.limit(LIST_LIMIT)).unique())


def clinic_day_lists(user: Actor, now: datetime, zone: ZoneInfo) -> dict[str, list[Referral]]:
    """Expected today by time, overdue, upcoming, waiting without a time, recently confirmed."""
    start, end = day_bounds(now, zone)
    base = referrals_query(user)
    scheduled = base.where(Referral.status == "scheduled")
    return {
        "today": _rows(
            scheduled.where(
                Referral.appointment_at >= start, Referral.appointment_at < end
            ).order_by(Referral.appointment_at)
        ),
        "overdue": _rows(
            base.where(
                sa.or_(
                    sa.and_(Referral.status == "scheduled", Referral.appointment_at < start),
                    Referral.status == "missed",
                )
            ).order_by(Referral.appointment_at.desc())
        ),
        "upcoming": _rows(
            scheduled.where(Referral.appointment_at >= end).order_by(Referral.appointment_at)
        ),
        "no_time": _rows(base.where(Referral.status == "referred").order_by(Referral.created_at)),
        "confirmed": _rows(
            base.where(
                Referral.status == "attended", Referral.attended_at >= now - timedelta(days=7)
            ).order_by(Referral.attended_at.desc())
        ),
    }
