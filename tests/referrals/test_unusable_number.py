"""When the carrier says her number cannot receive SMS, her peer educator is told (task list)."""

from __future__ import annotations

from core.extensions import db
from notifications.engine.dispatch import dispatch_pass
from referrals.models import Member
from tests.support.clock import NOW
from tests.support.db import PASSWORD
from tests.support.factories import make_message
from tests.support.sms import PUBLIC


def test_a_30005_callback_puts_the_member_on_her_peer_educators_tasks(
    twilio_app, fake_twilio, client, make_user, api_headers
):
    educator = make_user("peer_educator")
    member = client.post(
        "/api/v1/members",
        json={"phone": "01712-345678", "language": "en", "sms_consent": True},
        headers=api_headers(user=educator),
    ).json
    contact = db.session.get(Member, member["id"]).contact
    make_message(contact)
    assert dispatch_pass(now=NOW).sent == 1
    client.post("/login", data={"email": educator.email, "password": PASSWORD})
    assert "cannot receive SMS" not in client.get("/tasks").get_data(as_text=True)

    sid = fake_twilio.messages[0].sid
    path, params, headers = fake_twilio.callback_request(
        sid, "undelivered", 30005, public_url=PUBLIC
    )
    assert client.post(path, data=params, headers=headers).status_code in (200, 204)

    page = client.get("/tasks").get_data(as_text=True)
    assert "Numbers that cannot receive SMS (1)" in page
    assert member["uic"] in page and "345678" not in page
