"""A message's attempts: numbered with our reference, moved forward only, and a report on an older
attempt never moves the message (its status follows its latest attempt)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.extensions import db
from notifications.engine import attempts, outcomes
from notifications.engine.dispatch import dispatch_pass
from notifications.engine.gateways import parse_reference
from tests.support.clock import NOW
from tests.support.factories import make_contact, make_message, reload
from tests.support.smsgate_fake import smsgate_config


def test_attempts_are_numbered_and_named_by_our_reference(app):
    message = make_message(make_contact())
    first = attempts.start(message.id, "twilio", now=NOW)
    second = attempts.start(message.id, "smsgate", now=NOW)
    db.session.commit()

    assert (first.number, second.number) == (1, 2)
    assert parse_reference(second.reference) == (message.id, 2)
    assert attempts.by_reference(second.reference).id == second.id
    assert attempts.latest(message.id).id == second.id
    assert attempts.by_reference("someone-else-1-1") is None
    assert attempts.by_reference(None) is None


def test_an_attempt_moves_forward_only_and_keeps_its_first_provider_id(app):
    message = make_message(make_contact())
    attempt = attempts.start(message.id, "twilio", now=NOW)

    assert attempts.advance(attempt.id, "sent", now=NOW, provider_id="SM1")
    assert attempts.advance(attempt.id, "delivered", now=NOW + timedelta(minutes=1))
    assert not attempts.advance(attempt.id, "sent", now=NOW + timedelta(minutes=2))  # late
    assert not attempts.advance(attempt.id, "failed", now=NOW)  # already final
    attempts.advance(attempt.id, "delivered", now=NOW, provider_id="SM2")
    db.session.commit()
    row = reload(attempt)
    assert row.status == "delivered" and row.provider_id == "SM1"
    assert row.sent_at == NOW and row.final_at == NOW + timedelta(minutes=1)
    assert not attempts.advance(attempt.id, "pending", now=NOW)  # not an attempt's status


def test_a_report_moves_the_attempt_and_its_message(app):
    message = make_message(make_contact())
    reload(message).status = "sent"
    attempt = attempts.start(message.id, "smsgate", now=NOW)
    attempts.advance(attempt.id, "sent", now=NOW)

    assert attempts.report(attempt.reference, "delivered", now=NOW)
    db.session.commit()
    assert reload(attempt).status == "delivered" and reload(message).status == "delivered"
    assert not attempts.report(attempt.reference, "delivered", now=NOW)  # a repeat: no change
    assert not attempts.report("harc-unknown", "delivered", now=NOW)


@pytest.fixture
def routed(request, fake_twilio, smsgate_fake, app_config):
    app_config.update(smsgate_config(smsgate_fake))
    app_config.update(SMS_BACKEND="smsgate,twilio", SMSGATE_MIN_INTERVAL=0)
    return request.getfixturevalue("app")


def test_a_late_report_on_an_older_attempt_never_moves_the_message(
    routed, smsgate_fake, fake_twilio
):
    message = make_message(make_contact())
    smsgate_fake.fail_next(1, 500, on="send")
    dispatch_pass(now=NOW)
    first, second = attempts.for_message(message.id)
    assert (first.status, second.status, reload(message).status) == ("failed", "sent", "sent")

    # A stray delivery report for the failed first attempt (it never left): nothing moves.
    attempts.report(first.reference, "delivered", now=NOW)
    # Twilio's callback for the second attempt moves it and the message.
    outcomes.advance(message.id, "delivered", now=NOW, sid=second.provider_id, reported=True)
    db.session.commit()

    first, second = attempts.for_message(message.id)
    assert (first.status, second.status) == ("failed", "delivered")
    assert reload(message).status == "delivered"
    assert reload(message).provider_sid == second.provider_id  # Twilio's callbacks find it
