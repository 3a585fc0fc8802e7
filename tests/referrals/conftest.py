"""Fixtures of the referrals tests: services, an open clinic, members, times ahead."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.db import utcnow
from core.extensions import db

DHAKA = ZoneInfo("Asia/Dhaka")
SERVICE_CODES = ("hiv_testing", "prep", "art", "sti", "contraception")
ALL_WEEK = {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture
def services(app):
    """The service catalogue and the default follow-up rules."""
    from clinics.models import Service
    from referrals.services import followups

    for i, code in enumerate(SERVICE_CODES):
        db.session.add(Service(code=code, name_en=code, name_bn=code, sort_order=i))
    db.session.flush()
    followups.seed_rules()
    db.session.commit()
    return SERVICE_CODES


@pytest.fixture
def clinic_with(make_clinic, services):
    """A clinic offering some services, open 08:00-20:00 every day."""
    from clinics.models import Service

    def make(codes=SERVICE_CODES, **fields):
        from clinics.services import set_hours

        hours = fields.pop("hours", ALL_WEEK)
        clinic = make_clinic(**fields)
        set_hours(clinic, hours)
        clinic.services = [db.session.get(Service, c) for c in codes]
        db.session.commit()
        return clinic

    return make


@pytest.fixture
def clinic(clinic_with):
    return clinic_with()


def local_at(days: int, hh: int = 11, mm: int = 0) -> datetime:
    """A local time `days` from today at hh:mm (aware, Dhaka)."""
    day = utcnow().astimezone(DHAKA).date() + timedelta(days=days)
    return datetime.combine(day, time(hh, mm), tzinfo=DHAKA)


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
