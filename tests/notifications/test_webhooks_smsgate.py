"""POST /webhooks/smsgate: signed (before anything is parsed), fresh, once per event id; statuses
move our attempt and its message forward only; pings mark the phone alive; a week's memory."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from notifications.engine import attempts
from notifications.engine.dispatch import dispatch_pass
from notifications.models import GatewayState, OutboxMessage
from notifications.webhooks.events import WebhookEvent, purge_events
from tests.support.clock import NOW
from tests.support.factories import make_contact, make_message, reload
from tests.support.smsgate_webhooks import event_body, post_event, post_raw, webhook_config, wire


@pytest.fixture
def gate(app_config, smsgate_fake):
    """The SMSGate fake, with the app (built after it) sending through it."""
    app_config.update(webhook_config(smsgate_fake))
    return smsgate_fake


@pytest.fixture
def client(gate, app):
    client = app.test_client()
    wire(gate, client)
    return client


@pytest.fixture
def sent(client, gate):
    """A reminder the dispatcher sent through SMSGate: (row, our reference)."""
    message = make_message(make_contact())
    dispatch_pass(now=NOW)
    row = reload(message)
    assert row.status == "sent", (row.status, row.error_message)
    reference = attempts.latest(row.id).reference
    assert [m.id for m in gate.sent] == [reference]
    return row, reference


def _events() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEvent))


def test_a_signed_delivery_report_moves_the_message_to_delivered(client, gate, sent):
    row, reference = sent
    [delivery] = gate.advance(reference, "Delivered")
    assert delivery.status == 200
    row = reload(row)
    assert row.status == "delivered" and row.delivered_at is not None and row.final_at is not None
    assert attempts.latest(row.id).status == "delivered"
    # A late sms:sent (a new event) moves nothing back.
    assert gate.advance(reference, "Sent")[0].status == 200
    assert reload(row).status == "delivered"


def test_a_failure_keeps_its_reason_masked(client, gate, sent):
    row, reference = sent
    gate.advance(reference, "Failed", reason="blocked by operator for +8801711999888")
    row = reload(row)
    assert row.status == "failed"
    assert "blocked by operator" in row.error_message and "1711999888" not in row.error_message


@pytest.mark.parametrize(
    "forge",
    ["unsigned", "wrong key", "stale", "future", "body changed", "timestamp changed", "not hex"],
)
def test_forged_unsigned_and_stale_webhooks_are_refused(client, gate, sent, forge):
    row, reference = sent
    body = event_body("sms:delivered", {"messageId": reference}, "ev-forged")
    now = int(time.time())
    headers = gate.sign(body, timestamp=now)
    if forge == "unsigned":
        headers = {"Content-Type": "application/json"}
    elif forge == "wrong key":
        headers = gate.sign(body, timestamp=now, key="not-the-key")
    elif forge == "stale":
        headers = gate.sign(body, timestamp=now - 301)
    elif forge == "future":
        headers = gate.sign(body, timestamp=now + 301)
    elif forge == "body changed":
        body = body.replace(b"ev-forged", b"ev-forgeD")
    elif forge == "timestamp changed":
        headers["X-Timestamp"] = str(now - 1)
    else:
        headers["X-Signature"] = "ü" * 64
    response = post_raw(client, body, headers)
    assert response.status_code == 403 and response.is_json
    assert reload(row).status == "sent" and _events() == 0


def test_within_five_minutes_is_accepted(client, gate, sent):
    row, reference = sent
    payload = {"messageId": reference}
    stamp = int(time.time()) - 290
    assert post_event(client, gate, "sms:delivered", payload, timestamp=stamp).status_code == 200
    assert reload(row).status == "delivered"


def test_without_a_signing_key_everything_is_refused(client, gate, sent, app):
    row, reference = sent
    app.config["SMSGATE_SIGNING_KEY"] = ""
    body = event_body("sms:delivered", {"messageId": reference}, "ev-1")
    for key in ("", gate.signing_key):
        assert post_raw(client, body, gate.sign(body, key=key or None)).status_code == 403
    assert reload(row).status == "sent" and _events() == 0


def test_a_replayed_event_id_acts_once(client, gate, sent):
    row, reference = sent
    first = post_event(client, gate, "sms:sent", {"messageId": reference}, event_id="ev-7")
    # The same id again, even carrying another report, changes nothing.
    again = post_event(client, gate, "sms:failed", {"messageId": reference, "reason": "x"},
                       event_id="ev-7")  # fmt: skip
    assert first.status_code == again.status_code == 200
    assert reload(row).status == "sent" and reload(row).error_message is None
    assert _events() == 1


@pytest.mark.parametrize("ident", ["harc000000-999999-1", "other-1-1", "", "x" * 64])
def test_a_message_we_do_not_know_is_answered_200_and_changes_nothing(client, gate, sent, ident):
    row, reference = sent
    if ident == "":
        ident = reference.rsplit("-", 1)[0] + "-9"  # our message, an attempt it never had
    response = post_event(client, gate, "sms:delivered", {"messageId": ident})
    assert response.status_code == 200
    assert reload(row).status == "sent"


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"id": "e", "event": "sms:sent"}', b'{"event": "sms:sent",'
     b' "payload": {"messageId": "m"}}', b'{"id": "e", "event": "sms:sent", "payload": {}}',
     b'{"id": "e", "event": "sms:received", "payload": {"message": "1"}}',
     b"\xff\xfe", b"[" * 5000],
)  # fmt: skip
def test_bad_bodies_with_a_good_signature_are_400_and_change_nothing(client, gate, sent, body):
    row, _ = sent
    response = post_raw(client, body, gate.sign(body))
    assert response.status_code == 400 and response.is_json
    assert reload(row).status == "sent" and _events() == 0


def test_an_event_we_do_not_use_is_ignored(client, gate, sent):
    response = post_event(client, gate, "sms:data-received", {"messageId": "m"})
    assert response.status_code == 200 and _events() == 0


def test_a_ping_marks_the_phone_alive_and_never_goes_back(client, gate, app):
    [delivery] = gate.ping()
    assert delivery.status == 200
    state = db.session.get(GatewayState, "smsgate")
    assert state is not None and abs(state.last_ping_at - utcnow()) < timedelta(minutes=1)
    from notifications.webhooks.smsgate import record_ping

    earlier = state.last_ping_at - timedelta(hours=1)
    record_ping("smsgate", earlier)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(GatewayState, "smsgate").last_ping_at > earlier


def test_retention_forgets_events_after_a_week(client, gate, app):
    post_event(client, gate, "system:ping", {"health": {}}, event_id="old")
    post_event(client, gate, "system:ping", {"health": {}}, event_id="new")
    old = db.session.scalar(sa.select(WebhookEvent).where(WebhookEvent.event_id == "old"))
    old.received_at = utcnow() - timedelta(days=8)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["retention", "purge"])
    assert "webhook events: webhook_events=1" in result.output, result.output
    db.session.expire_all()
    assert db.session.scalars(sa.select(WebhookEvent.event_id)).all() == ["new"]
    assert purge_events(utcnow()) == {"webhook_events": 0}


def test_a_refused_request_creates_nothing(client, gate):
    # Nothing at all in the database, and a refused request still creates nothing.
    body = b'{"id": "e", "event": "system:ping", "payload": {}}'
    assert post_raw(client, body, {}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert db.session.get(GatewayState, "smsgate") is None


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["RATELIMIT_ENABLED"] = True
        return app_config

    def test_refused_requests_are_limited_signed_bursts_are_not(self, client, gate):
        for n in range(80):
            assert post_event(client, gate, "system:ping", {}, event_id=f"p{n}").status_code == 200
        body = b'{"id": "x", "event": "system:ping", "payload": {}}'
        for _ in range(60):
            assert post_raw(client, body, {}).status_code == 403
        assert post_event(client, gate, "system:ping", {}, event_id="late").status_code == 429
