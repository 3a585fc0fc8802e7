"""A new time for a referral: asked first when the clinic is closed then (a page), reported by
the API; the old reminders cancelled and the new ones planned."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from accounts.models import User
from core import audit
from core.db import utcnow
from core.errors import ValidationFailed
from core.extensions import db
from core.i18n import N_
from notifications import services as notifications
from referrals.models import Referral
from referrals.services import machine, messaging
from referrals.services.notices import Notice, ask_first, closed_notice


def reschedule(
    code: Any,
    appointment_at: datetime | None,
    *,
    actor: User,
    channel: str = "web",
    ask: bool = False,
    accepted: Collection[str] = (),
    now: datetime | None = None,
) -> tuple[Referral, list[Notice]]:
    """Set or move the appointment: old reminders cancelled, `appointment_changed` planned.
    A time when the clinic is closed is asked first on a page (`ask`), reported by the API."""
    from referrals.services import lifecycle

    now = now or utcnow()
    referral = lifecycle.get_referral(code, actor)
    lifecycle.require_manager(actor)
    machine.check(referral, "scheduled")
    if appointment_at is None:
        raise ValidationFailed(
            N_("Choose the new time."), fields={"appointment_at": N_("Required.")}
        )
    notices = check_new_time(referral, appointment_at, ask=ask, accepted=accepted, now=now)
    move_appointment(referral, appointment_at, actor=actor, channel=channel, now=now)
    return referral, notices


def check_new_time(
    referral: Referral,
    appointment_at: datetime,
    *,
    ask: bool,
    accepted: Collection[str],
    now: datetime,
) -> list[Notice]:
    """A new time must be ahead; the clinic's hours are asked about (nothing is saved)."""
    from referrals.services import lifecycle

    lifecycle.check_future(appointment_at, now)
    return ask_first([closed_notice(referral.clinic, appointment_at)], ask=ask, accepted=accepted)


def move_appointment(
    referral: Referral,
    appointment_at: datetime,
    *,
    actor: User,
    channel: str,
    now: datetime,
    trace_outcome: str | None = None,
) -> None:
    """Write the new time (a `scheduled` event, with the trace outcome that led to it) and
    replan her messages."""
    machine.transition(
        referral,
        "scheduled",
        actor=actor,
        channel=channel,
        now=now,
        values={
            "appointment_at": appointment_at,
            "trace_outcome": None,
            "traced_at": now if trace_outcome else None,
            "reply": None,
            "replied_at": None,
        },
        trace_outcome=trace_outcome,
    )
    notifications.touch(referral.member.contact, now)
    messaging.on_rescheduled(referral, now)
    audit.record(actor, "referral.reschedule", "referral", referral.code)
    db.session.flush()
