"""A message's attempts: one row per try through one gateway, moved forward only.

The dispatcher writes an attempt when it claims a message (before the send) and records the
send's result on it; callbacks, webhooks and lookups move the attempt and then its message
(`outcomes.advance`). An attempt is final once failed, cancelled, delivered or undelivered; a
message fails over to another gateway only after its latest attempt is final.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from core.db import rowcount
from core.extensions import db
from notifications.engine.gateways import attempt_reference, parse_reference
from notifications.models import ATTEMPT_STATUSES, MessageAttempt

RANK = {
    "sending": 1,
    "unknown": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "cancelled": 4,
}
FINAL = ("delivered", "undelivered", "failed", "cancelled")


def start(message_id: int, gateway: str, *, now: datetime) -> MessageAttempt:
    """A new `sending` attempt of the message at `gateway`, numbered after the last (flushes)."""
    last = db.session.scalar(
        sa.select(sa.func.max(MessageAttempt.number)).where(MessageAttempt.message_id == message_id)
    )
    number = int(last or 0) + 1
    attempt = MessageAttempt(
        message_id=message_id,
        number=number,
        gateway=gateway,
        reference=attempt_reference(message_id, number),
        status="sending",
        created_at=now,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def latest(message_id: int) -> MessageAttempt | None:
    """The message's latest attempt (None before its first send)."""
    return db.session.scalar(
        sa.select(MessageAttempt)
        .where(MessageAttempt.message_id == message_id)
        .order_by(MessageAttempt.number.desc())
        .limit(1)
    )


def for_message(message_id: int) -> list[MessageAttempt]:
    """Every attempt of the message, first first."""
    return list(
        db.session.scalars(
            sa.select(MessageAttempt)
            .where(MessageAttempt.message_id == message_id)
            .order_by(MessageAttempt.number)
        )
    )


def by_reference(reference: str | None) -> MessageAttempt | None:
    """The attempt our reference names (None for a reference that is not ours or not known)."""
    parsed = parse_reference(reference)
    if parsed is None:
        return None
    return db.session.scalar(
        sa.select(MessageAttempt).where(
            MessageAttempt.message_id == parsed[0], MessageAttempt.number == parsed[1]
        )
    )


def advance(
    attempt_id: int,
    status: str,
    *,
    now: datetime,
    provider_id: str | None = None,
    error_code: int | str | None = None,
    error_message: str | None = None,
) -> bool:
    """Move an attempt forward to `status` if it is behind it (flushes); True when it moved.

    The provider's id is recorded whenever the attempt has none yet, even when the status stays.
    """
    if status not in ATTEMPT_STATUSES:
        return False
    behind = [name for name, rank in RANK.items() if rank < RANK[status]]
    values: dict = {"status": status}
    if status in ("sent", "delivered", "undelivered"):
        values["sent_at"] = sa.func.coalesce(MessageAttempt.sent_at, now)
    if status in FINAL:
        values["final_at"] = now
    if error_code is not None:
        values["error_code"] = str(error_code)[:16]
    if error_message is not None:
        values["error_message"] = error_message[:255]
    moved = rowcount(
        db.session.execute(
            sa.update(MessageAttempt)
            .where(MessageAttempt.id == attempt_id, MessageAttempt.status.in_(behind))
            .values(values)
            .execution_options(synchronize_session=False)
        )
    )
    if provider_id:
        db.session.execute(
            sa.update(MessageAttempt)
            .where(MessageAttempt.id == attempt_id, MessageAttempt.provider_id.is_(None))
            .values(provider_id=provider_id[:64])
            .execution_options(synchronize_session=False)
        )
    return bool(moved)


def report(
    reference: str | None,
    status: str,
    *,
    now: datetime,
    error_code: int | str | None = None,
    error_message: str | None = None,
) -> bool:
    """A gateway's report on one of our attempts (SMSGate webhooks): the attempt and, when it is
    the message's latest, the message move forward (flushes). False: unknown or nothing moved."""
    from notifications.engine import outcomes

    attempt = by_reference(reference)
    if attempt is None:
        return False
    current = latest(attempt.message_id)
    if current is None or current.id != attempt.id:
        # An older attempt: only its own row may move (the message has moved on).
        return advance(
            attempt.id, status, now=now, error_code=error_code, error_message=error_message
        )
    if status == "failed" and _fail_over(attempt, now=now, error_message=error_message):
        return True
    return outcomes.advance(
        attempt.message_id,
        status,
        now=now,
        error_code=error_code,
        error_message=error_message,
        reported=True,
        attempt_id=attempt.id,
    )


def _fail_over(attempt: MessageAttempt, *, now: datetime, error_message: str | None) -> bool:
    """The gateway reports that it could not send (e.g. the phone had no signal): its attempt is
    final, so when another gateway is usable and attempts remain, the message goes back to the
    outbox at once and the routing (which starts after the failed gateway) gives it to the next
    one; else False (the message fails). Flushes."""
    from flask import current_app

    from notifications.engine import outcomes, routing
    from notifications.engine.settings import setting_int
    from notifications.models import OutboxMessage

    names = list(current_app.config.get("SMS_BACKENDS") or ())
    message = db.session.get(OutboxMessage, attempt.message_id)
    if (
        message is None
        or len(names) < 2
        or message.status not in ("sent", "unknown")
        or message.attempts >= setting_int("SMS_MAX_ATTEMPTS")
        or not routing.others_usable(names, attempt.gateway, now)
    ):
        return False
    reason = error_message or "failed"
    advance(attempt.id, "failed", now=now, error_message=reason)
    return outcomes.back_to_pending(
        message.id,
        now=now,
        send_at=now,
        from_status=message.status,
        error_message=f"{attempt.gateway}: {reason}; trying the next gateway",
    )


def today_counts(start: datetime, end: datetime) -> dict[str, int]:
    """Attempts started per gateway in [start, end) (the gateways page; limits use the state)."""
    rows = db.session.execute(
        sa.select(MessageAttempt.gateway, sa.func.count())
        .where(MessageAttempt.created_at >= start, MessageAttempt.created_at < end)
        .group_by(MessageAttempt.gateway)
    )
    return {name: int(count) for name, count in rows}
