"""Referrals: create, read, reschedule, cancel, confirm a visit, and the sweep."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from accounts.models import User
from clinics.models import Clinic
from core import audit
from core.db import utcnow
from core.errors import BadInput, NotFound, ValidationFailed
from core.extensions import db
from core.i18n import N_, words
from notifications import services as notifications
from referrals.models import URGENCIES, FollowUp, Member, Referral
from referrals.services import clinic_directory, codes, followups, machine, messaging
from referrals.services.notices import Notice, ask_first, closed_notice, duplicate_notice
from referrals.services.scope import members_query, referrals_query

MAX_NOTES = 2000


def _services_list(value: object, field: str = "services") -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed(
            N_("Services must be a list of codes."), fields={field: N_("A list.")}
        )
    out = list(dict.fromkeys(v.strip() for v in value if v.strip()))
    if not out:
        raise ValidationFailed(N_("Choose at least one service."), fields={field: N_("Required.")})
    return out


def _check_offered(clinic: Clinic, services: list[str], field: str = "services") -> None:
    missing = [s for s in services if s not in clinic_directory.offered(clinic)]
    if missing:
        raise ValidationFailed(
            N_("This clinic does not offer: %(services)s."),
            params={"services": words("service", *missing)},
            fields={field: N_("Not offered by this clinic: %(services)s")},
        )


def check_future(when: datetime | None, now: datetime) -> None:
    """An appointment must lie ahead."""
    if when is not None and when <= now:
        raise ValidationFailed(
            N_("The appointment is in the past; choose a later time."),
            fields={"appointment_at": N_("In the past.")},
        )


def _new_code() -> str:
    while True:
        code = codes.generate()
        if not db.session.scalar(sa.select(Referral.id).where(Referral.code == code)):
            return code


def create_referral(
    *,
    actor: User,
    member_id: Any,
    clinic_id: Any,
    services: Any,
    urgency: Any = "routine",
    appointment_at: datetime | None = None,
    notes: Any = None,
    channel: str = "web",
    from_follow_up_id: int | None = None,
    ask: bool = False,
    accepted: Collection[str] = (),
    now: datetime | None = None,
) -> tuple[Referral, list[Notice]]:
    """A referral with its first event and its planned messages; returns it and the notices
    (clinic closed then, an open referral already there). With `ask` (a page) a notice not in
    `accepted` stops it before anything is saved (NeedsConfirmation)."""
    now = now or utcnow()
    member = (
        db.session.scalar(members_query(actor).where(Member.id == member_id))
        if isinstance(member_id, int) and not isinstance(member_id, bool)
        else None
    )
    if member is None or member.anonymised_at is not None:
        raise ValidationFailed(N_("No such member."), fields={"member_id": N_("No such member.")})
    try:
        clinic = clinic_directory.get_clinic(clinic_id)
    except NotFound:
        raise ValidationFailed(
            N_("No such clinic."), fields={"clinic_id": N_("No such clinic.")}
        ) from None
    services = _services_list(services)
    _check_offered(clinic, services)
    if urgency not in URGENCIES:
        raise ValidationFailed(
            N_("Urgency: routine or urgent."), fields={"urgency": N_("routine or urgent.")}
        )
    check_future(appointment_at, now)
    if notes is not None and (not isinstance(notes, str) or len(notes) > MAX_NOTES):
        raise ValidationFailed(
            N_("Notes: at most %(count)s characters."),
            params={"count": MAX_NOTES},
            fields={"notes": N_("Too long.")},
        )
    follow_up = None
    if from_follow_up_id is not None:
        follow_up = db.session.get(FollowUp, from_follow_up_id)
        if follow_up is None or follow_up.member_id != member.id or follow_up.status != "due":
            raise ValidationFailed(
                N_("No such follow-up due."), fields={"from_follow_up_id": N_("Not due.")}
            )
    notices = ask_first(
        [
            duplicate_notice(member.id, clinic.id, services),
            closed_notice(clinic, appointment_at),
        ],
        ask=ask,
        accepted=accepted,
    )
    status = "scheduled" if appointment_at else "referred"
    referral = Referral(
        code=_new_code(),
        member_id=member.id,
        clinic_id=clinic.id,
        services=services,
        urgency=urgency,
        appointment_at=appointment_at,
        status=status,
        notes=(notes or "").strip() or None,
        created_at=now,
        created_by_id=actor.id,
        from_follow_up_id=follow_up.id if follow_up else None,
    )
    referral.member, referral.clinic = member, clinic
    db.session.add(referral)
    db.session.flush()
    machine.record_event(referral, None, status, actor=actor, channel=channel, now=now)
    if follow_up is not None:
        followups.complete(follow_up, actor=actor, now=now, by_referral=referral)
    notifications.touch(member.contact, now)
    messaging.on_created(referral, now)
    audit.record(actor, "referral.create", "referral", referral.code, {"member_id": member.id})
    db.session.flush()
    return referral, notices


def get_referral(code_text: Any, actor: User, *, for_update: bool = False) -> Referral:
    """A referral in the caller's scope by its code (any case, spaces, hyphens); else 404."""
    code = codes.parse(code_text if isinstance(code_text, str) else None)
    if code is None:
        raise NotFound(
            N_("No referral has that code. Check it: a symbol seems mistyped."),
            fields={"code": N_("Not a valid referral code.")},
        )
    query = referrals_query(actor).where(Referral.code == code)
    if for_update:
        query = query.with_for_update(of=Referral)
    referral = db.session.scalar(query)
    if referral is None:
        raise NotFound(N_("No referral has that code."), fields={"code": N_("Not found.")})
    return referral


def read_referral(code_text: Any, actor: User) -> Referral:
    """`get_referral` for showing it: a peer educator's or admin's read (which shows the
    member's UIC and the notes) is audit-logged."""
    referral = get_referral(code_text, actor)
    if actor.role in ("admin", "peer_educator"):
        audit.record(
            actor, "referral.read", "referral", referral.code, {"member_id": referral.member_id}
        )
    return referral


def list_referrals(
    actor: User,
    *,
    status: str | None = None,
    clinic_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    member_id: int | None = None,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[Referral], int]:
    """Referrals in scope, filtered; the appointment (or creation) time in [start, end)."""
    query = referrals_query(actor)
    if status:
        query = query.where(Referral.status == status)
    if clinic_id:
        query = query.where(Referral.clinic_id == clinic_id)
    if member_id:
        query = query.where(Referral.member_id == member_id)
    when = sa.func.coalesce(Referral.appointment_at, Referral.created_at)
    if start:
        query = query.where(when >= start)
    if end:
        query = query.where(when < end)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(when.desc(), Referral.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).unique()
    return list(rows), total


def cancel(
    code: Any, reason: Any, *, actor: User, channel: str = "web", now: datetime | None = None
) -> Referral:
    """Cancel a referral (reason required); everything pending is cancelled."""
    now = now or utcnow()
    referral = get_referral(code, actor)
    require_manager(actor)
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 255:
        raise ValidationFailed(
            N_("Give a short reason."), fields={"reason": N_("Required (255 max).")}
        )
    machine.check(referral, "cancelled")
    machine.transition(
        referral,
        "cancelled",
        actor=actor,
        channel=channel,
        now=now,
        values={"cancel_reason": reason.strip()},
    )
    messaging.cancel_all(referral, "referral cancelled")
    audit.record(actor, "referral.cancel", "referral", referral.code)
    db.session.flush()
    return referral


def confirm(
    code: Any,
    services_delivered: Any,
    *,
    actor: User,
    linked_to_care: Any = None,
    channel: str = "web",
    now: datetime | None = None,
) -> Referral:
    """The clinic confirms the visit: services delivered, linked to care; follow-ups planned.
    Two confirmations at once: the conditional UPDATE lets one win, the other gets 409."""
    now = now or utcnow()
    if actor.role not in ("admin", "clinic_partner"):
        raise_forbidden()
    referral = get_referral(code, actor)
    delivered = _services_list(services_delivered, "services_delivered")
    _check_offered(referral.clinic, delivered, "services_delivered")
    if linked_to_care is not None and not isinstance(linked_to_care, bool):
        raise BadInput(
            N_("linked_to_care must be true or false."), fields={"linked_to_care": N_("Boolean.")}
        )
    machine.check(referral, "attended")
    machine.transition(
        referral,
        "attended",
        actor=actor,
        channel=channel,
        now=now,
        values={
            "services_delivered": delivered,
            "linked_to_care": linked_to_care,
            "attended_at": now,
            "confirmed_by_id": actor.id,
        },
    )
    messaging.cancel_all(referral, "visit confirmed")
    notifications.touch(referral.member.contact, now)
    followups.create_for_visit(referral, delivered, now=now)
    audit.record(actor, "referral.confirm", "referral", referral.code)
    db.session.flush()
    return referral


def raise_forbidden() -> None:
    """Only the roles allowed to do this at all."""
    from core.errors import Forbidden

    raise Forbidden(N_("Your role may not do this."))


def require_manager(actor: User) -> None:
    """Only a peer educator or an admin manages referrals."""
    if actor.role not in ("admin", "peer_educator"):
        raise_forbidden()


# The sweep, new times and tracing live in their own modules; `lifecycle.sweep`,
# `lifecycle.reschedule` and `lifecycle.record_trace` stay the names callers use.
from referrals.services.scheduling import (  # noqa: E402, F401
    check_new_time,
    move_appointment,
    reschedule,
)
from referrals.services.sweep import sweep  # noqa: E402, F401
from referrals.services.tracing import record_trace  # noqa: E402, F401
