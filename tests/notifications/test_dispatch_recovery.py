"""Sends whose fate is unclear: timeouts after acceptance, dead dispatchers, refused connections."""

from __future__ import annotations

import logging
import re
import socket
from datetime import timedelta

import pytest

from core.extensions import db
from notifications.engine.dispatch import dispatch_pass
from notifications.engine.gateways import build_gateway, get_gateway
from tests.support.clock import NOW
from tests.support.factories import make_contact, make_message, reload
from tests.support.sms import SENDER

# Fixtures shared by the sending side's tests (pytest finds them by name here).


def _creates(fake) -> int:
    return len([r for r in fake.requests if r.method == "POST"])


def test_timeout_after_acceptance_is_unknown_then_resolved_by_lookup_without_resend(
    twilio_app, fake_twilio
):
    twilio_app.config["SMS_SEND_TIMEOUT"] = 0.5
    twilio_app.extensions.pop("harc_sms_gateway", None)
    contact = make_contact()
    message = make_message(contact)
    fake_twilio.accept_then_hang(1, seconds=5)

    stats = dispatch_pass(now=NOW)

    assert stats.unknown == 1 and stats.sent == 0
    row = reload(message)
    assert row.status == "unknown"
    assert row.lease_until >= NOW + timedelta(minutes=4)  # waits for a callback first
    assert dispatch_pass(now=NOW + timedelta(minutes=1)).resolved == 0  # still waiting

    later = dispatch_pass(now=NOW + timedelta(minutes=6))

    assert later.resolved == 1 and later.sent == 0
    row = reload(message)
    assert row.status == "sent"
    assert row.provider_sid == fake_twilio.messages[0].sid
    assert fake_twilio.count(contact.phone, row.body) == 1
    assert _creates(fake_twilio) == 1


def test_unknown_that_the_provider_does_not_have_is_sent_again(twilio_app, fake_twilio):
    contact = make_contact()
    message = make_message(contact)
    row = reload(message)
    row.status, row.attempts = "unknown", 1
    row.body, row.to_phone = "Reminder: tomorrow 11:00 at Point 3. Code X.", contact.phone
    row.sent_at, row.lease_until = NOW - timedelta(minutes=6), NOW - timedelta(minutes=1)
    db.session.commit()

    stats = dispatch_pass(now=NOW)

    assert stats.resolved == 1 and stats.sent == 1
    row = reload(message)
    assert row.status == "sent" and row.attempts == 2
    assert len(fake_twilio.messages) == 1


def test_expired_lease_is_recovered_and_not_sent_twice_when_the_provider_has_it(
    twilio_app, fake_twilio
):
    contact = make_contact()
    accepted = make_message(contact)
    lost = make_message(contact)
    # A dispatcher claimed both, sent the first (Twilio accepted it), then died.
    for msg, body in ((accepted, "Reminder A. Code 1."), (lost, "Reminder B. Code 2.")):
        row = reload(msg)
        row.status, row.attempts, row.body, row.to_phone = "sending", 1, body, contact.phone
        row.lease_until = NOW - timedelta(seconds=10)  # claimed 5 min 10 s ago
        db.session.commit()
    fake_twilio.client().messages.create(to=contact.phone, from_=SENDER, body="Reminder A. Code 1.")

    stats = dispatch_pass(now=NOW)

    assert stats.recovered == 2 and stats.resolved == 2
    assert reload(accepted).status == "sent"
    assert reload(accepted).provider_sid == fake_twilio.messages[0].sid
    assert reload(lost).status == "sent"  # not at the provider: sent again
    assert fake_twilio.count(contact.phone, "Reminder A. Code 1.") == 1
    assert _creates(fake_twilio) == 2  # the test's own create, then the lost one


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_refused_connection_is_not_sent_and_retried_later(twilio_app, fake_twilio):
    twilio_app.config["TWILIO_API_BASE_URL"] = f"http://127.0.0.1:{_closed_port()}"
    message = make_message(make_contact())
    gateway = build_gateway(twilio_app.config)

    stats = dispatch_pass(now=NOW, gateway=gateway)

    assert stats.deferred == 1
    row = reload(message)
    assert row.status == "pending" and row.send_at > NOW
    assert "ConnectionError" in row.error_message


@pytest.mark.parametrize("operator_debug", [False, True], ids=["held", "forced-debug"])
def test_no_phone_number_reaches_any_log_at_debug(twilio_app, fake_twilio, caplog, operator_debug):
    twilio_app.config["SMS_SEND_TIMEOUT"] = 0.5
    twilio_app.extensions.pop("harc_sms_gateway", None)
    get_gateway(twilio_app)  # built first: it holds the twilio and urllib3 loggers at WARNING
    caplog.set_level(logging.DEBUG)
    if operator_debug:  # someone turns the client's own loggers up: numbers are still masked
        for name in ("twilio", "twilio.http_client", "urllib3", "urllib3.connectionpool"):
            caplog.set_level(logging.DEBUG, logger=name)
    numbers = []
    for i, fault in enumerate(("ok", "21211", "21610", "hang", "429")):
        contact = make_contact(language="bn" if i % 2 else "en")
        numbers.append(contact.phone)
        make_message(contact)
        if fault in ("21211", "21610"):
            fake_twilio.fail_for(contact.phone, code=int(fault), http_status=400)
    fake_twilio.accept_then_hang(1, seconds=3)
    fake_twilio.fail_next(1, code=20429, http_status=429)

    dispatch_pass(now=NOW)
    dispatch_pass(now=NOW + timedelta(minutes=10))  # lookups (GET ...?To=...) and retries

    records = caplog.records
    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in records)
    assert records, "expected the dispatch to log something"
    if operator_debug:
        assert any(r.name.startswith("twilio") for r in records)
        assert any(
            "Messages.json?To=" in r.getMessage() or "To=" in r.getMessage() for r in records
        )
    for number in numbers:
        digits = number.lstrip("+")
        for shape in (number, digits, digits[3:], "%2B" + digits):
            assert shape not in text, f"a phone number reached the log: {shape}"
    assert not re.search(r"8801\d{8}", text)  # no Bangladeshi mobile number in any shape


def test_one_pass_resolves_more_unknown_rows_than_a_batch(twilio_app, fake_twilio):
    twilio_app.config["SMS_BATCH_SIZE"] = 2
    contact = make_contact()
    messages = [make_message(contact) for _ in range(5)]
    for i, message in enumerate(messages):
        row = reload(message)
        row.status, row.attempts = "sending", 1
        row.body, row.to_phone = f"Reminder {i}.", contact.phone
        row.lease_until = NOW - timedelta(seconds=1)
        db.session.commit()

    stats = dispatch_pass(now=NOW)

    assert (stats.recovered, stats.resolved, stats.sent) == (5, 5, 5)
    assert all(reload(m).status == "sent" for m in messages)
