"""Helpers of the SMS reports' tests (their fixtures `cohort`, `messages` and `changes` are in
tests/reports/conftest.py): the SMS effect's reminder times, outbox statuses and arms; the SMS
delivery's messages with their attempts, row cells and October's totals; and each API's read."""

from __future__ import annotations

import itertools
from datetime import timedelta

import sqlalchemy as sa

from core.extensions import db
from tests.support import factories
from tests.support.clock import dhaka

OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}

# ---- the SMS effect -------------------------------------------------------------------------

EFFECT_URL = "/api/v1/reports/sms-effect"
CREATED = dhaka(2026, 10, 5)  # the appointment is two days later, 10:00
APPOINTMENT = CREATED + timedelta(days=2)
H = timedelta(hours=1)


def mark_messages(referral, statuses: dict[str, str], *, sent_after_failure: bool = False) -> None:
    """Put each of the referral's messages of a kind into a status, with the times it implies."""
    from notifications.models import OutboxMessage

    for kind, status in statuses.items():
        row = db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.subject == f"referral:{referral.code}", OutboxMessage.kind == kind)
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert row is not None, (referral.code, kind)
        row.status = status
        row.sent_at = row.delivered_at = None
        # Its own appointment's reminder times (APPOINTMENT for those made at CREATED).
        at = referral.appointment_at - timedelta(hours=2 if kind == "reminder_2h" else 24)
        if status in ("sent", "delivered", "undelivered") or sent_after_failure:
            row.sent_at = at - timedelta(minutes=1)
        if status == "delivered":
            row.delivered_at = at
    db.session.commit()


def arm(referred, attended, rate) -> dict:
    """An arm's cells as the SMS effect API answers them."""
    return {"referred": referred, "attended": attended, "rate": rate}


def get_effect(client, headers, **query) -> dict:
    """The SMS effect API's answer for October (or `query`), asserting it is a 200."""
    response = client.get(EFFECT_URL, query_string={**OCTOBER, **query}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# ---- the SMS delivery -----------------------------------------------------------------------

DELIVERY_URL = "/api/v1/reports/sms-delivery"
SENT_AT = dhaka(2026, 10, 10)
_refs = itertools.count(1)


def outbox_message(kind, status, gateways=(), *, segments=1, code=None, sent=True, at=SENT_AT):
    """An outbox row in `status` with one attempt per gateway (the last one carried it)."""
    from notifications.models import MessageAttempt

    contact = factories.make_contact()
    fields = {"segments": segments, "error_code": code, "send_at": at}
    if status in ("sent", "delivered", "undelivered", "failed"):
        fields["sent_at"] = at if sent else None
    made = factories.make_message(contact, kind, status=status, **fields)
    for number, gateway in enumerate(gateways, start=1):
        last = number == len(gateways)
        db.session.add(
            MessageAttempt(
                message_id=made.id,
                number=number,
                gateway=gateway,
                reference=f"ref-{next(_refs)}",
                status=status if last else "failed",
            )
        )
    db.session.commit()
    return made


def audit_at(action, at) -> None:
    """An audit event of `action` on a member, recorded at `at` (not committed)."""
    from core.audit import record

    event = record(None, action, "member", 1)
    event.at = at


def row_cells(sent, delivered, failed, rate, segments, cost, costs=None) -> dict:
    """A row's cells; `costs` ({currency: amount}) defaults to `cost` in US dollars."""
    if costs is None:
        costs = {"USD": cost}
    return {
        "sent": sent,
        "delivered": delivered,
        "failed": failed,
        "delivery_rate": rate,
        "segments": segments,
        "costs": costs,
        "cost": cost,
    }


def get_delivery(client, headers, **query) -> dict:
    """The SMS delivery API's answer for October (or `query`), asserting it is a 200."""
    response = client.get(DELIVERY_URL, query_string={**OCTOBER, **query}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# October: the SIM's 8 segments at 0.5 taka, Twilio's 13 at 0.05 dollars: two currencies, no sum.
STATUSES = ("sent", "delivered", "undelivered", "failed")
TOTALS = row_cells(17, 14, 3, round(14 / 17, 4), 21, None, {"BDT": 4.0, "USD": 0.65})
