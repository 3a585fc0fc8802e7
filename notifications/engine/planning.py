"""The outbox plan: which OutboxMessage rows exist. Knows nothing of referrals; plain values in.

Decisions (documented for the callers):
- `send_at` passed to `plan_message` is the DESIRED time (default: now); it always goes through
  `timing.plan_send_time`, so it lands in the contact's allowed hours.
- `target_at` is the appointment the message is about. When it lies ahead it is the deadline: a
  send pushed past it goes at the last allowed minute before, or is written as a `skipped` row
  whose `error_message` says why (so the peer educator sees it on the member's page).
- A contact that may not be messaged (no consent, opted out, safety hold, erased or unusable
  number) gets NO rows at all: `plan_message` returns None and writes nothing.
- The same live dedupe key twice returns the existing row (idempotent), never a second row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from core.db import utcnow
from core.extensions import db
from notifications import subjects
from notifications.engine import timing
from notifications.models import LIVE_STATUSES, Contact, OutboxMessage


def blocked_reason(contact: Contact) -> str | None:
    """Why this contact may not be messaged now, or None when she may."""
    if contact.erased_at is not None or not contact.phone_index:
        return "no phone number"
    if not contact.sms_consent:
        return "no SMS consent"
    if contact.opted_out:
        return "opted out"
    if contact.safety_hold:
        return "safety hold"
    if contact.unusable_reason:
        return "number unusable"
    return None


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["APP_TIMEZONE"])


def dedupe_key(subject: str, kind: str, when: datetime) -> str:
    """(subject, kind, target time): one live row each."""
    return f"{subject}|{kind}|{when.astimezone(ZoneInfo('UTC')).isoformat()}"


def plan_message(
    *,
    contact: Contact,
    kind: str,
    subject: str,
    params: dict[str, Any],
    target_at: datetime | None,
    now: datetime,
    peer_educator_id: int | None,
    clinic_id: int | None,
    send_at: datetime | None = None,
) -> OutboxMessage | None:
    """Write one pending row (or a skipped one when it cannot go in time); None when the contact
    may not be messaged or the message is skipped. Params must hold no personal data."""
    if blocked_reason(contact) is not None:
        return None
    desired = send_at or now
    key = dedupe_key(subject, kind, target_at or desired)
    existing = db.session.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.dedupe_key == key, OutboxMessage.status.in_(LIVE_STATUSES)
        )
    )
    if existing is not None:
        return existing
    deadline = target_at if target_at is not None and target_at > now else None
    window = timing.allowed_window(contact, current_app.config)
    when, reason = timing.plan_send_time(desired, window, _zone(), now=now, deadline=deadline)
    row = OutboxMessage(
        contact_id=contact.id,
        kind=kind,
        subject=subject,
        dedupe_key=key,
        params=dict(params),
        target_at=target_at,
        send_at=when or desired,
        peer_educator_id=peer_educator_id,
        clinic_id=clinic_id,
        status="pending" if when else "skipped",
        error_message=reason,
        final_at=None if when else now,
    )
    db.session.add(row)
    db.session.flush()
    return row if when else None


def _pending(query: sa.Select) -> list[OutboxMessage]:
    """The query's pending rows, to change them. On PostgreSQL they are locked: a dispatcher's
    claim in progress is waited for and its outcome seen (a row it took is no longer pending and
    is left as it is; one it gave back is changed), so a change never overwrites a claim."""
    query = query.where(OutboxMessage.status == "pending")
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update()
    return list(db.session.scalars(query).all())


def _cancel(query: sa.Select, reason: str, now: datetime | None = None) -> int:
    now = now or utcnow()
    rows = _pending(query)
    for row in rows:
        row.status = "cancelled"
        row.error_message = reason[:255]
        row.final_at = now
    db.session.flush()
    return len(rows)


def cancel_pending(subject: str, *, reason: str, kinds: Iterable[str] | None = None) -> int:
    """Pending rows of a subject (optionally only some kinds) → cancelled; returns how many."""
    query = sa.select(OutboxMessage).where(OutboxMessage.subject == subject)
    if kinds is not None:
        query = query.where(OutboxMessage.kind.in_(list(kinds)))
    return _cancel(query, reason)


def cancel_for_contact(contact_id: int, reason: str, *, kinds: Iterable[str] | None = None) -> int:
    """Every pending row of a contact (optionally only some kinds) → cancelled (opt-out, safety
    hold, erasure, alert consent withdrawn)."""
    query = sa.select(OutboxMessage).where(OutboxMessage.contact_id == contact_id)
    if kinds is not None:
        query = query.where(OutboxMessage.kind.in_(list(kinds)))
    return _cancel(query, reason)


def replan_contact(contact: Contact, now: datetime) -> int:
    """After her window changed: move pending rows into it (skipping what can no longer go in
    time). Starts from each row's current send_at; returns how many rows changed."""
    window = timing.allowed_window(contact, current_app.config)
    rows = _pending(sa.select(OutboxMessage).where(OutboxMessage.contact_id == contact.id))
    changed = 0
    for row in rows:
        deadline = row.target_at if row.target_at and row.target_at > now else None
        when, reason = timing.plan_send_time(
            row.send_at, window, _zone(), now=now, deadline=deadline
        )
        if when is None:
            row.status, row.error_message, row.final_at = "skipped", reason, now
            changed += 1
        elif when != row.send_at:
            row.send_at = when
            changed += 1
    db.session.flush()
    return changed


def planned_for(subject: str) -> list[OutboxMessage]:
    """Every row of a subject (planned, sent, cancelled or skipped), by send time."""
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.subject == subject)
            .order_by(OutboxMessage.send_at, OutboxMessage.id)
        )
    )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(_zone()).isoformat()


def message_json(msg: OutboxMessage) -> dict[str, Any]:
    """CONTRACT.md's message object (no body, no number); the fields of its subject's type (e.g.
    `referral_code`) come from the packages that registered one (notifications.subjects)."""
    return {
        "id": msg.id,
        "kind": msg.kind,
        "status": msg.status,
        "send_at": _iso(msg.send_at),
        "sent_at": _iso(msg.sent_at),
        **subjects.message_fields(msg.subject, msg.params),
        "error_code": msg.error_code,
        "error_message": msg.error_message,
    }
