"""The peer educator's work: her task list, most urgent first, and search."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from accounts.models import User
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.registry import registry
from notifications import services as notifications
from referrals.models import FollowUp, Member, Referral
from referrals.services import codes, followups, members
from referrals.services.scope import members_query, referrals_query


@dataclass
class TaskItem:
    """One line of another package's section: a page to open (`endpoint` with `args`), the day
    it is about, and words already in the reader's language (never a private text)."""

    endpoint: str
    args: dict[str, Any]
    day: date | None
    words: list[str]
    urgent: bool = False


@dataclass
class TaskSection:
    """A section another package adds to the task list (core.registry `task_sections`)."""

    title: str
    items: list[TaskItem]
    # Shown when there is nothing (None: the section is left out when empty).
    empty: str | None = None


@dataclass
class Tasks:
    """Short lists, most urgent first, and the sections other packages add."""

    to_trace: list[Referral] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    no_appointment: list[Referral] = field(default_factory=list)
    replied_no: list[Referral] = field(default_factory=list)
    # The carrier said her number cannot receive SMS: reach her in person for a new number.
    no_sms: list[Member] = field(default_factory=list)
    sections: list[TaskSection] = field(default_factory=list)


def _urgent_first():
    return sa.case((Referral.urgency == "urgent", 0), else_=1)


def task_list(actor: User, *, now: datetime | None = None, limit: int = 50) -> Tasks:
    """Missed appointments not yet traced, follow-ups due within 7 days, and referrals still
    waiting for an appointment."""
    now = now or utcnow()
    tasks = Tasks()
    base = referrals_query(actor)
    tasks.to_trace = list(
        db.session.scalars(
            base.where(
                Referral.status == "missed",
                # "rescheduled" without a new time (recorded before it took one) is still to do.
                sa.or_(
                    Referral.trace_outcome.is_(None),
                    Referral.trace_outcome.in_(("reached", "rescheduled")),
                ),
            )
            .order_by(_urgent_first(), Referral.appointment_at)
            .limit(limit)
        ).unique()
    )
    week_end = followups.local_today(now) + timedelta(days=8)
    tasks.follow_ups, _ = followups.list_follow_ups(
        actor, status="due", due_before=week_end, per_page=limit
    )
    tasks.no_appointment = list(
        db.session.scalars(
            base.where(Referral.status == "referred")
            .order_by(_urgent_first(), Referral.created_at)
            .limit(limit)
        ).unique()
    )
    tasks.replied_no = list(
        db.session.scalars(
            base.where(Referral.status == "scheduled", Referral.reply == "no")
            .order_by(_urgent_first(), Referral.appointment_at)
            .limit(limit)
        ).unique()
    )
    tasks.no_sms = list(
        db.session.scalars(
            members_query(actor)
            .where(Member.contact_id.in_(notifications.unusable_contact_ids()))
            .order_by(Member.id)
            .limit(limit)
        ).unique()
    )
    tasks.sections = other_sections(actor, now)
    return tasks


def other_sections(actor: User, now: datetime) -> list[TaskSection]:
    """The sections other packages registered (safety: her open incidents that need help)."""
    found = (section(actor, now) for section in registry().task_sections)
    return [section for section in found if section is not None]


@dataclass
class SearchResult:
    """What a search term found."""

    referral: Referral | None = None
    members: list[Member] = field(default_factory=list)


def search(term: object, actor: User) -> SearchResult:
    """A referral code, a UIC or a phone number (through the blind index; never in a URL)."""
    text = term.strip() if isinstance(term, str) else ""
    result = SearchResult()
    if not text:
        return result
    code = codes.parse(text)
    if code is not None:
        result.referral = db.session.scalar(referrals_query(actor).where(Referral.code == code))
        if result.referral is not None:
            return result
    member = members.find_by_uic(text, actor)
    if member is not None:
        result.members = [member]
    elif notifications.looks_like_phone(text):
        try:
            result.members = members.find_by_phone(text, actor)
        except DomainError:  # a malformed number simply finds nothing
            result.members = []
    for found in result.members:
        audit.record(actor, "member.search_hit", "member", found.id)
    return result
