"""Routing between gateways (SMSGate first, then the Twilio-compatible server), through the real
clients against the fakes: the order, failover with no message sent twice, `unknown` resolved at
its own gateway first, unhealthy gateways passed over."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from notifications.engine import attempts, routing
from notifications.engine.dispatch import dispatch_pass
from notifications.models import GatewayState, MessageAttempt
from tests.support.clock import NOW
from tests.support.factories import make_contact, make_message, reload
from tests.support.smsgate_fake import smsgate_config


@pytest.fixture
def routed(request, fake_twilio, smsgate_fake, app_config):
    """The app with SMS_BACKEND "smsgate,twilio" (a test may set `order` by indirect param)."""
    app_config.update(smsgate_config(smsgate_fake))
    app_config.update(
        SMS_BACKEND=getattr(request, "param", "smsgate,twilio"),
        SMS_SEND_TIMEOUT=1,
        SMSGATE_MIN_INTERVAL=0,
    )
    return request.getfixturevalue("app")


def _gateways(message) -> list[tuple[str, str]]:
    return [(a.gateway, a.status) for a in attempts.for_message(message.id)]


def _total_sent(fake_twilio, smsgate_fake) -> int:
    return len(fake_twilio.messages) + len(smsgate_fake.sent)


def test_a_message_goes_to_the_first_gateway_of_the_order(routed, fake_twilio, smsgate_fake):
    message = make_message(make_contact())

    stats = dispatch_pass(now=NOW)

    assert stats.sent == 1
    assert _gateways(message) == [("smsgate", "sent")]
    attempt = attempts.latest(message.id)
    assert smsgate_fake.sent[0].id == attempt.reference  # SMSGate keeps our id of the attempt
    assert attempt.reference.endswith(f"-{message.id}-1") and len(attempt.reference) <= 36
    assert reload(message).status == "sent" and fake_twilio.messages == []


@pytest.mark.parametrize("routed", ["twilio,smsgate"], indirect=True)
def test_the_order_is_the_configured_one(routed, fake_twilio, smsgate_fake):
    message = make_message(make_contact())

    dispatch_pass(now=NOW)

    assert _gateways(message) == [("twilio", "sent")]
    assert attempts.latest(message.id).provider_id == fake_twilio.messages[0].sid
    assert smsgate_fake.sent == []


@pytest.mark.parametrize("status", [500, 429, 401])
def test_a_transient_or_account_failure_moves_the_message_to_the_next_gateway_once(
    routed, fake_twilio, smsgate_fake, status
):
    contact = make_contact()
    message = make_message(contact)
    smsgate_fake.fail_next(1, status, on="send")

    stats = dispatch_pass(now=NOW)

    assert stats.sent == 1 and not stats.paused  # another gateway works: no pause
    assert _gateways(message) == [("smsgate", "failed"), ("twilio", "sent")]
    assert smsgate_fake.sent == [] and fake_twilio.count(contact.phone, reload(message).body) == 1
    assert reload(message).status == "sent"
    state = db.session.get(GatewayState, "smsgate")
    assert state.consecutive_failures >= 1 and state.last_error


def test_unknown_is_resolved_at_its_own_gateway_before_any_other_may_send(
    routed, fake_twilio, smsgate_fake
):
    contact = make_contact()
    message = make_message(contact)
    smsgate_fake.accept_then_hang(1, seconds=3)

    first = dispatch_pass(now=NOW)
    assert first.unknown == 1
    assert _gateways(message) == [("smsgate", "unknown")]
    dispatch_pass(now=NOW + timedelta(minutes=1))  # still waiting for a webhook: no other gateway
    assert fake_twilio.messages == [] and reload(message).status == "unknown"

    later = dispatch_pass(now=NOW + timedelta(minutes=6))

    assert later.resolved == 1 and later.sent == 0
    assert _gateways(message) == [("smsgate", "sent")]
    reference = attempts.latest(message.id).reference
    assert any(
        r.method == "GET" and reference in r.path for r in smsgate_fake.requests
    )  # looked up by our id
    assert _total_sent(fake_twilio, smsgate_fake) == 1


def test_unknown_that_its_gateway_does_not_have_goes_once_through_the_next(
    routed, fake_twilio, smsgate_fake
):
    contact = make_contact()
    message = make_message(contact)
    row = reload(message)
    # ...but the dispatcher died after claiming it: recovered as unknown, then looked up.
    row.status, row.attempts = "sending", 1
    row.body, row.to_phone = "Reminder. Code 1.", contact.phone
    row.lease_until = NOW - timedelta(seconds=1)
    attempts.start(message.id, "smsgate", now=NOW - timedelta(minutes=5))
    db.session.commit()
    smsgate_fake.clear_faults()

    stats = dispatch_pass(now=NOW)

    assert stats.recovered == 1 and stats.sent == 1
    assert _gateways(message) == [("smsgate", "failed"), ("twilio", "sent")]
    assert _total_sent(fake_twilio, smsgate_fake) == 1


def test_a_gateway_failing_repeatedly_is_passed_over_until_its_cool_down(
    routed, fake_twilio, smsgate_fake
):
    routed.config["SMS_GATEWAY_MAX_FAILURES"] = 2
    contact = make_contact()
    smsgate_fake.fail_next(2, 500, on="send")
    first = [make_message(contact) for _ in range(2)]
    dispatch_pass(now=NOW)
    assert [_gateways(m)[-1] for m in first] == [("twilio", "sent")] * 2

    later = make_message(contact)
    dispatch_pass(now=NOW + timedelta(seconds=1))
    assert _gateways(later) == [("twilio", "sent")]  # smsgate is not even tried

    after = make_message(contact, send_at=NOW + timedelta(minutes=6))
    dispatch_pass(now=NOW + timedelta(minutes=6))  # the cool-down (300 s) is over
    assert _gateways(after) == [("smsgate", "sent")]
    assert db.session.get(GatewayState, "smsgate").consecutive_failures == 0


def test_a_phone_that_stopped_pinging_is_passed_over(routed, fake_twilio, smsgate_fake):
    state = routing.states(["smsgate", "twilio"])["smsgate"]
    state.last_ping_at = NOW - timedelta(seconds=901)
    db.session.commit()
    message = make_message(make_contact())

    dispatch_pass(now=NOW)

    assert _gateways(message) == [("twilio", "sent")]
    state = db.session.get(GatewayState, "smsgate")
    state.last_ping_at = NOW - timedelta(seconds=30)
    db.session.commit()
    again = make_message(make_contact())
    dispatch_pass(now=NOW)
    assert _gateways(again) == [("smsgate", "sent")]


def test_a_permanent_failure_is_final_and_not_failed_over(routed, fake_twilio, smsgate_fake):
    message = make_message(make_contact())
    smsgate_fake.fail_next(1, 400, on="send")

    dispatch_pass(now=NOW)

    assert _gateways(message) == [("smsgate", "failed")]
    assert reload(message).status == "failed" and fake_twilio.messages == []


def test_each_attempt_row_is_written_before_the_send(routed, fake_twilio, smsgate_fake):
    message = make_message(make_contact())
    smsgate_fake.fail_next(1, 500, on="send")

    dispatch_pass(now=NOW)

    rows = db.session.scalars(
        sa.select(MessageAttempt).where(MessageAttempt.message_id == message.id)
    ).all()
    assert [(r.number, r.gateway) for r in sorted(rows, key=lambda r: r.number)] == [
        (1, "smsgate"),
        (2, "twilio"),
    ]
    assert all(r.created_at is not None for r in rows)
    assert rows[0].final_at is not None and rows[0].error_message


def test_a_send_the_phone_reports_failed_goes_once_through_the_next_gateway(
    routed, fake_twilio, smsgate_fake
):
    contact = make_contact()
    message = make_message(contact)
    dispatch_pass(now=NOW)
    first = attempts.latest(message.id)

    # The phone could not send it (no signal): SMSGate's sms:failed names our attempt.
    assert attempts.report(first.reference, "failed", now=NOW, error_message="SMSGate: no service")
    db.session.commit()
    assert reload(message).status == "pending"
    dispatch_pass(now=NOW + timedelta(seconds=1))

    assert _gateways(message) == [("smsgate", "failed"), ("twilio", "sent")]
    assert fake_twilio.count(contact.phone, reload(message).body) == 1
    assert len(smsgate_fake.sent) == 1  # the phone's one try, which never left it
    # A late repeat of the report changes nothing: the message has moved on.
    assert not attempts.report(first.reference, "failed", now=NOW + timedelta(seconds=2))
    assert reload(message).status == "sent"


@pytest.mark.parametrize("routed", ["smsgate"], indirect=True)
def test_with_one_gateway_a_reported_failure_is_final(routed, fake_twilio, smsgate_fake):
    message = make_message(make_contact())
    dispatch_pass(now=NOW)

    attempts.report(attempts.latest(message.id).reference, "failed", now=NOW, error_message="x")
    db.session.commit()

    assert reload(message).status == "failed" and fake_twilio.messages == []
