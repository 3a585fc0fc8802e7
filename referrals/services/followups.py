"""Follow-up rules (per service, editable by admins) and follow-ups (due, done, missed)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from accounts.models import User
from clinics.models import Service
from core import audit
from core.db import utcnow
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.i18n import N_
from notifications import services as notifications
from referrals.models import FollowUp, FollowUpRule, Member, Referral
from referrals.services import messaging

MISSED_AFTER_DAYS = 14
# service code → (first follow-up after days, then every days); DESIGN's clinical defaults.
DEFAULT_RULES = {
    "hiv_testing": (90, None),
    "prep": (30, 90),
    "art": (30, None),
    "sti": (7, None),
    "contraception": (90, None),
}


def local_today(now: datetime) -> date:
    """The day in APP_TIMEZONE."""
    return now.astimezone(ZoneInfo(current_app.config["APP_TIMEZONE"])).date()


def seed_rules() -> int:
    """The default rules for the services that exist and have none yet; returns how many."""
    known = set(db.session.scalars(sa.select(Service.code)))
    have = set(db.session.scalars(sa.select(FollowUpRule.service_code)))
    added = 0
    for code, (first, repeat) in DEFAULT_RULES.items():
        if code in known and code not in have:
            db.session.add(
                FollowUpRule(service_code=code, first_after_days=first, repeat_every_days=repeat)
            )
            added += 1
    db.session.flush()
    return added


def ensure_rules() -> None:
    """Seed the default rules on first use (an installation without `seed-demo` has none; admins
    deactivate rules rather than delete them, so an empty table means never seeded)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(FollowUpRule)) == 0:
        seed_rules()


def list_rules() -> list[FollowUpRule]:
    """Every rule, by service."""
    ensure_rules()
    return list(db.session.scalars(sa.select(FollowUpRule).order_by(FollowUpRule.service_code)))


def save_rule(
    *,
    actor: User,
    service_code: str,
    first_after_days: Any,
    repeat_every_days: Any = None,
    active: bool = True,
) -> FollowUpRule:
    """Create or change the rule of a service (admins)."""
    if db.session.get(Service, service_code) is None:
        raise ValidationFailed(N_("No such service."), fields={"service_code": N_("Unknown.")})
    for name, value, required in (
        ("first_after_days", first_after_days, True),
        ("repeat_every_days", repeat_every_days, False),
    ):
        if value is None and not required:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 730:
            raise ValidationFailed(N_("Days: 1 to 730."), fields={name: N_("1 to 730 days.")})
    rule = db.session.scalar(
        sa.select(FollowUpRule).where(FollowUpRule.service_code == service_code)
    )
    if rule is None:
        rule = FollowUpRule(service_code=service_code, first_after_days=first_after_days)
        db.session.add(rule)
    rule.first_after_days = first_after_days
    rule.repeat_every_days = repeat_every_days
    rule.active = active
    db.session.flush()
    audit.record(actor, "followup_rule.save", "follow_up_rule", rule.id, {"service": service_code})
    return rule


def create_for_visit(referral: Referral, delivered: list[str], *, now: datetime) -> list[FollowUp]:
    """The follow-ups a confirmed visit calls for; a follow-up of a follow-up repeats."""
    ensure_rules()
    rules = {
        r.service_code: r
        for r in db.session.scalars(
            sa.select(FollowUpRule).where(
                FollowUpRule.service_code.in_(delivered), FollowUpRule.active.is_(True)
            )
        )
    }
    origin = (
        db.session.get(FollowUp, referral.from_follow_up_id) if referral.from_follow_up_id else None
    )
    created = []
    for code in delivered:
        rule = rules.get(code)
        if rule is None:
            continue
        days = rule.first_after_days
        if origin is not None and origin.service_code == code and rule.repeat_every_days:
            days = rule.repeat_every_days
        follow_up = FollowUp(
            member_id=referral.member_id,
            referral_id=referral.id,
            service_code=code,
            due_on=local_today(now) + timedelta(days=days),
            status="due",
            created_at=now,
        )
        db.session.add(follow_up)
        db.session.flush()
        messaging.plan_follow_up(follow_up, referral, now)
        created.append(follow_up)
    return created


def complete(
    follow_up: FollowUp,
    *,
    actor: User,
    now: datetime,
    note: str | None = None,
    by_referral: Referral | None = None,
) -> FollowUp:
    """Done: by a new referral made from it, or by a note."""
    follow_up.status = "done"
    follow_up.done_at = now
    follow_up.done_by_id = actor.id
    follow_up.done_note = note
    follow_up.done_referral_id = by_referral.id if by_referral else None
    notifications.cancel_pending(messaging.follow_up_subject(follow_up), reason="follow-up done")
    audit.record(actor, "followup.done", "follow_up", follow_up.id)
    db.session.flush()
    return follow_up


def _query(actor: User) -> sa.Select:
    from referrals.services.scope import members_query

    member_ids = members_query(actor).with_only_columns(Member.id)
    return sa.select(FollowUp).where(FollowUp.member_id.in_(member_ids.scalar_subquery()))


def get_follow_up(follow_up_id: int, actor: User) -> FollowUp:
    """A follow-up of one of the caller's members; else 404."""
    follow_up = db.session.scalar(_query(actor).where(FollowUp.id == follow_up_id))
    if follow_up is None:
        raise NotFound(N_("No such follow-up."))
    return follow_up


def complete_by_note(
    follow_up_id: int, note: object, *, actor: User, now: datetime | None = None
) -> FollowUp:
    """Mark a due follow-up done with a note (encrypted)."""
    now = now or utcnow()
    follow_up = get_follow_up(follow_up_id, actor)
    if follow_up.status != "due":
        from core.errors import Conflict

        raise Conflict(N_("This follow-up is not due any more."))
    if not isinstance(note, str) or not note.strip() or len(note) > 500:
        raise ValidationFailed(
            N_("Write a short note."), fields={"note": N_("Required (500 max).")}
        )
    return complete(follow_up, actor=actor, now=now, note=note.strip())


def list_follow_ups(
    actor: User,
    *,
    status: str | None = None,
    due_before: date | None = None,
    member_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[FollowUp], int]:
    """The caller's members' follow-ups, soonest first."""
    query = _query(actor)
    if status:
        query = query.where(FollowUp.status == status)
    if due_before:
        query = query.where(FollowUp.due_on < due_before)
    if member_id:
        query = query.where(FollowUp.member_id == member_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(FollowUp.due_on, FollowUp.id).limit(per_page).offset((page - 1) * per_page)
    ).unique()
    return list(rows), total


def sweep(now: datetime) -> int:
    """Due follow-ups 14 days past their day become missed; returns how many."""
    cutoff = local_today(now) - timedelta(days=MISSED_AFTER_DAYS)
    rows = (
        db.session.scalars(
            sa.select(FollowUp).where(FollowUp.status == "due", FollowUp.due_on <= cutoff)
        )
        .unique()
        .all()
    )
    for follow_up in rows:
        follow_up.status = "missed"
        notifications.cancel_pending(
            messaging.follow_up_subject(follow_up), reason="follow-up missed"
        )
    return len(rows)
