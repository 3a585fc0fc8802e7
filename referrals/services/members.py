"""Members: registration under a code, her contact, reading (audited), rights and reassignment."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from accounts.models import User
from core import audit
from core.db import utcnow
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.i18n import N_
from core.security import ADMIN, PEER_EDUCATOR
from notifications import services as notifications
from referrals.models import FollowUp, Member, Referral
from referrals.services import member_alerts
from referrals.services.member_fields import (
    MAX_NICKNAME,
    UIC_ALPHABET,
    check_nickname,
    check_uic,
    new_uic,
    normalise_uic,
)
from referrals.services.member_fields import flag as _flag
from referrals.services.scope import may_see_member, members_query
from referrals.signals import member_anonymised


def register_member(
    *,
    actor: User,
    phone: Any = None,
    language: Any = "bn",
    sms_consent: Any = False,
    shared_phone: Any = False,
    uic: Any = None,
    nickname: Any = None,
    contact_window: Any = None,
    district: Any = None,
    alert_consent: Any = False,
    peer_educator_id: int | None = None,
    now: datetime | None = None,
) -> Member:
    """Register a member with her contact. A number already registered is a 409
    `phone_registered` unless `shared_phone` (then every member on it is marked shared). No
    number (None or blank) registers her without one: she gets slips, never an SMS. `district`
    (where she works) and `alert_consent` decide whether safety alerts reach her."""
    now = now or utcnow()
    sms_consent = _flag(sms_consent, "sms_consent")
    shared_phone = _flag(shared_phone, "shared_phone")
    alert_consent = member_alerts.parse_consent(alert_consent)
    district = member_alerts.parse_district(district)
    if language not in notifications.LANGUAGES:
        raise ValidationFailed(
            N_("Language must be bn or en."), fields={"language": N_("bn or en.")}
        )
    no_phone = phone is None or (isinstance(phone, str) and not phone.strip())
    e164 = None if no_phone else notifications.normalise_phone(phone)
    shared_phone = shared_phone and e164 is not None
    uic = check_uic(uic)
    check_nickname(nickname)
    notifications.parse_window(contact_window)
    owner_id = _owner(actor, peer_educator_id)
    existing = notifications.find_by_phone(e164) if e164 else []
    if existing and not shared_phone:
        raise _phone_registered(actor, existing)
    for other in existing:
        other.shared_phone = True  # the phone is shared: her texts become the barest form
    contact = notifications.create_contact(
        phone=e164,
        language=language,
        sms_consent=sms_consent,
        shared_phone=shared_phone,
        window=contact_window,
        actor_id=actor.id,
        now=now,
    )
    member = Member(
        uic=uic or new_uic(),
        nickname=(nickname or "").strip() or None,
        peer_educator_id=owner_id,
        contact_id=contact.id,
        created_at=now,
        created_by_id=actor.id,
    )
    db.session.add(member)
    db.session.flush()
    member.contact = contact
    audit.record(actor, "member.create", "member", member.id, {"shared_phone": shared_phone})
    if district is not None or alert_consent:
        member_alerts.record_alert_fields(
            member, actor=actor, district=district, consent=alert_consent, now=now
        )
    return member


def _owner(actor: User, peer_educator_id: int | None) -> int:
    if actor.role != ADMIN or peer_educator_id is None:
        return actor.id
    user = db.session.get(User, peer_educator_id)
    if user is None or user.role != PEER_EDUCATOR or not user.active:
        raise ValidationFailed(
            N_("No such peer educator."), fields={"peer_educator_id": N_("Not a peer educator.")}
        )
    return user.id


def _phone_registered(actor: User, existing: list[notifications.Contact]) -> Conflict:
    ids = [c.id for c in existing]
    members = db.session.scalars(sa.select(Member).where(Member.contact_id.in_(ids))).all()
    visible = [m for m in members if may_see_member(actor, m)]
    extra = {"member_id": visible[0].id} if visible else {}
    return Conflict(
        N_(
            "This phone number is already registered. If members share this phone, register "
            "her as a shared phone."
        ),
        code="phone_registered",
        fields={"phone": N_("Already registered.")},
        extra=extra,
    )


def get_member(member_id: object, actor: User, *, audit_read: bool = True) -> Member:
    """A member in the caller's scope (else NotFound); the read is audit-logged."""
    if not isinstance(member_id, int):
        raise NotFound(N_("No such member."))
    member = db.session.scalar(members_query(actor).where(Member.id == member_id))
    if member is None:
        raise NotFound(N_("No such member."))
    if audit_read:
        audit.record(actor, "member.read", "member", member.id)
    return member


def list_members(actor: User, *, page: int = 1, per_page: int = 50) -> tuple[list[Member], int]:
    """The caller's members, newest first (masked numbers only); the read is audit-logged."""
    query = members_query(actor).where(Member.anonymised_at.is_(None))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Member.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    audit.record(actor, "member.list", "member", None, {"count": len(rows), "page": page})
    return list(rows), total


def find_by_phone(phone: str, actor: User) -> list[Member]:
    """Members in scope with this number (through the blind index)."""
    e164 = notifications.normalise_phone(phone)
    ids = [c.id for c in notifications.find_by_phone(e164)]
    if not ids:
        return []
    return list(db.session.scalars(members_query(actor).where(Member.contact_id.in_(ids))))


def find_by_uic(uic: str, actor: User) -> Member | None:
    """The member in scope with this UIC."""
    return db.session.scalar(members_query(actor).where(Member.uic == normalise_uic(uic)))


def change_contact(member: Member, action: str, *, actor: User, now: datetime | None = None):
    """opt_out, opt_in, safety_hold or safety_release; audit-logged."""
    now = now or utcnow()
    contact = member.contact
    if contact.erased_at is not None:
        raise Conflict(N_("This member was anonymised; she has no phone number."))
    if action == "opt_out":
        notifications.opt_out(contact, now=now)
    elif action == "opt_in":
        notifications.opt_in(contact, actor_id=actor.id, now=now)
    elif action == "safety_hold":
        notifications.hold(contact, now=now)
    elif action == "safety_release":
        released = notifications.release(contact, now=now)
        for other in released[1:]:
            replan_member_messages(_member_of(other), now=now)
    else:
        raise ValidationFailed(N_("Unknown action."), fields={"action": N_("Unknown.")})
    if action in ("opt_in", "safety_release"):
        replan_member_messages(member, now=now)
    audit.record(actor, f"member.{action}", "member", member.id)
    db.session.flush()
    return member


def _member_of(contact: notifications.Contact) -> Member | None:
    return db.session.scalar(sa.select(Member).where(Member.contact_id == contact.id))


def replan_member_messages(member: Member | None, *, now: datetime) -> None:
    """After an opt-in or a released hold: the reminders and follow-up messages still ahead are
    planned again (the cancelled rows stay cancelled; live duplicates are never written)."""
    from referrals.services import messaging

    if member is None or not notifications.can_message(member.contact):
        return
    ahead = db.session.scalars(
        sa.select(Referral).where(
            Referral.member_id == member.id,
            Referral.status == "scheduled",
            Referral.appointment_at > now,
        )
    ).unique()
    for referral in ahead:
        messaging.plan_reminders(referral, now)
    due = db.session.scalars(
        sa.select(FollowUp).where(FollowUp.member_id == member.id, FollowUp.status == "due")
    ).unique()
    for follow_up in due:
        messaging.plan_follow_up(follow_up, follow_up.referral, now)


def update_preferences(
    member: Member,
    *,
    actor: User,
    language: str | None = None,
    contact_window: str | None = None,
    nickname: str | None = None,
    now: datetime | None = None,
) -> Member:
    """Language, contact window (re-plans her pending messages) and nickname."""
    now = now or utcnow()
    if language is not None:
        notifications.set_language(member.contact, language)
    if contact_window is not None:
        notifications.set_window(member.contact, contact_window or None, now=now)
    if nickname is not None:
        if len(nickname) > MAX_NICKNAME:
            raise ValidationFailed(N_("Nickname too long."), fields={"nickname": N_("Too long.")})
        member.nickname = nickname.strip() or None
    audit.record(actor, "member.update", "member", member.id)
    db.session.flush()
    return member


def reassign(member: Member, peer_educator_id: int, *, actor: User) -> Member:
    """Admins hand a member to another peer educator."""
    member.peer_educator_id = _owner(actor, peer_educator_id)
    audit.record(actor, "member.reassign", "member", member.id, {"to": member.peer_educator_id})
    db.session.flush()
    return member


def anonymise(member: Member, *, actor: User, now: datetime | None = None) -> Member:
    """On her request: phone, nickname, notes, message bodies and feedback text erased, the
    UIC replaced; referrals, statuses and counts stay for the aggregates."""
    now = now or utcnow()
    if member.anonymised_at is not None:
        return member
    # Her messages are deleted at the provider too, while their provider ids are still known.
    notifications.erase_contact_messages(member.contact_id)
    notifications.erase(member.contact, now=now)
    # Where she works and her answer about alerts go too (no alert can reach her any more).
    notifications.set_alert_preferences(
        member.contact, district=None, alert_consent=False, actor_id=actor.id, now=now
    )
    member.nickname = None
    member.uic = "ANON-" + "".join(secrets.choice(UIC_ALPHABET) for _ in range(8))
    member.anonymised_at = now
    referral_ids = list(
        db.session.scalars(sa.select(Referral.id).where(Referral.member_id == member.id))
    )
    if referral_ids:
        db.session.execute(
            sa.update(Referral)
            .where(Referral.id.in_(referral_ids))
            .values(notes=None, cancel_reason=None)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            sa.update(FollowUp)
            .where(FollowUp.member_id == member.id)
            .values(done_note=None)
            .execution_options(synchronize_session=False)
        )
    from clinics.services import erase_member_feedback_text

    erase_member_feedback_text(member.id)
    audit.record(actor, "member.anonymise", "member", member.id)
    db.session.flush()
    # Higher packages erase what they keep about her (safety: her incidents' descriptions).
    member_anonymised.send(None, member_id=member.id, actor=actor, at=now)
    return member
