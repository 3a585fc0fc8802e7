"""The SMSGate gateway through the real `android-sms-gateway` client against the fake relay."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime

import pytest

from notifications.engine.gateways import (
    LookupResult,
    SendResult,
    SmsGateGateway,
    attempt_reference,
    build_gateways,
    get_gateway,
    get_gateways,
    parse_reference,
    reference_prefix,
)
from tests.support.smsgate_fake import SMSGateFake, smsgate_config

TO = "+8801711000042"
PREFIX = "harc0a1b2c"
NOW = datetime.now(UTC)


def gateway(fake: SMSGateFake, **kwargs) -> SmsGateGateway:
    options: dict = {"timeout": 3.0, "encryption_passphrase": fake.passphrase}
    options.update(kwargs)
    password = options.pop("password", fake.password)
    return SmsGateGateway(fake.base_url, fake.username, password, **options)


def ref(outbox_id: int, number: int = 1) -> str:
    return attempt_reference(outbox_id, number, prefix=PREFIX)


def test_send_uses_our_id_the_ttl_the_sim_and_a_delivery_report(smsgate_fake):
    result = gateway(smsgate_fake, sim_number=2).send(
        TO, "Code 1.", None, kind="reminder_24h", reference=ref(7), valid_for=600
    )
    assert result == SendResult("sent", sid=ref(7), status="sent")
    sent = smsgate_fake.message(ref(7))
    assert (sent.phone_numbers, sent.text) == ([TO], "Code 1.")
    assert (sent.ttl, sent.valid_until, sent.sim_number) == (600, None, 2)
    assert sent.with_delivery_report is True and sent.is_encrypted is False


def test_ttl_defaults_to_the_validity_period_and_the_sim_to_the_phone_default(smsgate_fake):
    gateway(smsgate_fake, validity_period=3600).send(TO, "x", None, reference=ref(8))
    sent = smsgate_fake.message(ref(8))
    assert (sent.ttl, sent.sim_number) == (3600, None)
    assert "simNumber" not in sent.body


def test_encrypted_sends_show_the_relay_no_number_and_no_text():
    with SMSGateFake(passphrase="correct horse battery staple") as fake:
        result = gateway(fake).send(TO, "Code 1 at Mirpur.", None, reference=ref(9))
        assert (result.outcome, result.sid) == ("sent", ref(9))
        raw = next(r.body for r in fake.requests if r.method == "POST")
        assert "1711000042" not in raw and "Mirpur" not in raw
        sent = fake.message(ref(9))
        assert sent.is_encrypted and sent.body["phoneNumbers"][0].startswith("$aes-256-cbc/")
        assert (sent.phone_numbers, sent.text) == ([TO], "Code 1 at Mirpur.")  # the phone reads it
        found = gateway(fake).lookup(TO, "Code 1 at Mirpur.", NOW, NOW, reference=ref(9))
        assert found == LookupResult("found", sid=ref(9), status="sent")
        assert not fake.errors


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(500, "transient"), (503, "transient"), (429, "transient"), (401, "account"),
     (403, "account")],
)  # fmt: skip
def test_relay_errors_are_mapped_as_twilio_errors_are(smsgate_fake, status, outcome):
    smsgate_fake.fail_next(1, status=status, on="send")
    result = gateway(smsgate_fake).send(TO, "x", None, reference=ref(10))
    assert (result.outcome, result.http_status) == (outcome, status)
    assert smsgate_fake.sent == []


def test_wrong_credentials_are_an_account_error(smsgate_fake):
    result = gateway(smsgate_fake, password="wrong").send(TO, "x", None, reference=ref(11))
    assert (result.outcome, result.http_status) == ("account", 401)


def test_an_invalid_number_is_permanent_and_its_text_masked(smsgate_fake, caplog):
    caplog.set_level(logging.DEBUG)
    result = gateway(smsgate_fake).send("8801711000042", "x", None, reference=ref(12))
    assert (result.outcome, result.http_status) == ("permanent", 400)
    assert "invalid phone number" in result.message
    assert "1711000042" not in result.message and "1711000042" not in caplog.text


def test_refused_connection_never_left():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gw = SmsGateGateway(f"http://127.0.0.1:{port}/3rdparty/v1", "u", "p", timeout=1)
    assert gw.send(TO, "x", None, reference=ref(13)).outcome == "not_sent"


def test_a_lost_answer_is_resolved_by_our_id_with_exactly_one_message(smsgate_fake):
    smsgate_fake.accept_then_hang(1, seconds=3)
    gw = gateway(smsgate_fake, timeout=0.5)
    assert gw.send(TO, "Code 1.", None, reference=ref(14)).outcome == "unknown"
    found = gw.lookup(TO, "Code 1.", NOW, NOW, reference=ref(14))
    assert found == LookupResult("found", sid=ref(14), status="sent")
    smsgate_fake.advance(ref(14), "Delivered", notify=False)
    assert gw.lookup(TO, "Code 1.", NOW, NOW, reference=ref(14)).status == "delivered"
    assert [m.id for m in smsgate_fake.sent] == [ref(14)]


def test_a_repeated_id_is_never_a_second_message(smsgate_fake):
    gw = gateway(smsgate_fake)
    assert gw.send(TO, "x", None, reference=ref(15)).outcome == "sent"
    again = gw.send(TO, "x", None, reference=ref(15))
    assert (again.outcome, again.http_status) == ("unknown", 409)  # the lookup tells
    assert len(smsgate_fake.sent) == 1


def test_lookup_reports_not_found_failed_with_reason_cancelled_and_errors(smsgate_fake):
    gw = gateway(smsgate_fake)
    assert gw.lookup(TO, "x", NOW, NOW, reference=ref(16)) == LookupResult("not_found")
    gw.send(TO, "x", None, reference=ref(16))
    smsgate_fake.advance(ref(16), "Failed", reason="RESULT_ERROR_NO_SERVICE", notify=False)
    failed = gw.lookup(TO, "x", NOW, NOW, reference=ref(16))
    assert (failed.status, failed.message) == ("failed", "RESULT_ERROR_NO_SERVICE")
    gw.send(TO, "y", None, reference=ref(17))
    assert gw.delete(ref(17)) is True
    assert gw.lookup(TO, "y", NOW, NOW, reference=ref(17)).status == "cancelled"
    smsgate_fake.fail_next(1, status=500, on="state")
    assert gw.lookup(TO, "x", NOW, NOW, reference=ref(16)).outcome == "error"
    assert gw.lookup(TO, "x", NOW, NOW).outcome == "error"  # no id: never a guess


def test_delete_cancels_a_pending_message_and_counts_gone_or_sent_as_done(smsgate_fake):
    gw = gateway(smsgate_fake)
    gw.send(TO, "x", None, reference=ref(18))
    assert gw.delete(ref(18)) is True
    assert smsgate_fake.message(ref(18)).state == "Cancelled"
    gw.send(TO, "y", None, reference=ref(19))
    smsgate_fake.advance(ref(19), "Sent", notify=False)
    assert gw.delete(ref(19)) is True  # 409: it left the relay; retention counts it done
    assert gw.delete(ref(20)) is True  # 404: never there
    smsgate_fake.fail_next(1, status=500)
    assert gw.delete(ref(19)) is False


def test_webhooks_are_registered_once_per_event_and_listed(smsgate_fake):
    gw = gateway(smsgate_fake)
    url = "https://harc.example/webhooks/smsgate"
    first = gw.register_webhooks(url)
    assert sorted(h.event for h in first) == sorted(
        ["sms:sent", "sms:delivered", "sms:failed", "sms:received", "system:ping"]
    )
    again = gw.register_webhooks(url)
    assert {h.id for h in again} == {h.id for h in first}
    assert len(smsgate_fake.webhooks) == 5
    assert {(h.url, h.event) for h in gw.list_webhooks()} == {(url, h.event) for h in first}


def test_health_reads_the_relay_and_never_raises(smsgate_fake):
    health = gateway(smsgate_fake).health()
    assert health.ok and health.status == "pass"
    down = SmsGateGateway("http://127.0.0.1:9/3rdparty/v1", "u", "p", timeout=0.5).health()
    assert not down.ok and down.status == "error"


def test_attempt_references_carry_the_prefix_and_parse_back(app):
    assert ref(123, 2) == f"{PREFIX}-123-2"
    assert parse_reference(ref(123, 2), prefix=PREFIX) == (123, 2)
    assert parse_reference("other12345-123-2", prefix=PREFIX) is None  # another installation
    for text in (None, "", "harc-x-1", f"{PREFIX}-0-1", f"{PREFIX}-1", "😀"):
        assert parse_reference(text, prefix=PREFIX) is None
    assert len(attempt_reference(10**17, 999, prefix="abcdefghijkl")) <= 36
    with app.app_context():
        prefix = reference_prefix()
        assert prefix.startswith("harc") and len(prefix) == 10
        assert parse_reference(attempt_reference(5, 1)) == (5, 1)
    assert reference_prefix({"SECRET_KEY": "a"}) != reference_prefix({"SECRET_KEY": "b"})
    assert reference_prefix({"SMSGATE_ID_PREFIX": "site2"}) == "site2"


def test_build_gateways_follows_the_routing_order(smsgate_fake):
    config = {**smsgate_config(smsgate_fake), "SMS_BACKEND": "smsgate,console", "SMSGATE_SIM": 2}
    built = build_gateways(config)
    assert [g.name for g in built] == ["smsgate", "console"]
    assert built[0].send(TO, "x", None, reference=ref(21)).outcome == "sent"
    assert smsgate_fake.message(ref(21)).sim_number == 2


@pytest.fixture
def smsgate_app(smsgate_fake, app_config):
    """The app configured for the SMSGate fake first, then the console."""
    app_config.update(smsgate_config(smsgate_fake), SMS_BACKEND="smsgate,console", SMSGATE_SIM="1")
    return app_config


def test_the_app_builds_its_gateways_once_in_routing_order(smsgate_app, app, smsgate_fake):
    gateways = get_gateways(app)
    assert list(gateways) == ["smsgate", "console"] and get_gateways(app) is gateways
    assert get_gateway(app).name == "smsgate" and get_gateway(app, "console").name == "console"
    reference = attempt_reference(31, 1)  # the app's own prefix
    assert gateways["smsgate"].send(TO, "x", None, reference=reference).sid == reference
    assert smsgate_fake.message(reference).sim_number == 1


def test_no_phone_number_reaches_any_log(smsgate_fake, caplog):
    caplog.set_level(logging.DEBUG)
    gw = gateway(smsgate_fake, timeout=0.5)
    gw.send(TO, "x", None, reference=ref(40))
    smsgate_fake.fail_next(1, status=500, message=f"cannot reach {TO}", on="send")
    assert gw.send(TO, "x", None, reference=ref(41)).message == "cannot reach ***42"
    smsgate_fake.accept_then_hang(1, seconds=2)
    gw.send(TO, "x", None, reference=ref(42))
    gw.lookup(TO, "x", NOW, NOW, reference=ref(42))
    smsgate_fake.fail_next(1, status=500, message=f"cannot cancel {TO}")
    gw.delete(ref(40))
    assert caplog.records and "1711000042" not in caplog.text
