"""The one state machine of a referral's status (CONTRACT.md): every change is a ReferralEvent,
written by a conditional UPDATE so that two simultaneous changes cannot both win."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from core.db import rowcount
from core.errors import Conflict
from core.extensions import db
from core.i18n import N_, Text, words
from core.security import Actor
from referrals.models import CHANNELS, Referral, ReferralEvent

# from → the statuses it may change to; attended, cancelled and expired are final.
TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({"referred", "scheduled"}),
    "referred": frozenset({"scheduled", "attended", "cancelled", "expired"}),
    "scheduled": frozenset({"scheduled", "attended", "missed", "cancelled"}),
    "missed": frozenset({"scheduled", "attended", "cancelled", "expired"}),
    "attended": frozenset(),
    "cancelled": frozenset(),
    "expired": frozenset(),
}

_DONE = {
    "scheduled": N_("rescheduled"),
    "attended": N_("confirmed"),
    "cancelled": N_("cancelled"),
    "missed": N_("marked missed"),
    "expired": N_("expired"),
    "referred": N_("referred"),
}


def allowed(from_status: str | None, to_status: str) -> bool:
    """Whether the machine allows this change."""
    return to_status in TRANSITIONS.get(from_status, frozenset())


def check(referral: Referral, to_status: str) -> None:
    """Conflict (409) with a clear message when the change is not allowed."""
    if not allowed(referral.status, to_status):
        raise Conflict(
            N_("This referral is %(status)s: it cannot be %(change)s."),
            params={
                "status": words("referral_status", referral.status),
                "change": Text(_DONE[to_status]),
            },
            code="invalid_transition",
            extra={"current_status": referral.status},
        )


def record_event(
    referral: Referral,
    from_status: str | None,
    to_status: str,
    *,
    actor: Actor | None,
    channel: str,
    now: datetime,
    trace_outcome: str | None = None,
) -> ReferralEvent:
    """Add the event row (the first has from = None; a trace's outcome rides on its event)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    event = ReferralEvent(
        referral_id=referral.id,
        from_status=from_status,
        to_status=to_status,
        at=now,
        by_id=getattr(actor, "id", None),
        channel=channel,
        trace_outcome=trace_outcome,
    )
    # Through the relationship only: a separate session.add() would be autoflushed by the
    # collection's first load, which then holds the row already, and the append adds it twice.
    referral.events.append(event)
    return event


def transition(
    referral: Referral,
    to_status: str,
    *,
    actor: Actor | None,
    channel: str,
    now: datetime,
    values: dict[str, Any] | None = None,
    trace_outcome: str | None = None,
) -> ReferralEvent:
    """Move a referral to `to_status` (and set `values` in the same UPDATE), only if it is
    still in the status we read: a concurrent change makes this a 409, never a double."""
    check(referral, to_status)
    from_status = referral.status
    values = dict(values or {})
    result = db.session.execute(
        sa.update(Referral)
        .where(Referral.id == referral.id, Referral.status == from_status)
        .values(status=to_status, **values)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise Conflict(
            N_("This referral was changed by someone else just now; reload and try again."),
            code="conflict",
        )
    set_committed_value(referral, "status", to_status)
    for key, value in values.items():
        set_committed_value(referral, key, value)
    return record_event(
        referral,
        from_status,
        to_status,
        actor=actor,
        channel=channel,
        now=now,
        trace_outcome=trace_outcome,
    )
