"""Factories for the SMS admin side's tests (templates, inbound, log, limits, retention)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from core.extensions import db
from tests.notifications import sms_support

# 11:00 in Dhaka on a Tuesday.
NOW = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
APPOINTMENT = NOW + timedelta(days=1)
PUBLIC = "https://harc.example.org"
INBOUND_URL = f"{PUBLIC}/webhooks/twilio/inbound"
_n = itertools.count(1)


def phone(n: int | None = None) -> str:
    """A Bangladeshi mobile number in E.164 (a fresh one by default)."""
    return f"+8801811{(n if n is not None else next(_n)):06d}"


def make_contact(number: str | None = None, **fields):
    """A contact who may be messaged (committed), on this module's own run of numbers."""
    return sms_support.make_contact(number or phone(), **fields)


def make_message(contact, kind: str = "reminder_24h", *, status: str = "pending", **fields):
    """An outbox row (committed); `status` other than pending fills in plausible times."""
    from notifications.models import OutboxMessage

    n = next(_n)
    code = fields.pop("code", f"K7P2Q{n:03d}")
    values = {
        "contact_id": contact.id,
        "kind": kind,
        "status": status,
        "subject": f"referral:{code}",
        "dedupe_key": f"referral:{code}|{kind}|{n}",
        "params": {"code": code, "place": "Point 3", "appointment_at": APPOINTMENT.isoformat()},
        "target_at": APPOINTMENT,
        "send_at": NOW - timedelta(minutes=1),
        "created_at": NOW - timedelta(days=1),
        "updated_at": NOW,
    }
    if status not in ("pending", "cancelled", "skipped"):
        values.update(attempts=1, body=f"Reminder: tomorrow 11:00. Code {code}.", segments=1,
                      to_phone=contact.phone)  # fmt: skip
    if status in ("sent", "delivered", "undelivered", "failed"):
        values.update(sent_at=NOW, provider_sid=f"SM{n:032d}")
    if status in ("delivered", "undelivered", "failed", "cancelled", "skipped"):
        values["final_at"] = NOW
    values.update(fields)
    message = OutboxMessage(**values)
    db.session.add(message)
    db.session.commit()
    return message


def reload(model, row_id):
    """The row as the database has it now."""
    db.session.expire_all()
    return db.session.get(model, row_id)
