"""The clinic partner's day: the referrals her clinic expects, grouped for the home page, and
what a code typed in its code box leads to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from core.extensions import db
from core.security import Actor
from referrals.models import Referral
from referrals.services import codes, visit_elsewhere
from referrals.services.scope import referrals_query

LIST_LIMIT = 100  # rows per list: the page is a day's work, not an archive
CANDIDATE_LIMIT = 5000  # open referrals a mistyped code is compared with
SUGGESTIONS = 3


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


@dataclass(frozen=True)
class Expected:
    """A code the clinic expects, with its appointment (for "Did you mean ...?")."""

    code: str
    appointment_at: datetime | None


@dataclass(frozen=True)
class Lookup:
    """What a typed code leads to: `here` (this clinic's referral), `elsewhere` (another
    clinic's), `unknown` (well-formed, but no referral has it) or `mistyped`; the typed symbols
    with the ones outside the alphabet marked, and expected codes one slip away."""

    outcome: str
    code: str | None
    typed: codes.Typed
    suggestions: list[Expected] = field(default_factory=list)


def expected(user: Actor, now: datetime) -> list[Expected]:
    """The open referrals of the user's clinic, the nearest appointment first."""
    query = (
        referrals_query(user)
        .where(Referral.status.in_(visit_elsewhere.OPEN_STATUSES))
        .with_only_columns(Referral.code, Referral.appointment_at)
        .order_by(Referral.id.desc())
        .limit(CANDIDATE_LIMIT)
    )
    rows = [Expected(code, at) for code, at in db.session.execute(query)]
    far = timedelta.max
    return sorted(rows, key=lambda e: abs(e.appointment_at - now) if e.appointment_at else far)


def look_up(user: Actor, text: str | None, now: datetime) -> Lookup:
    """Where a code typed at the clinic's desk leads, or what to show when it leads nowhere."""
    typed = codes.examine(text)
    if not typed.problem:
        here = referrals_query(user).where(Referral.code == typed.text)
        if db.session.scalar(here.with_only_columns(Referral.id)) is not None:
            return Lookup("here", typed.text, typed)
        if visit_elsewhere.find(typed.text, user) is not None:
            return Lookup("elsewhere", typed.text, typed)
    candidates = expected(user, now)
    near = set(codes.near(typed.text, (e.code for e in candidates)))
    suggestions = [e for e in candidates if e.code in near][:SUGGESTIONS]
    return Lookup("mistyped" if typed.problem else "unknown", None, typed, suggestions)
