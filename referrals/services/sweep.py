"""The sweep: missed (24 h after the appointment) and expired (30 days without a visit)
referrals and missed follow-ups. `flask referrals sweep` and the scheduler's job run it."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from core.db import utcnow
from core.errors import Conflict
from core.extensions import db
from referrals.models import Referral
from referrals.services import followups, machine, messaging

MISSED_AFTER = timedelta(hours=24)
EXPIRE_AFTER = timedelta(days=30)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Missed (24 h after the appointment), expired (30 days without a visit), missed
    follow-ups (14 days after due). Run by `flask referrals sweep` and the scheduler."""
    now = now or utcnow()
    counts = {"missed": 0, "expired": 0, "follow_ups_missed": 0}
    late = db.session.scalars(
        sa.select(Referral).where(
            Referral.status == "scheduled", Referral.appointment_at <= now - MISSED_AFTER
        )
    ).unique()
    for referral in list(late):
        try:
            with db.session.begin_nested():
                machine.transition(referral, "missed", actor=None, channel="system", now=now)
                messaging.on_missed(referral, now)
            counts["missed"] += 1
        except Conflict:
            continue
    old = db.session.scalars(
        sa.select(Referral).where(
            Referral.status.in_(("referred", "missed")), Referral.created_at <= now - EXPIRE_AFTER
        )
    ).unique()
    for referral in list(old):
        try:
            with db.session.begin_nested():
                machine.transition(referral, "expired", actor=None, channel="system", now=now)
                messaging.cancel_all(referral, "referral expired")
            counts["expired"] += 1
        except Conflict:
            continue
    counts["follow_ups_missed"] = followups.sweep(now)
    db.session.flush()
    return counts
