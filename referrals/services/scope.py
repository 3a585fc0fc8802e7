"""Who sees what (DESIGN.md's roles table): queries narrowed to the caller's scope."""

from __future__ import annotations

import sqlalchemy as sa

from core.errors import Forbidden
from core.extensions import db
from core.i18n import N_
from core.security import ADMIN, CLINIC_PARTNER, PEER_EDUCATOR, Actor
from referrals.models import Member, Referral


def members_query(user: Actor) -> sa.Select:
    """Members the user may see: admin all, a peer educator her own; others none at all."""
    query = sa.select(Member)
    if user.role == ADMIN:
        return query
    if user.role == PEER_EDUCATOR:
        return query.where(Member.peer_educator_id == user.id)
    raise Forbidden(N_("Your role may not see members."))


def message_contact_ids(user: Actor) -> sa.Select | None:
    """Contacts whose messages the user may read (notifications' scope hook): None (all) for
    an admin, her members' for a peer educator."""
    if user.role == ADMIN:
        return None
    return members_query(user).with_only_columns(Member.contact_id)


def referrals_query(user: Actor) -> sa.Select:
    """Referrals the user may see: admin all, peer educator her members', clinic its own."""
    query = sa.select(Referral)
    if user.role == ADMIN:
        return query
    if user.role == PEER_EDUCATOR:
        return query.join(Member, Member.id == Referral.member_id).where(
            Member.peer_educator_id == user.id
        )
    if user.role == CLINIC_PARTNER:
        return query.where(Referral.clinic_id == user.clinic_id)
    raise Forbidden(N_("Your role may not see referrals."))


def may_name_member(user: Actor, member_id: int) -> bool:
    """Whether the user may name this member elsewhere (clinic feedback): she exists, her data
    is not erased, and she is in the user's scope (admin any; a peer educator her own)."""
    if getattr(user, "role", None) not in (ADMIN, PEER_EDUCATOR):
        return False
    query = members_query(user).with_only_columns(Member.id)
    query = query.where(Member.id == member_id, Member.anonymised_at.is_(None))
    return db.session.scalar(query) is not None


def may_see_member(user: Actor, member: Member) -> bool:
    """Whether the user may see this member's record."""
    return user.role == ADMIN or (user.role == PEER_EDUCATOR and member.peer_educator_id == user.id)


def is_partner(user: Actor) -> bool:
    """Clinic partners see only code, services, time and status."""
    return user.role == CLINIC_PARTNER
