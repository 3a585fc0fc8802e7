"""The plan meets the dispatcher: the messages a referral planned are sent (console backend)
at their time, discreet, with the code and the place alias only."""

from __future__ import annotations

import sqlalchemy as sa

from core.extensions import db
from notifications.models import OutboxMessage
from referrals.services import codes
from tests.support.clock import local_at


def test_planned_messages_are_sent_at_their_time_and_say_nothing_more(
    runner, client, api_headers, make_user, clinic
):
    pe = make_user("peer_educator")
    h = api_headers(user=pe)
    member = client.post(
        "/api/v1/members",
        json={"phone": "01712-345678", "language": "en", "sms_consent": True, "nickname": "Moni"},
        headers=h,
    ).json
    appointment = local_at(3, 11)
    ref = client.post(
        "/api/v1/referrals",
        json={
            "member_id": member["id"],
            "clinic_id": clinic.id,
            "services": ["hiv_testing"],
            "appointment_at": appointment.isoformat(),
        },
        headers=h,
    ).json
    # Each at its own time (a dispatcher that was down would send only the latest: supersede).
    for send_at in sorted(m["send_at"] for m in ref["messages"]):
        result = runner.invoke(args=["reminders", "dispatch", "--now", send_at])
        assert result.exit_code == 0, result.output
    db.session.expire_all()
    rows = db.session.scalars(sa.select(OutboxMessage)).all()
    assert {r.kind: r.status for r in rows} == {
        "referral_created": "sent",
        "reminder_24h": "sent",
        "reminder_2h": "sent",
    }
    for row in rows:
        assert codes.display(ref["code"]) in row.body
        assert clinic.sms_alias in row.body and clinic.name not in row.body
        for word in ("HIV", "test", "Moni", "clinic"):
            assert word.lower() not in row.body.lower()
