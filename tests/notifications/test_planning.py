"""The outbox plan: rows written, deduplicated, skipped, cancelled and re-planned."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from core.extensions import db
from notifications import contacts
from notifications.engine import planning
from notifications.models import OutboxMessage

DHAKA = ZoneInfo("Asia/Dhaka")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=DHAKA)
APPT = datetime(2026, 12, 3, 11, 0, tzinfo=DHAKA)


@pytest.fixture
def contact(app):
    c = contacts.create_contact(
        phone="01712-345678", language="bn", sms_consent=True, actor_id=None, now=NOW
    )
    db.session.commit()
    return c


def plan(contact, kind="reminder_24h", send_at=None, target_at=APPT, subject="referral:X"):
    return planning.plan_message(
        contact=contact,
        kind=kind,
        subject=subject,
        params={"code": "K7P-2QX-9MA", "place": "Point"},
        target_at=target_at,
        now=NOW,
        peer_educator_id=None,
        clinic_id=None,
        send_at=send_at,
    )


def test_plan_writes_a_pending_row_and_dedupes(contact):
    row = plan(contact, send_at=APPT - timedelta(hours=24))
    assert row.status == "pending" and row.send_at == APPT - timedelta(hours=24)
    assert row.dedupe_key.startswith("referral:X|reminder_24h|")
    again = plan(contact, send_at=APPT - timedelta(hours=24))
    assert again.id == row.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_plan_respects_quiet_hours_and_her_window(contact):
    row = plan(contact, kind="referral_created", send_at=NOW.replace(hour=22), target_at=None)
    assert row.send_at == datetime(2026, 12, 2, 8, 0, tzinfo=DHAKA)
    contacts.set_window(contact, "20:00-06:00", now=NOW)
    assert row.send_at == datetime(2026, 12, 2, 20, 0, tzinfo=DHAKA)  # re-planned into her window


def test_plan_skips_what_cannot_go_in_time(contact):
    early = datetime(2026, 12, 1, 10, 30, tzinfo=DHAKA)  # appointment 10:30 today
    contacts.set_window(contact, "20:00-06:00", now=NOW)
    result = plan(contact, kind="reminder_2h", send_at=early - timedelta(hours=2), target_at=early)
    assert result is None
    row = db.session.scalar(sa.select(OutboxMessage))
    assert row.status == "skipped" and "before the appointment" in row.error_message


@pytest.mark.parametrize("change", ["consent", "opted_out", "safety_hold"])
def test_blocked_contact_gets_no_rows(contact, change):
    if change == "consent":
        contact.sms_consent = False
    else:
        setattr(contact, change, True)
    assert plan(contact) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_cancel_pending_and_for_contact(contact):
    plan(contact, kind="reminder_24h", send_at=APPT - timedelta(hours=24))
    plan(contact, kind="reminder_2h", send_at=APPT - timedelta(hours=2))
    plan(contact, kind="referral_created", subject="referral:Y", target_at=None)
    assert planning.cancel_pending("referral:X", reason="moved", kinds=["reminder_2h"]) == 1
    assert planning.cancel_pending("referral:X", reason="cancelled") == 1
    rows = planning.planned_for("referral:X")
    assert [r.status for r in rows] == ["cancelled", "cancelled"]
    assert rows[0].error_message == "cancelled" and rows[1].error_message == "moved"
    # A cancelled key is free again: the same reminder can be planned anew.
    assert plan(contact, kind="reminder_2h", send_at=APPT - timedelta(hours=2)).status == "pending"
    assert planning.cancel_for_contact(contact.id, "safety hold") == 2


def test_message_json_has_the_contract_keys(contact):
    row = plan(contact, send_at=APPT - timedelta(hours=24))
    body = planning.message_json(row)
    contract = {
        "id",
        "kind",
        "status",
        "send_at",
        "sent_at",
        "referral_code",
        "error_code",
        "error_message",
    }
    assert contract <= set(body)
    # Other subject types add their own field (safety's `alert_id`): empty on a referral's message.
    assert {key: body[key] for key in set(body) - contract} == dict.fromkeys(set(body) - contract)
    assert body["referral_code"] == "K7P2QX9MA"
    assert body["send_at"].endswith("+06:00")
