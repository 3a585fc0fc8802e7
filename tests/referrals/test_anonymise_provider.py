"""Anonymising a member deletes her messages at the provider too, not only in our outbox."""

from __future__ import annotations

import sqlalchemy as sa

from core.extensions import db
from notifications.engine.dispatch import dispatch_pass
from notifications.models import OutboxMessage
from referrals.models import Member
from tests.support.clock import NOW
from tests.support.factories import make_message


def test_anonymise_deletes_her_messages_at_twilio(twilio_app, fake_twilio, client, api_headers):
    headers = api_headers("peer_educator")
    member = client.post(
        "/api/v1/members",
        json={"phone": "01712-345678", "language": "bn", "sms_consent": True, "nickname": "Moni"},
        headers=headers,
    ).json
    contact_id = db.session.get(Member, member["id"]).contact_id
    make_message(db.session.get(Member, member["id"]).contact)
    assert dispatch_pass(now=NOW).sent == 1
    sid = fake_twilio.messages[0].sid

    response = client.post(f"/api/v1/members/{member['id']}/anonymise", headers=headers)
    assert response.status_code == 200
    assert [m.deleted for m in fake_twilio.messages if m.sid == sid] == [True]
    row = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.contact_id == contact_id))
    db.session.refresh(row)
    assert row.body is None and row.to_phone is None
