"""The Twilio fake, driven by the real twilio client (no mocks)."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import flask
import pytest
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from tests.support.twilio_fake import TwilioFake, segments

TO = "+8801711000001"
OTHER = "+8801711000002"
FROM = "+15005550006"
SERVICE = "MG" + "a" * 32
PUBLIC = "https://harc.example.org"


@pytest.fixture
def fake():
    with TwilioFake() as server:
        yield server
    assert server.errors == []


@pytest.fixture
def client(fake):
    twilio = fake.client(timeout=5)
    yield twilio
    twilio.http_client.session.close()


def test_plain_client_pointed_at_base_url_creates_and_is_recorded(fake):
    http = TwilioHttpClient(timeout=5)
    twilio = Client(fake.account_sid, fake.auth_token, http_client=http)
    twilio.api.base_url = fake.base_url  # the only change the client needs
    sent = twilio.messages.create(
        to=TO,
        from_=FROM,
        body="Your referral: HARC-1",
        status_callback=f"{PUBLIC}/webhooks/twilio/status?r=1",
        validity_period=600,
    )
    http.session.close()

    assert re.fullmatch(r"SM[0-9a-f]{32}", sent.sid)
    assert (sent.status, sent.direction) == ("queued", "outbound-api")
    assert (sent.to, sent.from_) == (TO, FROM)
    assert sent.account_sid == fake.account_sid and sent.num_segments == "1"
    assert sent.price is None and sent.error_code is None and sent.date_sent is None
    assert abs(sent.date_created - datetime.now(UTC)) < timedelta(seconds=5)  # RFC 2822 parsed
    assert sent.uri == f"/2010-04-01/Accounts/{fake.account_sid}/Messages/{sent.sid}.json"
    [message] = fake.messages
    assert (message.sid, message.to, message.from_, message.body) == (
        sent.sid,
        TO,
        FROM,
        "Your referral: HARC-1",
    )
    assert message.status_callback == f"{PUBLIC}/webhooks/twilio/status?r=1"
    assert message.validity_period == 600 and message.received_at <= time.time()
    assert fake.count(TO, "Your referral: HARC-1") == 1
    [request] = fake.requests
    assert (request.method, request.status, request.form["To"]) == ("POST", 201, TO)


def test_messaging_service_message_is_accepted(fake, client):
    sent = client.messages.create(to=TO, messaging_service_sid=SERVICE, body="আপনার রেফারেল")
    assert (sent.status, sent.from_, sent.messaging_service_sid) == ("accepted", None, SERVICE)
    assert sent.num_segments == "1" and fake.messages[0].messaging_service_sid == SERVICE


def test_fetch_and_list_with_paging(fake, client):
    sids = [
        client.messages.create(to=TO if i % 2 else OTHER, from_=FROM, body=f"m{i}").sid
        for i in range(7)
    ]
    assert client.messages(sids[3]).fetch().body == "m3"
    everything = client.messages.list(page_size=2)  # follows next_page_uri through 4 pages
    assert [m.sid for m in everything] == sids[::-1]  # newest first
    assert [m.sid for m in client.messages.list(to=TO, page_size=2)] == sids[1::2][::-1]
    page = client.messages.page(page_size=3)
    assert len(page._payload["messages"]) == 3 and page.next_page_url.startswith(fake.base_url)
    assert page._payload["previous_page_uri"] is None and page._payload["page"] == 0
    assert len(client.messages.list(limit=5)) == 5


def test_list_date_sent_filters(client):
    sent = client.messages.create(to=TO, from_=FROM, body="today")
    today, now = datetime.now(UTC).date(), datetime.now(UTC)
    assert [m.sid for m in client.messages.list(to=TO, date_sent=today)] == [sent.sid]
    assert client.messages.list(date_sent_after=now - timedelta(minutes=1))
    assert client.messages.list(date_sent_before=now - timedelta(minutes=1)) == []
    assert client.messages.list(date_sent=date(2001, 1, 1)) == []


def test_delete_removes_it_from_fetch_and_list(fake, client):
    sent = client.messages.create(to=TO, from_=FROM, body="bye")
    assert client.messages(sent.sid).delete() is True
    with pytest.raises(TwilioRestException) as raised:
        client.messages(sent.sid).fetch()
    assert (raised.value.status, raised.value.code) == (404, 20404)
    assert client.messages.list() == []
    assert fake.messages[0].deleted and fake.count(TO, "bye") == 1  # it was still sent once


def test_wrong_credentials_are_401_with_code_20003(fake):
    twilio = fake.client(timeout=5, auth_token="not-the-token")
    with pytest.raises(TwilioRestException) as raised:
        twilio.messages.create(to=TO, from_=FROM, body="x")
    assert (raised.value.status, raised.value.code) == (401, 20003)
    # list() errors are a bare TwilioException (no .code): the client's Page checks the status
    with pytest.raises(TwilioException) as listing:
        twilio.messages.list()
    assert not isinstance(listing.value, TwilioRestException) and "20003" in str(listing.value)
    twilio.http_client.session.close()
    assert fake.messages == [] and [r.status for r in fake.requests] == [401, 401]


def test_fail_next_429_then_500_then_success(fake, client):
    fake.fail_next(1, code=20429, http_status=429)
    fake.fail_next(1, code=20500, http_status=500)
    for status, code in ((429, 20429), (500, 20500)):
        with pytest.raises(TwilioRestException) as raised:
            client.messages.create(to=TO, from_=FROM, body="retry me")
        assert (raised.value.status, raised.value.code) == (status, code)
    assert client.messages.create(to=TO, from_=FROM, body="retry me").status == "queued"
    assert fake.count(TO, "retry me") == 1
    assert [r.status for r in fake.requests] == [429, 500, 201]


def test_fail_for_a_number_and_validation_errors(fake, client):
    fake.fail_for(to=OTHER, code=21211, http_status=400)
    for _ in range(2):
        with pytest.raises(TwilioRestException) as raised:
            client.messages.create(to=OTHER, from_=FROM, body="x")
        assert (raised.value.status, raised.value.code) == (400, 21211)
    assert client.messages.create(to=TO, from_=FROM, body="x").to == TO
    for kwargs, code in (
        ({"to": "017", "body": "x"}, 21211),
        ({"to": TO}, 21602),
        ({"to": TO, "body": "x" * 1601}, 21617),
    ):
        with pytest.raises(TwilioRestException) as raised:
            client.messages.create(from_=FROM, **kwargs)
        assert raised.value.code == code
    with pytest.raises(TwilioRestException) as raised:
        client.messages.create(to=TO, body="no sender")
    assert raised.value.code == 21603
    fake.clear_faults()
    assert client.messages.create(to=OTHER, from_=FROM, body="x").status == "queued"


def test_latency_delays_creates(fake, client):
    fake.latency = 0.2
    started = time.monotonic()
    client.messages.create(to=TO, from_=FROM, body="slow")
    assert time.monotonic() - started >= 0.2


def test_accept_then_hang_times_out_the_client_but_the_message_exists(fake, client):
    impatient = fake.client(timeout=0.3)
    fake.accept_then_hang(1, seconds=30)  # stop() lets the held reply go at teardown
    with pytest.raises(requests.exceptions.Timeout):
        impatient.messages.create(to=TO, from_=FROM, body="did it go?")
    impatient.http_client.session.close()
    [message] = fake.messages
    assert client.messages(message.sid).fetch().status == "queued"
    assert [m.sid for m in client.messages.list(to=TO)] == [message.sid]
    assert client.messages.create(to=TO, from_=FROM, body="next").status == "queued"  # once only


def _status_app(auth_token: str, seen: list) -> flask.Flask:
    app = flask.Flask(__name__)

    @app.post("/webhooks/twilio/status")
    def status():
        query = flask.request.query_string.decode()
        url = PUBLIC + flask.request.path + (f"?{query}" if query else "")
        signature = flask.request.headers.get("X-Twilio-Signature", "")
        if not RequestValidator(auth_token).validate(url, flask.request.form, signature):
            return "", 403
        seen.append(flask.request.form.to_dict())
        return "", 204

    return app


def test_callback_request_is_signed_for_a_flask_test_client(fake, client):
    sent = client.messages.create(
        to=TO, from_=FROM, body="x", status_callback=f"{PUBLIC}/webhooks/twilio/status?r=7"
    )
    seen: list[dict] = []
    flask_client = _status_app(fake.auth_token, seen).test_client()
    path, params, headers = fake.callback_request(sent.sid, "undelivered", error_code=30003)
    assert path == "/webhooks/twilio/status?r=7"
    assert flask_client.post(path, data=params, headers=headers).status_code == 204
    assert seen[0]["MessageStatus"] == seen[0]["SmsStatus"] == "undelivered"
    assert (seen[0]["ErrorCode"], seen[0]["MessageSid"], seen[0]["To"]) == ("30003", sent.sid, TO)
    assert seen[0]["AccountSid"] == fake.account_sid and seen[0]["ApiVersion"] == "2010-04-01"
    assert client.messages(sent.sid).fetch().error_code == 30003  # Twilio's state follows
    # public_url as a bare base URL: the StatusCallback's path and query are appended
    path, params, headers = fake.callback_request(sent.sid, "delivered", public_url=PUBLIC + "/")
    assert RequestValidator(fake.auth_token).validate(
        f"{PUBLIC}/webhooks/twilio/status?r=7", params, headers["X-Twilio-Signature"]
    )
    assert "ErrorCode" not in params
    headers["X-Twilio-Signature"] = "forged"
    assert flask_client.post(path, data=params, headers=headers).status_code == 403


def test_send_status_callback_posts_a_signed_form(fake, client):
    received: list[tuple[str, dict, str]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append((self.path, dict(parse_qsl(body)), self.headers["X-Twilio-Signature"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, args=(0.05,), daemon=True).start()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/webhooks/twilio/status"
        sent = client.messages.create(to=TO, from_=FROM, body="x", status_callback=url)
        assert fake.send_status_callback(sent.sid, "delivered") == 204
    finally:
        receiver.shutdown()
        receiver.server_close()
    [(path, params, signature)] = received
    assert path == "/webhooks/twilio/status" and params["MessageStatus"] == "delivered"
    assert RequestValidator(fake.auth_token).validate(url, params, signature)
    assert client.messages(sent.sid).fetch().date_sent is not None
    assert fake.callbacks == [(url, params, 204)]


def test_inbound_request_is_signed(fake):
    url = f"{PUBLIC}/webhooks/twilio/inbound"
    path, params, headers = fake.inbound_request(url, from_=TO, body="STOP")
    assert path == "/webhooks/twilio/inbound"
    assert (params["From"], params["To"], params["Body"]) == (TO, fake.phone_number, "STOP")
    assert RequestValidator(fake.auth_token).validate(url, params, headers["X-Twilio-Signature"])


def test_many_concurrent_clients_in_threads_and_processes(fake):
    script = """
import sys, threading
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
base, sid, token, tag = sys.argv[1:]
def send(t):
    client = Client(sid, token, http_client=TwilioHttpClient(timeout=10))
    client.api.base_url = base
    for i in range(25):
        client.messages.create(to="+8801711%06d" % (t * 100 + i), from_="+15005550006",
                               body=tag)
threads = [threading.Thread(target=send, args=(t,)) for t in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
"""
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                script,
                fake.base_url,
                fake.account_sid,
                fake.auth_token,
                f"p{p}",
            ],
            cwd=Path(__file__).parent,
        )
        for p in range(3)
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    assert fake.wait_for_messages(600, timeout=1)
    counts = fake.counts()
    assert len(fake.messages) == 600 and len(counts) == 600 and set(counts.values()) == {1}
    assert len({m.sid for m in fake.messages}) == 600


def test_segments_follow_gsm7_and_ucs2():
    assert [segments(b) for b in ("a" * 160, "a" * 161, "^" * 80, "^" * 81)] == [1, 2, 1, 2]
    assert [segments(b) for b in ("ক" * 70, "ক" * 71, "a" * 69 + "ক")] == [1, 2, 1]
