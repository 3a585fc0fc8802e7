"""Fixtures of the reports tests: a catalogue, two clinics, two peer educators, a factory of
referrals made through the real services at chosen (past) times, the SMS gateways' prices, and
the SMS reports' data: the effect's cohort, the delivery's messages and contact changes."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from tests.support import factories
from tests.support.clock import dhaka
from tests.support.reports import summarise
from tests.support.sms_reports import (
    APPOINTMENT,
    CREATED,
    H,
    audit_at,
    mark_messages,
    outbox_message,
)

CODES = ("hiv_testing", "prep", "sti")
_phones = itertools.count(1)


@pytest.fixture
def app_config(app_config):
    """Twilio at 0.05 a segment (USD by default), the local SIM at 0.5 (BDT by default): the
    prices the SMS delivery report's costs are checked at (no other report reads them)."""
    app_config.update(SMS_PRICE_PER_SEGMENT="0.05", SMSGATE_PRICE_PER_SEGMENT="0.5")
    return app_config


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


@pytest.fixture
def cohort(world, refer):
    """Clinic A: delivered 9/10, unconfirmed 3/5, none sent 3/10; clinic B: delivered 3/3,
    none sent 3/6; plus referrals the cohort leaves out. Visits 1 h (six), 3 h (three) after
    A's last reminder, 8 h after B's."""
    from referrals.services import lifecycle, sweep

    def made(count, clinic="a", attend=None, created=CREATED):
        return refer(
            created=created, clinic=clinic, appointment=True, attend_after=attend, count=count
        )

    delivered = {"reminder_24h": "delivered", "reminder_2h": "delivered"}
    to_last = APPOINTMENT - CREATED - 2 * H  # from creation to the last reminder
    groups = [  # (referrals, the statuses of their messages)
        (made(6, attend=to_last + 1 * H), delivered),
        (made(3, attend=to_last + 3 * H), delivered),
        (made(1), delivered),  # missed
        (made(3, clinic="b", attend=to_last + 8 * H), delivered),
        (made(2, attend=to_last + 5 * H), {"reminder_24h": "sent"}),
        (made(1), {"reminder_24h": "sent", "reminder_2h": "undelivered"}),
        (made(1), {"reminder_24h": "sent", "reminder_2h": "cancelled"}),
        (made(3, attend=to_last + 1 * H), {"reminder_24h": "skipped", "reminder_2h": "cancelled"}),
        (made(7), {"reminder_24h": "failed", "reminder_2h": "skipped"}),  # failed at once
        (made(3, clinic="b", attend=to_last), {"reminder_24h": "cancelled"}),
        (made(3, clinic="b"), {"reminder_24h": "cancelled", "referral_created": "delivered"}),
    ]
    # Unconfirmed too: its reminder failed after it was sent.
    failed_after_sending = made(1, attend=to_last + 2 * H)
    # Left out: cancelled, no appointment, still open, made in November.
    cancelled = made(1)
    lifecycle.cancel(cancelled[0].code, "moved away", actor=world["admin"], now=CREATED + H)
    refer(created=CREATED, attend_after=timedelta(days=1))  # no appointment
    open_one = made(1, created=dhaka(2026, 10, 25))
    november = made(1, created=dhaka(2026, 11, 2), attend=to_last + 1 * H)
    sweep.sweep(now=dhaka(2026, 10, 20))  # the unvisited ones are missed
    db.session.commit()
    for referrals, statuses in groups:
        for referral in referrals:
            mark_messages(referral, statuses)
    mark_messages(failed_after_sending[0], {"reminder_24h": "failed"}, sent_after_failure=True)
    for referral in (*cancelled, *open_one, *november):
        mark_messages(referral, delivered)
    summarise()


@pytest.fixture
def messages(app):
    """Twilio: 8 delivered (6 one-segment day-before reminders, 2 two-segment 2-hour ones), one
    undelivered (30003), a welcome failed after sending (30007) and one failed at once (21211),
    and a 2-hour reminder that failed over from the SIM; the SIM: 5 delivered, 1 sent (3
    segments). Not counted: pending, cancelled, skipped, November. The summary is then rebuilt."""
    for _ in range(6):
        outbox_message("reminder_24h", "delivered", ["twilio"])
    for _ in range(2):
        outbox_message("reminder_2h", "delivered", ["twilio"], segments=2)
    outbox_message("reminder_2h", "undelivered", ["twilio"], code="30003")
    outbox_message("referral_created", "failed", ["twilio"], code="30007")
    outbox_message("referral_created", "failed", ["twilio"], code="21211", sent=False)
    outbox_message("reminder_2h", "delivered", ["smsgate", "twilio"])
    for _ in range(5):
        outbox_message("reminder_24h", "delivered", ["smsgate"])
    outbox_message("reminder_24h", "sent", ["smsgate"], segments=3)
    for status in ("pending", "cancelled", "skipped"):
        outbox_message("reminder_24h", status)
    outbox_message("reminder_24h", "delivered", ["twilio"], at=dhaka(2026, 11, 3))
    summarise()


@pytest.fixture
def changes(app):
    """October: 2 opt-outs on the member's page and 1 by SMS, 1 opt-in, 5 safety holds (and a
    release, not counted); November: 1 opt-out."""
    october = dhaka(2026, 10, 12)
    for action in ["member.opt_out"] * 2 + ["contact.opt_out", "member.opt_in"]:
        audit_at(action, october)
    for _ in range(5):
        audit_at("member.safety_hold", october + timedelta(days=3))
    audit_at("member.safety_release", october)
    audit_at("member.opt_out", dhaka(2026, 11, 2))
    db.session.commit()
