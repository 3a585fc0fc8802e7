"""The gateways page (/admin/sms-gateways) and each attempt's gateway on the SMS log and message
page, with SMSGate first and the Twilio-compatible server second (the real clients)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db
from notifications.engine import routing
from notifications.engine.dispatch import dispatch_pass
from tests.support.clock import NOW
from tests.support.factories import make_contact, make_message
from tests.support.smsgate_fake import smsgate_config

NUMBER = "+8801711222333"


@pytest.fixture
def routed(request, fake_twilio, smsgate_fake, app_config):
    app_config.update(smsgate_config(smsgate_fake))
    app_config.update(
        SMS_BACKEND="smsgate,twilio",
        SMSGATE_MIN_INTERVAL=0,
        SMSGATE_DAILY_LIMIT=300,
        SMSGATE_PRICE_PER_SEGMENT="0.35",
        SMS_PRICE_PER_SEGMENT="7.5",
    )
    return request.getfixturevalue("app")


def _html(response, status=200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["peer_educator", "clinic_partner", "viewer"])
def test_only_admins_see_the_gateways(routed, client, login_as, role):
    login_as(role)
    assert client.get("/admin/sms-gateways").status_code == 403


def test_the_page_shows_each_gateway_in_order_with_health_count_limit_and_price(
    routed, client, login_as
):
    login_as("admin")
    make_message(make_contact())
    dispatch_pass(now=NOW)
    state = routing.states(["smsgate"])["smsgate"]
    state.last_ping_at = utcnow()
    db.session.commit()

    html = _html(client.get("/admin/sms-gateways"))

    assert html.index("Phone with a local SIM") < html.index("Twilio")
    assert "working" in html and "0.35" in html and "7.50" in html
    assert "of 300" in html and "no daily limit" in html
    assert "Last heard from the phone" in html
    admin_home = _html(client.get("/admin"))
    assert "/admin/sms-gateways" in admin_home


def test_a_failing_gateway_shows_its_last_error(routed, client, login_as, smsgate_fake):
    routed.config["SMS_GATEWAY_MAX_FAILURES"] = 1
    login_as("admin")
    smsgate_fake.fail_next(1, 500, on="send")
    now = utcnow()  # the page reads the real clock; her window: any hour
    contact = make_contact(window_start="00:00", window_end="00:00")
    params = {"code": "K7P2QX9M", "due_on": now.date().isoformat()}
    make_message(contact, "follow_up_due", send_at=now, target_at=None, params=params)
    dispatch_pass(now=now + timedelta(seconds=1))

    html = _html(client.get("/admin/sms-gateways"))

    assert "failing: left alone for a while" in html and "500" in html


def test_a_test_sms_goes_through_that_gateway_and_its_number_is_not_kept(
    routed, client, login_as, smsgate_fake, fake_twilio
):
    admin = login_as("admin")

    response = client.post(
        "/admin/sms-gateways/test", data={"gateway": "twilio", "phone": "01711-222333"}
    )

    assert response.status_code == 302
    assert len(fake_twilio.messages) == 1 and smsgate_fake.sent == []
    assert fake_twilio.messages[0].to == NUMBER
    html = _html(client.get("/admin/sms-gateways"))
    assert "The gateway accepted the test SMS." in html and "222333" not in html
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "sms.test")).one()
    assert event.actor_id == admin.id and event.details == {"gateway": "twilio", "outcome": "sent"}
    assert "1711222333" not in repr(db.session.execute(sa.text("SELECT * FROM audit_events")).all())
    from notifications.models import OutboxMessage

    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_a_test_sms_to_smsgate(routed, client, login_as, smsgate_fake):
    login_as("admin")
    client.post("/admin/sms-gateways/test", data={"gateway": "smsgate", "phone": NUMBER})
    assert [m.phone_numbers for m in smsgate_fake.sent] == [[NUMBER]]


@pytest.mark.parametrize(
    "data", [{"gateway": "twilio", "phone": "12"}, {"gateway": "twilio", "phone": ""}]
)
def test_a_bad_number_is_refused_in_words_and_nothing_is_sent(
    routed, client, login_as, fake_twilio, data
):
    login_as("admin")
    html = _html(client.post("/admin/sms-gateways/test", data=data), 400)
    assert "field-error" in html and fake_twilio.messages == []


def test_an_unknown_gateway_is_404(routed, client, login_as):
    login_as("admin")
    response = client.post("/admin/sms-gateways/test", data={"gateway": "nokia", "phone": NUMBER})
    assert response.status_code == 404


def test_the_log_and_the_message_page_show_each_attempts_gateway(
    routed, client, login_as, smsgate_fake
):
    login_as("admin")
    message = make_message(make_contact())
    smsgate_fake.fail_next(1, 500, on="send")
    dispatch_pass(now=NOW)

    log = _html(client.get("/admin/sms"))
    assert "Twilio" in log
    page = _html(client.get(f"/admin/sms/{message.id}"))
    assert "Attempts" in page
    assert page.index("Phone with a local SIM") < page.index("Twilio")


def test_the_page_in_bangla(routed, client, login_as):
    login_as("admin", language="bn")
    html = _html(client.get("/admin/sms-gateways"))
    for english in ("SMS gateways", "Health", "Send a test SMS", "Messages today", "working"):
        assert english not in html, english
    assert "SMS পাঠানোর পথ" in html and "দেশি সিমের ফোন" in html and "৩০০" in html


def test_the_api_lists_the_gateways_for_admins_only(routed, client, api_headers):
    make_message(make_contact())
    dispatch_pass(now=NOW)

    response = client.get("/api/v1/gateways", headers=api_headers("admin"))

    assert response.status_code == 200, response.json
    smsgate, twilio = response.json
    assert smsgate["name"] == "smsgate" and smsgate["healthy"] is True
    assert smsgate["daily_limit"] == 300 and smsgate["today"] == 0  # sent on the test clock's day
    assert (smsgate["price_per_segment"], twilio["price_per_segment"]) == (0.35, 7.5)
    assert twilio["daily_limit"] is None and twilio["name"] == "twilio"
    assert client.get("/api/v1/gateways", headers=api_headers("viewer")).status_code == 403
