"""Fixtures of the referrals tests: services, an open clinic, members, referrals."""

from __future__ import annotations

import pytest

from core.extensions import db
from tests.support import factories
from tests.support.factories import ALL_WEEK, SERVICE_CODES


@pytest.fixture
def services(app):
    """The service catalogue and the default follow-up rules."""
    return factories.add_services(SERVICE_CODES, follow_up_rules=True)


@pytest.fixture
def clinic_with(app, services):
    """A clinic offering some services, open 08:00-20:00 every day."""

    def make(codes=SERVICE_CODES, **fields):
        hours = fields.pop("hours", ALL_WEEK)
        return factories.make_clinic(offering=codes, hours=hours, **fields)

    return make


@pytest.fixture
def clinic(clinic_with):
    return clinic_with()


@pytest.fixture
def new_member(app):
    """Register a member through the service (committed)."""
    from referrals.services import members

    counter = iter(range(10_000))

    def make(pe, phone=None, **fields):
        n = next(counter)
        fields.setdefault("language", "bn")
        fields.setdefault("sms_consent", True)
        member = members.register_member(
            actor=pe, phone=phone or f"0171{n:07d}"[:11].ljust(11, "0"), **fields
        )
        db.session.commit()
        return member

    return make


@pytest.fixture
def new_referral(app, clinic):
    """Create a referral through the service (committed)."""
    from referrals.services import lifecycle

    def make(pe, member, *, appointment_at=None, services=("hiv_testing",), clinic_obj=None, **kw):
        referral, _ = lifecycle.create_referral(
            actor=pe,
            member_id=member.id,
            clinic_id=(clinic_obj or clinic).id,
            services=list(services),
            appointment_at=appointment_at,
            **kw,
        )
        db.session.commit()
        return referral

    return make
