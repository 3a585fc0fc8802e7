"""The SMSGate fake, driven by the real android_sms_gateway client (no mocks)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import flask
import pytest
import requests
from android_sms_gateway import Message, ProcessState, TextMessage, Webhook, WebhookEvent
from android_sms_gateway.errors import (
    APIError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    UnauthorizedError,
)
from werkzeug.serving import make_server

from tests.support.smsgate_fake import flask_deliverer, smsgate_config

TO = "+8801711000001"
OTHER = "+8801711000002"
TEXT = "আপনার রেফারেল: HARC-1"
HOOK = "https://harc.example.org/webhooks/smsgate"
UNTIL = "2030-01-01T00:00:00Z"


def message(ident: str | None = "harc-1-1", to: str = TO, **fields) -> Message:
    return Message(phone_numbers=[to], text_message=TextMessage(text=TEXT), id=ident, **fields)


def verified(key: str, body: bytes, headers) -> bool:
    """The documentation's check: hex HMAC-SHA256(key, raw body + X-Timestamp)."""
    expected = hmac.new(key.encode(), body + headers["X-Timestamp"].encode(), hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), headers["X-Signature"])


@pytest.fixture
def client(smsgate_fake):
    return smsgate_fake.client(timeout=5)


def test_send_is_accepted_as_pending_under_our_id_with_the_documented_wire_shape(
    smsgate_fake, client
):
    state = client.send(message(sim_number=2, ttl=3600))

    assert (state.id, state.state, state.is_encrypted) == ("harc-1-1", ProcessState.Pending, False)
    assert [(r.phone_number, r.state) for r in state.recipients] == [(TO, ProcessState.Pending)]
    request = smsgate_fake.requests[-1]
    assert (request.method, request.path, request.status) == ("POST", "/3rdparty/v1/messages", 202)
    assert json.loads(request.body) == {
        "id": "harc-1-1",
        "textMessage": {"text": TEXT},
        "phoneNumbers": [TO],
        "simNumber": 2,
        "ttl": 3600,
        "withDeliveryReport": True,
        "isEncrypted": False,
        "priority": 0,
    }
    (sent,) = smsgate_fake.sent
    assert (sent.id, sent.text, sent.phone_numbers, sent.sim_number) == ("harc-1-1", TEXT, [TO], 2)
    assert client.get_state("harc-1-1").state == ProcessState.Pending


def test_a_send_without_id_gets_one_and_valid_until_is_carried(smsgate_fake, client):
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    state = client.send(message(ident=None, valid_until=until))

    assert state.id and client.get_state(state.id).id == state.id
    assert datetime.fromisoformat(smsgate_fake.sent[0].valid_until) == until


def test_a_used_id_is_refused_409_and_nothing_is_sent_twice(smsgate_fake, client):
    client.send(message())
    with pytest.raises(APIError) as refused:
        client.send(message(to=OTHER))

    assert refused.value.status_code == 409
    assert [m.phone_numbers for m in smsgate_fake.sent] == [[TO]]


def test_unknown_message_is_404(client):
    with pytest.raises(NotFoundError):
        client.get_state("harc-9-9")


@pytest.mark.parametrize(
    "body",
    [
        {"textMessage": {"text": "x"}, "phoneNumbers": [TO], "ttl": 60, "validUntil": UNTIL},
        {"textMessage": {"text": "x"}, "phoneNumbers": ["01711000001"]},
        {"textMessage": {"text": "x"}, "phoneNumbers": []},
        {"textMessage": {"text": "x"}, "phoneNumbers": [TO], "simNumber": 4},
        {"textMessage": {"text": "x"}, "phoneNumbers": [TO], "id": "x" * 37},
        {"phoneNumbers": [TO]},
        [],
    ],
)  # fmt: skip
def test_invalid_sends_are_400(smsgate_fake, body):
    response = requests.post(
        smsgate_fake.base_url + "/messages",
        json=body,
        auth=(smsgate_fake.username, smsgate_fake.password),
        timeout=5,
    )
    assert response.status_code == 400 and response.json()["message"]
    assert smsgate_fake.sent == []


def test_cancel_while_pending_then_409_and_unknown_404(smsgate_fake, client):
    client.send(message())
    client.cancel_message("harc-1-1")
    assert client.get_state("harc-1-1").state == ProcessState.Cancelled

    client.send(message(ident="harc-2-1"))
    smsgate_fake.advance("harc-2-1", "Processed")
    for ident, status in (("harc-1-1", 409), ("harc-2-1", 409), ("harc-3-1", 404)):
        with pytest.raises(requests.HTTPError) as refused:
            client.cancel_message(ident)
        assert refused.value.response is not None
        assert refused.value.response.status_code == status


def test_wrong_password_is_401_and_stores_nothing(smsgate_fake):
    intruder = smsgate_fake.client(timeout=5, password="wrong")
    with pytest.raises(UnauthorizedError):
        intruder.send(message())
    with pytest.raises(UnauthorizedError):
        intruder.get_webhooks()
    assert smsgate_fake.sent == []


def test_webhooks_are_created_listed_and_deleted(smsgate_fake, client):
    made = client.create_webhook(Webhook(id=None, url=HOOK, event=WebhookEvent.SMS_DELIVERED))
    client.create_webhook(Webhook(id="ours", url=HOOK, event=WebhookEvent.SMS_RECEIVED))
    client.create_webhook(Webhook(id="ours", url=HOOK + "?v=2", event=WebhookEvent.SMS_RECEIVED))

    listed = {(w.id, w.url, w.event) for w in client.get_webhooks()}
    assert listed == {
        (made.id, HOOK, WebhookEvent.SMS_DELIVERED),
        ("ours", HOOK + "?v=2", WebhookEvent.SMS_RECEIVED),
    }
    client.delete_webhook(made.id)
    assert [w.id for w in client.get_webhooks()] == ["ours"]
    with pytest.raises(BadRequestError):
        plain_http = "http://harc.example.org/x"
        client.create_webhook(Webhook(id=None, url=plain_http, event=WebhookEvent.SMS_SENT))


def test_health(client):
    assert client.health_check().status.value == "pass"


def test_encrypted_send_hides_number_and_text_from_the_relay(smsgate_fake):
    smsgate_fake.passphrase = "correct horse"
    secret = smsgate_fake.client(timeout=5, passphrase="correct horse")

    state = secret.send(message())

    assert state.recipients[0].phone_number == TO  # the client decrypts the state's numbers
    raw = "".join(r.body for r in smsgate_fake.requests)
    assert TO not in raw and TEXT not in raw and "HARC-1" not in raw
    (sent,) = smsgate_fake.sent
    assert (sent.is_encrypted, sent.text, sent.phone_numbers) == (True, TEXT, [TO])
    assert sent.body["textMessage"]["text"].startswith("$aes-256-cbc/pbkdf2-sha1$i=75000$")
    assert secret.get_state("harc-1-1").recipients[0].phone_number == TO


@pytest.mark.parametrize(
    "status, error", [(500, InternalServerError), (429, APIError), (401, UnauthorizedError)]
)
def test_faults_answer_the_next_requests_then_the_relay_recovers(
    smsgate_fake, client, status, error
):
    smsgate_fake.fail_next(2, status)
    for _ in range(2):
        with pytest.raises(error) as failed:
            client.send(message())
        assert failed.value.status_code == status
    assert smsgate_fake.sent == []
    assert client.send(message()).state == ProcessState.Pending


def test_send_faults_leave_state_lookups_alone(smsgate_fake, client):
    client.send(message())
    smsgate_fake.fail_next(1, 500, on="send")
    assert client.get_state("harc-1-1").id == "harc-1-1"
    with pytest.raises(InternalServerError):
        client.send(message(ident="harc-2-1"))


def test_accept_then_hang_stores_the_message_and_its_id_resolves_it(smsgate_fake):
    smsgate_fake.accept_then_hang(1, seconds=5)
    hasty = smsgate_fake.client(timeout=0.3)

    with pytest.raises(requests.Timeout):
        hasty.send(message())

    assert [m.id for m in smsgate_fake.sent] == ["harc-1-1"]
    assert hasty.get_state("harc-1-1").state == ProcessState.Pending


def test_latency_holds_every_request(smsgate_fake, client):
    smsgate_fake.latency = 0.1
    started = time.monotonic()
    client.send(message())
    client.get_state("harc-1-1")
    assert time.monotonic() - started >= 0.2


@pytest.fixture
def receiver() -> Iterator[tuple[str, list]]:
    """A live HTTP endpoint that records what it is sent: (url, [(body, headers)])."""
    seen: list = []
    app = flask.Flask("receiver")

    @app.post("/webhooks/smsgate")
    def hook():
        seen.append((flask.request.get_data(), dict(flask.request.headers)))
        return "", 204

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/webhooks/smsgate", seen
    server.shutdown()
    thread.join()


def test_advance_updates_the_state_and_posts_a_signed_event_to_its_webhooks(
    smsgate_fake, client, receiver
):
    url, seen = receiver
    client.create_webhook(Webhook(id=None, url=url, event=WebhookEvent.SMS_DELIVERED))
    client.create_webhook(Webhook(id=None, url=url, event=WebhookEvent.SMS_FAILED))
    client.send(message())
    client.send(message(ident="harc-2-1", to=OTHER))

    assert smsgate_fake.advance("harc-1-1", "Sent") == []  # no webhook for sms:sent
    (delivered,) = smsgate_fake.advance("harc-1-1", "Delivered")
    (failed,) = smsgate_fake.advance("harc-2-1", "Failed", reason="RESULT_ERROR_NO_SERVICE")

    assert [d.status for d in (delivered, failed)] == [204, 204]
    assert [body for body, _ in seen] == [delivered.body, failed.body]
    for body, headers in seen:
        assert verified(smsgate_fake.signing_key, body, headers)
        assert abs(int(headers["X-Timestamp"]) - time.time()) < 5
    event = json.loads(seen[0][0])
    assert event["event"] == "sms:delivered" and event["deviceId"] == smsgate_fake.device_id
    assert event["payload"]["messageId"] == "harc-1-1" and event["payload"]["recipient"] == TO
    assert "deliveredAt" in event["payload"]
    assert json.loads(seen[1][0])["payload"]["reason"] == "RESULT_ERROR_NO_SERVICE"
    state = client.get_state("harc-2-1")
    assert state.state == ProcessState.Failed
    assert state.recipients[0].error == "RESULT_ERROR_NO_SERVICE"
    assert client.get_state("harc-1-1").state == ProcessState.Delivered


def test_advance_without_notify_changes_only_the_state(smsgate_fake, client, receiver):
    url, seen = receiver
    smsgate_fake.add_webhook(url, "sms:sent")
    client.send(message())
    assert smsgate_fake.advance("harc-1-1", "Sent", notify=False) == []
    assert seen == [] and client.get_state("harc-1-1").state == ProcessState.Sent


def test_receive_and_ping_through_a_flask_test_client(smsgate_fake):
    app = flask.Flask("ours")
    seen: list = []

    @app.post("/webhooks/smsgate")
    def hook():
        ok = verified(smsgate_fake.signing_key, flask.request.get_data(), flask.request.headers)
        seen.append(flask.request.get_json())
        return ("", 200) if ok else ("", 403)

    smsgate_fake.deliver = flask_deliverer(app.test_client())
    for event in ("sms:received", "system:ping"):
        smsgate_fake.add_webhook(HOOK + "?k=1", event)

    (reply,) = smsgate_fake.receive(TO, "২")
    (ping,) = smsgate_fake.ping()

    assert (reply.status, ping.status) == (200, 200)
    received, pinged = seen
    assert received["event"] == "sms:received"
    assert received["payload"] | {"receivedAt": None} == {
        "messageId": received["payload"]["messageId"],
        "message": "২",
        "phoneNumber": TO,
        "sender": TO,
        "recipient": smsgate_fake.phone_number,
        "simNumber": 1,
        "receivedAt": None,
    }
    assert pinged["event"] == "system:ping" and pinged["payload"]["health"]["status"] == "pass"
    assert received["id"] != pinged["id"]


def test_a_forged_signature_does_not_verify(smsgate_fake):
    body = smsgate_fake.event_body("sms:received", {"message": "1"})
    assert verified(smsgate_fake.signing_key, body, smsgate_fake.sign(body))
    assert not verified(smsgate_fake.signing_key, body, smsgate_fake.sign(body, key="other"))
    assert not verified(smsgate_fake.signing_key, body + b" ", smsgate_fake.sign(body))


def test_smsgate_config_points_the_app_here(smsgate_fake):
    smsgate_fake.passphrase = "p"
    config = smsgate_config(smsgate_fake)
    assert config["SMSGATE_API_URL"].endswith("/3rdparty/v1") and config["SMS_BACKEND"] == "smsgate"
    assert config["SMSGATE_ENCRYPTION_PASSPHRASE"] == "p"
