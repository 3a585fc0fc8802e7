"""Tracing a missed appointment: the peer educator's outcome, in the referral's history.

"Rescheduled" takes the new time in the same step (the referral is scheduled again, with its
reminders); every other outcome is a `missed -> missed` event carrying the outcome."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from accounts.models import User
from core import audit
from core.db import rowcount, utcnow
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.i18n import N_
from referrals.models import TRACE_OUTCOMES, Referral
from referrals.services import machine
from referrals.services.notices import Notice


def record_trace(
    code: Any,
    outcome: Any,
    *,
    actor: User,
    appointment_at: datetime | None = None,
    channel: str = "web",
    ask: bool = False,
    accepted: Collection[str] = (),
    now: datetime | None = None,
) -> tuple[Referral, list[Notice]]:
    """The outcome of tracing a missed appointment: reached, rescheduled (with the new time),
    unreachable, declined; returns the referral and the notices of a new time."""
    from referrals.services import lifecycle

    now = now or utcnow()
    referral = lifecycle.get_referral(code, actor)
    lifecycle.require_manager(actor)
    if outcome not in TRACE_OUTCOMES:
        raise ValidationFailed(N_("Unknown outcome."), fields={"outcome": N_("Unknown.")})
    if referral.status != "missed":
        raise Conflict(N_("Only a missed appointment is traced."), code="invalid_transition")
    notices: list[Notice] = []
    if outcome == "rescheduled":
        if appointment_at is None:
            raise ValidationFailed(
                N_("She agreed to a new time: choose the day and the time."),
                fields={"appointment_at": N_("Choose the day and the time.")},
            )
        notices = lifecycle.check_new_time(
            referral, appointment_at, ask=ask, accepted=accepted, now=now
        )
        lifecycle.move_appointment(
            referral, appointment_at, actor=actor, channel=channel, now=now, trace_outcome=outcome
        )
    else:
        _note_outcome(referral, outcome, actor=actor, channel=channel, now=now)
    audit.record(actor, "referral.trace", "referral", referral.code, {"outcome": outcome})
    db.session.flush()
    return referral, notices


def _note_outcome(
    referral: Referral, outcome: str, *, actor: User, channel: str, now: datetime
) -> None:
    """Set the outcome while the referral is still missed; an event records it."""
    result = db.session.execute(
        sa.update(Referral)
        .where(Referral.id == referral.id, Referral.status == "missed")
        .values(trace_outcome=outcome, traced_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise Conflict(
            N_("This referral was changed by someone else just now; reload and try again."),
            code="conflict",
        )
    set_committed_value(referral, "trace_outcome", outcome)
    set_committed_value(referral, "traced_at", now)
    machine.record_event(
        referral, "missed", "missed", actor=actor, channel=channel, now=now, trace_outcome=outcome
    )
