"""Stale appointment messages: after the scheduler was down, only the latest one goes.

Every message about an appointment (made, changed, the day before, two hours before) carries its
day, time, place and code. When the dispatcher comes back and several of them for the same
appointment are due at once, the latest one says everything: the earlier ones are skipped with the
reason `superseded` instead of all reaching her phone within a minute.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from core.extensions import db
from notifications.models import OutboxMessage

# Messages about one appointment, in the order they are meant to go.
APPOINTMENT_KINDS = ("referral_created", "appointment_changed", "reminder_24h", "reminder_2h")
SUPERSEDED = "superseded"
# A later row in any of these states speaks for the appointment: waiting, going or gone.
_SPEAKING = ("pending", "sending", "unknown", "sent", "delivered")


def _order(row: OutboxMessage) -> tuple[datetime, int, int]:
    """Later send time first; at the same minute the message nearer the appointment wins."""
    return (row.send_at, APPOINTMENT_KINDS.index(row.kind), row.id)


def superseded_by(row: OutboxMessage, now: datetime) -> OutboxMessage | None:
    """The later message about the same appointment, to the same phone, that is also due by now
    (or already went), when there is one; None otherwise."""
    if row.kind not in APPOINTMENT_KINDS or row.target_at is None:
        return None
    later = db.session.scalars(
        sa.select(OutboxMessage).where(
            OutboxMessage.subject == row.subject,
            OutboxMessage.contact_id == row.contact_id,
            OutboxMessage.target_at == row.target_at,
            OutboxMessage.kind.in_(APPOINTMENT_KINDS),
            OutboxMessage.status.in_(_SPEAKING),
            OutboxMessage.send_at <= now,
            OutboxMessage.id != row.id,
        )
    ).all()
    newer = [other for other in later if _order(other) > _order(row)]
    return max(newer, key=_order) if newer else None
