"""Status changes of outbox rows: forward only, as compare-and-set updates (safe to repeat).

The dispatcher, the lookup of `unknown` rows and the status-callback webhook all move rows through
`advance`, so a late `sent` can never overwrite `delivered` and a repeated callback changes nothing.
The only backward moves are the dispatcher's own retries: a claimed row whose attempt provably did
not reach the provider (or that the provider turned out not to have) returns to `pending`.
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from core.db import rowcount
from core.extensions import db
from notifications.models import FINAL_STATUSES, Contact, OutboxMessage

log = logging.getLogger(__name__)

RANK = {
    "pending": 0,
    "sending": 1,
    "unknown": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "cancelled": 4,
    "skipped": 4,
}
# Statuses of a message that never went to a provider: no provider report may move it.
NEVER_SENT = ("pending", "cancelled", "skipped")


def advance(
    message_id: int,
    status: str,
    *,
    now: datetime,
    sid: str | None = None,
    error_code: int | str | None = None,
    error_message: str | None = None,
    reported: bool = False,
    attempt_id: int | None = None,
) -> bool:
    """Move a row forward to `status` if it is behind it (flushes); True when it moved.

    A provider sid is recorded whenever the row has none yet, even when the status stays.
    `reported` (a provider's callback): only a row that was sent moves, or takes the sid.
    The attempt (`attempt_id`; else the one with this sid, else the latest) moves with it.
    """
    _advance_attempt(message_id, status, now, sid, error_code, error_message, attempt_id)
    behind = [name for name, rank in RANK.items() if rank < RANK[status]]
    if reported:
        behind = [name for name in behind if name not in NEVER_SENT]
    values: dict = {"status": status, "updated_at": now}
    if status in ("sent", "delivered", "undelivered"):
        values["sent_at"] = sa.func.coalesce(OutboxMessage.sent_at, now)
    if status == "delivered":
        values["delivered_at"] = now
    if status in FINAL_STATUSES:
        values["final_at"] = now
    if status in FINAL_STATUSES or status == "sent":
        values["lease_until"] = None
    if error_code is not None:
        values["error_code"] = str(error_code)[:16]
    if error_message is not None:
        values["error_message"] = error_message[:255]
    moved = rowcount(
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(behind))
            .values(values)
            .execution_options(synchronize_session=False)
        )
    )
    if sid:
        may_take_sid = OutboxMessage.status.not_in(NEVER_SENT) if reported else sa.true()
        db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.provider_sid.is_(None),
                may_take_sid,
            )
            .values(provider_sid=sid[:64])
            .execution_options(synchronize_session=False)
        )
    return bool(moved)


def _advance_attempt(message_id, status, now, sid, error_code, error_message, attempt_id) -> None:
    from notifications.engine import attempts
    from notifications.models import MessageAttempt

    if attempt_id is None:
        found = None
        if sid:
            found = db.session.scalar(
                sa.select(MessageAttempt.id).where(
                    MessageAttempt.message_id == message_id, MessageAttempt.provider_id == sid
                )
            )
        if found is None:
            last = attempts.latest(message_id)
            found = last.id if last is not None else None
        if found is None:
            return
        attempt_id = found
    attempts.advance(
        attempt_id,
        status,
        now=now,
        provider_id=sid,
        error_code=error_code,
        error_message=error_message,
    )


def back_to_pending(
    message_id: int,
    *,
    now: datetime,
    send_at: datetime,
    from_status: str = "sending",
    uncount: bool = False,
    error_code: int | str | None = None,
    error_message: str | None = None,
) -> bool:
    """A retry: the row returns to `pending` (only from `from_status`); `uncount` gives the
    attempt back (the request never reached the provider for reasons not the message's)."""
    values: dict = {
        "status": "pending",
        "send_at": send_at,
        "lease_until": None,
        "sent_at": None,  # the last attempt's time (kept for the lookup) no longer applies
        "updated_at": now,
    }
    if uncount:
        values["attempts"] = sa.case(
            (OutboxMessage.attempts > 0, OutboxMessage.attempts - 1), else_=0
        )
    if error_code is not None:
        values["error_code"] = str(error_code)[:16]
    if error_message is not None:
        values["error_message"] = error_message[:255]
    return bool(
        rowcount(
            db.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.status == from_status)
                .values(values)
                .execution_options(synchronize_session=False)
            )
        )
    )


def _same_number(contact_id: int) -> list[Contact]:
    """The contact and every other contact on the same number (members may share a phone)."""
    contact = db.session.get(Contact, contact_id)
    if contact is None:
        return []
    if not contact.phone_index:
        return [contact]
    return list(
        db.session.scalars(sa.select(Contact).where(Contact.phone_index == contact.phone_index))
    )


def mark_number_unusable(contact_id: int, reason: str) -> int:
    """The number cannot receive SMS: flag every contact on it (flushes); returns how many."""
    contacts = _same_number(contact_id)
    for contact in contacts:
        contact.unusable_reason = reason[:64]
    db.session.flush()
    return len(contacts)


def mark_unsubscribed(contact_id: int, *, now: datetime) -> int:
    """The provider says the number unsubscribed: every contact on it is opted out and their
    pending messages cancelled (flushes); returns how many rows were cancelled."""
    from notifications import contacts as contact_services

    cancelled = 0
    for contact in _same_number(contact_id):
        if not contact.opted_out:
            cancelled += contact_services.opt_out(contact, now=now)
    return cancelled


def retry_unreachable(message_id: int, *, now: datetime, delay_seconds: float) -> int | None:
    """30003 (handset unreachable, e.g. switched off): one new attempt later, as a new row
    (planned like any message: allowed hours, before its appointment). Returns its id or None."""
    from datetime import timedelta

    from notifications.engine.planning import plan_message

    row = db.session.get(OutboxMessage, message_id)
    if row is None:
        return None
    unreachable = db.session.execute(
        sa.select(sa.func.count()).where(
            OutboxMessage.contact_id == row.contact_id,
            OutboxMessage.subject == row.subject,
            OutboxMessage.kind == row.kind,
            OutboxMessage.error_code == "30003",
        )
    ).scalar_one()
    if unreachable > 1:  # this was already the retry: once only
        return None
    retry = plan_message(
        contact=row.contact,
        kind=row.kind,
        subject=row.subject,
        params=dict(row.params or {}),
        target_at=row.target_at,
        now=now,
        peer_educator_id=row.peer_educator_id,
        clinic_id=row.clinic_id,
        send_at=now + timedelta(seconds=delay_seconds),
    )
    if retry is None or retry.id == row.id or retry.status != "pending":
        return None
    log.info("sms %s unreachable (30003): retry once as sms %s", row.id, retry.id)
    return retry.id
