"""Demo members and referrals for the demo peer educator (development only)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from accounts.models import User
from clinics.models import Clinic
from core.db import utcnow
from core.extensions import db
from referrals.models import Member
from referrals.services import clinic_directory, followups, lifecycle, members

DEMO_MEMBERS = [
    # (uic, phone, language, window) — numbers from an unassigned-looking demo range
    ("DEMO-001", "01700-000101", "bn", None),
    ("DEMO-002", "01800-000202", "bn", "20:00-06:00"),
    ("DEMO-003", "01900-000303", "en", None),
]


def _next_open(clinic: Clinic, start: datetime) -> datetime | None:
    """The first whole hour within two weeks when the clinic is open."""
    when = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    for _ in range(24 * 14):
        if clinic_directory.is_open_at(clinic, when):
            return when
        when += timedelta(hours=1)
    return None


def seed_members() -> list[str]:
    """A few demo members and referrals for peer@demo.harc; safe to run twice."""
    followups.seed_rules()
    pe = db.session.scalar(sa.select(User).where(User.email == "peer@demo.harc"))
    if pe is None:
        return ["Members: no demo peer educator; skipped."]
    if db.session.scalar(sa.select(Member.id).where(Member.uic == DEMO_MEMBERS[0][0])):
        return ["Members: demo members already there."]
    clinic = db.session.scalar(
        sa.select(Clinic).where(Clinic.status == "active").order_by(Clinic.id).limit(1)
    )
    made = []
    for uic, phone, language, window in DEMO_MEMBERS:
        made.append(
            members.register_member(
                actor=pe,
                phone=phone,
                language=language,
                sms_consent=True,
                uic=uic,
                contact_window=window,
            )
        )
    referrals = 0
    if clinic is not None and clinic.service_codes:
        service = clinic.service_codes[:1]
        zone = ZoneInfo(current_app.config["APP_TIMEZONE"])
        tomorrow = datetime.combine(
            utcnow().astimezone(zone).date() + timedelta(days=1), time(9), tzinfo=zone
        )
        when = _next_open(clinic, tomorrow)
        lifecycle.create_referral(
            actor=pe,
            member_id=made[0].id,
            clinic_id=clinic.id,
            services=service,
            appointment_at=when,
        )
        lifecycle.create_referral(
            actor=pe,
            member_id=made[1].id,
            clinic_id=clinic.id,
            services=service,
            urgency="urgent",
        )
        referrals = 2
    return [f"Members: {len(made)} demo members and {referrals} referrals for {pe.email}."]
