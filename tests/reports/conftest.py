"""Fixtures of the reports tests: a catalogue, two clinics, two peer educators, and a factory
of referrals made through the real services at chosen (past) times."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from tests.support import factories

CODES = ("hiv_testing", "prep", "sti")
_phones = itertools.count(1)


@pytest.fixture
def world(app):
    """Services, clinic A (Dhaka) and B (Khulna), peer educators Amina and Beauty, an admin."""
    return factories.make_world(CODES)


@pytest.fixture
def refer(world):
    """Make a referral created at `created`; optionally scheduled, attended, followed up."""
    from referrals.models import FollowUp
    from referrals.services import followups, lifecycle, members

    def make(
        *,
        created: datetime,
        pe: str = "amina",
        clinic: str = "a",
        services: tuple[str, ...] = ("hiv_testing",),
        appointment: bool = False,
        attend_after: timedelta | None = None,
        linked: bool | None = None,
        follow_up_done: bool = False,
        count: int = 1,
    ) -> list:
        made = []
        for _ in range(count):
            member = members.register_member(
                actor=world[pe],
                phone=f"0171{next(_phones):07d}",
                language="bn",
                sms_consent=True,
                now=created,
            )
            referral, _ = lifecycle.create_referral(
                actor=world[pe],
                member_id=member.id,
                clinic_id=world[clinic].id,
                services=list(services),
                appointment_at=created + timedelta(days=2) if appointment else None,
                now=created,
            )
            if attend_after is not None:
                lifecycle.confirm(
                    referral.code,
                    list(services),
                    actor=world["admin"],
                    linked_to_care=linked,
                    now=created + attend_after,
                )
                if follow_up_done:
                    db.session.flush()
                    query = sa.select(FollowUp).where(FollowUp.referral_id == referral.id)
                    for follow_up in db.session.scalars(query).all():
                        followups.complete(follow_up, actor=world[pe], now=created + attend_after)
            made.append(referral)
        db.session.commit()
        return made

    return make
