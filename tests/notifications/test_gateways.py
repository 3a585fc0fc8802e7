"""The gateways: Twilio errors and transport failures mapped to our small typed results."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime, timedelta

import pytest

from notifications.engine.gateways import (
    ConsoleGateway,
    LookupResult,
    SendResult,
    TwilioGateway,
    build_gateway,
)
from tests.support.twilio_fake import TwilioFake

TO = "+8801711000042"


@pytest.fixture
def fake():
    with TwilioFake() as server:
        yield server
        assert not server.errors


def gateway(fake, **kwargs) -> TwilioGateway:
    options = {"from_number": "+15005550006", "base_url": fake.base_url, "timeout": 2.0}
    options.update(kwargs)
    token = options.pop("token", fake.auth_token)
    return TwilioGateway(fake.account_sid, token, **options)


def test_send_returns_the_sid_and_passes_callback_and_validity(fake):
    result = gateway(fake, validity_period=600).send(TO, "Code 1.", "https://h.example/cb?m=1")
    assert result == SendResult("sent", sid=fake.messages[0].sid, status="sent")
    sent = fake.messages[0]
    assert (sent.to, sent.body, sent.from_) == (TO, "Code 1.", "+15005550006")
    assert sent.status_callback == "https://h.example/cb?m=1"
    assert sent.validity_period == 600


def test_messaging_service_is_used_when_configured(fake):
    result = gateway(fake, from_number=None, messaging_service_sid="MG" + "0" * 32).send(
        TO, "x", None
    )
    assert result.outcome == "sent"
    assert fake.messages[0].messaging_service_sid == "MG" + "0" * 32


@pytest.mark.parametrize(
    ("code", "http", "outcome"),
    [
        (20429, 429, "transient"),
        (20500, 500, "transient"),
        (20500, 503, "transient"),
        (21211, 400, "permanent"),
        (21614, 400, "permanent"),
        (21610, 400, "permanent"),
        (20005, 401, "account"),
        (21606, 400, "account"),
    ],
)
def test_errors_are_mapped(fake, code, http, outcome):
    fake.fail_next(1, code=code, http_status=http)
    result = gateway(fake).send(TO, "x", None)
    assert (result.outcome, result.code, result.http_status) == (outcome, code, http)
    assert isinstance(result, SendResult)


def test_bad_credentials_are_an_account_error(fake):
    result = gateway(fake, token="wrong").send(TO, "x", None)
    assert (result.outcome, result.code) == ("account", 20003)


def test_provider_error_text_is_masked(fake):
    result = gateway(fake).send("+08801711000042", "x", None)  # the fake names the bad number
    assert result.outcome == "permanent" and result.code == 21211
    assert "not a valid phone number" in result.message
    assert "8801711000042" not in result.message


def test_refused_connection_never_left(fake):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = TwilioGateway("AC" + "0" * 32, "t", from_number="+1", base_url=f"http://127.0.0.1:{port}",
                           timeout=1).send(TO, "x", None)  # fmt: skip
    assert result.outcome == "not_sent"


def test_read_timeout_after_the_request_left_is_unknown(fake):
    fake.accept_then_hang(1, seconds=3)
    result = gateway(fake, timeout=0.3).send(TO, "x", None)
    assert result.outcome == "unknown"
    assert len(fake.messages) == 1  # the provider has it


def test_lookup_matches_to_body_and_time(fake):
    gw = gateway(fake)
    since = datetime.now(UTC) - timedelta(seconds=5)
    gw.send(TO, "Code 1.", None)
    gw.send(TO, "Code 2.", None)
    gw.send("+8801711000043", "Code 3.", None)
    now = datetime.now(UTC)
    found = gw.lookup(TO, "Code 1.", since, now)
    assert found == LookupResult("found", sid=fake.messages[0].sid, status="sent")
    assert gw.lookup(TO, "Code 3.", since, now).outcome == "not_found"
    assert gw.lookup(
        TO, "Code 1.", now + timedelta(minutes=5), now + timedelta(minutes=6)
    ).outcome == ("not_found")
    assert gw.lookup(
        TO, "Code 1.", since - timedelta(hours=2), since - timedelta(hours=1)
    ).outcome == ("not_found")


def test_lookup_error_is_reported_not_raised(fake):
    assert gateway(fake, token="wrong").lookup(
        TO, "x", datetime.now(UTC), datetime.now(UTC)
    ).outcome == ("error")


def test_delete_removes_the_message_and_is_idempotent(fake):
    gw = gateway(fake)
    sid = gw.send(TO, "x", None).sid
    assert gw.delete(sid) is True
    assert fake.messages[0].deleted
    assert gw.delete(sid) is True  # already gone


def test_twilio_client_loggers_are_held_at_warning(fake):
    gateway(fake).send(TO, "x", None)
    assert logging.getLogger("twilio.http_client").getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("urllib3").getEffectiveLevel() >= logging.WARNING


def test_console_gateway_logs_only_the_masked_number_and_kind(caplog):
    caplog.set_level(logging.DEBUG)
    result = ConsoleGateway().send(TO, "Code 1.", None, kind="reminder_2h")
    assert result.outcome == "sent" and result.sid.startswith("console-")
    text = " ".join(r.getMessage() for r in caplog.records)
    assert "reminder_2h" in text and "042" in text
    assert "1711000042" not in text and "Code 1." not in text


def test_build_gateway_follows_sms_backend(fake):
    assert isinstance(build_gateway({"SMS_BACKEND": "console"}), ConsoleGateway)
    built = build_gateway(
        {
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": fake.account_sid,
            "TWILIO_AUTH_TOKEN": fake.auth_token,
            "TWILIO_FROM_NUMBER": "+15005550006",
            "TWILIO_API_BASE_URL": fake.base_url,
            "SMS_SEND_TIMEOUT": 3,
        }
    )
    assert isinstance(built, TwilioGateway) and built.timeout == 3.0
    assert built.validity_period == 4 * 3600
    assert built.send(TO, "x", None).outcome == "sent"


def test_twilio_takes_the_protocol_keywords(fake):
    """`reference` is ours (Twilio keeps none), `valid_for` overrides the validity period."""
    gw = gateway(fake, validity_period=600)
    result = gw.send(TO, "Code 1.", None, kind="reminder_2h", reference="harc0a1b2c-1-1",
                     valid_for=900)  # fmt: skip
    assert result.outcome == "sent" and result.sid == fake.messages[0].sid
    assert fake.messages[0].validity_period == 900
    since = datetime.now(UTC) - timedelta(seconds=5)
    found = gw.lookup(TO, "Code 1.", since, datetime.now(UTC), reference="harc0a1b2c-1-1",
                      provider_id=None)  # fmt: skip
    assert found.sid == result.sid  # still To + Body + time


def test_console_gateway_names_the_attempt_by_our_reference():
    result = ConsoleGateway().send(TO, "x", None, reference="harc0a1b2c-3-1", valid_for=60)
    assert (result.outcome, result.sid) == ("sent", "harc0a1b2c-3-1")
    assert ConsoleGateway().lookup(TO, "x", datetime.now(UTC), datetime.now(UTC),
                                   reference="harc0a1b2c-3-1").outcome == "not_found"  # fmt: skip
