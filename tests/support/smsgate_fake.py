"""An SMSGate (SMS Gateway for Android) relay for tests: the real `android_sms_gateway` client talks
to it as is.

    with SMSGateFake(signing_key="k", passphrase=None) as fake:
        client = fake.client()  # an APIClient pointed here, with a request timeout
        state = client.send(Message(phone_numbers=["+8801711000000"],
                                    text_message=TextMessage(text="hi"), id="harc-1-1"))
        fake.sent[0].text == "hi"
        fake.add_webhook("https://harc.example/webhooks/smsgate", "sms:delivered")
        fake.advance("harc-1-1", "Delivered")  # state Delivered + a signed sms:delivered POST

The API lives in smsgate_fake_app.py (under /3rdparty/v1). Webhook POSTs go through
`fake.deliver(url, body_bytes, headers) -> status`: by default a real HTTP POST; for a Flask test
client, `fake.deliver = flask_deliverer(client)`. Signed as the app signs them: X-Signature = hex
HMAC-SHA256(signing_key, raw body + X-Timestamp), X-Timestamp in Unix seconds.
Faults: `fail_next(n, status, on=...)`, `accept_then_hang(n, seconds)`, `latency` (seconds, every
API request). Encrypted sends are decrypted with `passphrase` when the test reads `sent`.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from tests.support.smsgate_fake_app import (
    BASE_PATH,
    HEALTH,
    FakeHTTPServer,
    Fault,
    RecordedRequest,
    SmsGateApi,
    StoredMessage,
)
from tests.support.twilio_fake_api import segments

__all__ = ["RecordedRequest", "SMSGateFake", "SentMessage", "flask_deliverer", "smsgate_config"]

Deliver = Callable[[str, bytes, dict[str, str]], int]
EVENT_OF_STATE = {
    "Sent": "sms:sent",
    "Delivered": "sms:delivered",
    "Failed": "sms:failed",
    "Cancelled": "sms:cancelled",
}
DHAKA = timezone(timedelta(hours=6))  # the phone's local time, as its webhooks carry it


@dataclass
class SentMessage:
    """A message the relay accepted, as the phone would send it (decrypted when it can be)."""

    id: str
    text: str | None
    phone_numbers: list[str]
    state: str
    reason: str | None
    sim_number: int | None
    ttl: int | None
    valid_until: str | None
    with_delivery_report: bool
    priority: int
    is_encrypted: bool
    received_at: float  # time.time() when the send arrived
    body: dict[str, Any] = field(default_factory=dict)  # the JSON as the relay received it


@dataclass
class Delivery:
    """One webhook POST the fake made."""

    url: str
    event: str
    body: bytes
    headers: dict[str, str]
    status: int  # the HTTP status our endpoint answered (0: no answer)

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


def smsgate_config(fake: SMSGateFake) -> dict[str, Any]:
    """App config that sends through `fake` (SMS_BACKEND=smsgate)."""
    config: dict[str, Any] = {
        "SMS_BACKEND": "smsgate",
        "SMSGATE_API_URL": fake.base_url,
        "SMSGATE_USERNAME": fake.username,
        "SMSGATE_PASSWORD": fake.password,
        "SMSGATE_SIGNING_KEY": fake.signing_key,
    }
    if fake.passphrase:
        config["SMSGATE_ENCRYPTION_PASSPHRASE"] = fake.passphrase
    return config


def http_deliver(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST `body` to `url` over HTTP; the status (0 when nothing answered)."""
    request = urllib.request.Request(url, body, headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def flask_deliverer(client: Any) -> Deliver:
    """A `deliver` that POSTs through a Flask test client (the URL's path and query)."""

    def deliver(url: str, body: bytes, headers: dict[str, str]) -> int:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        others = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        base = f"{parts.scheme}://{parts.netloc}"
        response = client.post(
            path, data=body, headers=others, content_type="application/json", base_url=base
        )
        return int(response.status_code)

    return deliver


class SMSGateFake(SmsGateApi):
    """The relay and its phone: start()/stop() or a `with` block; see the module docstring."""

    def __init__(
        self,
        username: str | None = None,
        password: str | None = None,
        signing_key: str | None = None,
        passphrase: str | None = None,
        phone_number: str = "+8801900000001",
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(username, password)
        self.signing_key = signing_key or secrets.token_hex(16)
        self.passphrase = passphrase  # to read encrypted sends (the phone's passphrase)
        self.phone_number = phone_number  # the phone's SIM: sender of sends, recipient of replies
        self.host = host
        self.deliver: Deliver = http_deliver
        self.deliveries: list[Delivery] = []
        self._plain: dict[str, str] = {}  # encrypted value -> clear text (decryption is slow)
        self._httpd: FakeHTTPServer | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> SMSGateFake:
        self._stopping.clear()
        self._httpd = FakeHTTPServer(self, (self.host, 0))
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="smsgate-fake", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        for sock in list(self._httpd.open_sockets):  # idle keep-alive connections
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        self._thread.join()
        self._httpd = None

    def __enter__(self) -> SMSGateFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The API's base URL (`.../3rdparty/v1`), as SMSGATE_API_URL takes it."""
        assert self._httpd is not None, "start() the server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{BASE_PATH}"

    def client(
        self,
        timeout: float = 10.0,
        passphrase: str | None = None,
        username: str | None = None,
        password: str | None = None,
    ) -> Any:
        """A real APIClient pointed here (requests with `timeout` seconds; encrypting when given
        a passphrase)."""
        import requests
        from android_sms_gateway import APIClient, Encryptor
        from android_sms_gateway.http import RequestsHttpClient

        class TimeoutSession(requests.Session):
            def request(self, *args: Any, **kwargs: Any) -> Any:
                kwargs.setdefault("timeout", timeout)
                return super().request(*args, **kwargs)

        return APIClient(
            username or self.username,
            password or self.password,
            base_url=self.base_url,
            encryptor=Encryptor(passphrase) if passphrase else None,
            http=RequestsHttpClient(TimeoutSession()),
        )

    # -- what the tests read ------------------------------------------------------------------
    @property
    def sent(self) -> list[SentMessage]:
        """Every message accepted, in order, decrypted with `passphrase` where encrypted."""
        with self._lock:
            stored = list(self._messages.values())
        return [self._sent(m) for m in stored]

    def message(self, ident: str) -> SentMessage:
        with self._lock:
            return self._sent(self._messages[ident])

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def webhooks(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(w) for w in self._webhooks.values()]

    def wait_for_messages(self, n: int, timeout: float = 5.0) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: len(self._messages) >= n, timeout)

    def _clear(self, value: str | None, encrypted: bool) -> str | None:
        if value is None or not encrypted or not self.passphrase:
            return value
        if value not in self._plain:
            from android_sms_gateway import Encryptor

            self._plain[value] = Encryptor(self.passphrase).decrypt(value)
        return self._plain[value]

    def _sent(self, m: StoredMessage) -> SentMessage:
        encrypted = bool(m.body.get("isEncrypted"))
        numbers = [self._clear(n, encrypted) or "" for n in m.wire_numbers]
        return SentMessage(
            m.id,
            self._clear(m.wire_text, encrypted),
            numbers,
            m.state,
            m.reason,
            m.body.get("simNumber"),
            m.body.get("ttl"),
            m.body.get("validUntil"),
            bool(m.body.get("withDeliveryReport", True)),
            int(m.body.get("priority") or 0),
            encrypted,
            m.received_at,
            json.loads(json.dumps(m.body)),
        )

    # -- faults ---------------------------------------------------------------------------------
    def fail_next(
        self, n: int = 1, status: int = 500, message: str | None = None, on: str = "any"
    ) -> None:
        """The next `n` API requests (`on`: "any"; "send", POST /messages only; "state", GET
        /messages/{id} only) answer `status` (500, 429, 401, ...) without doing anything."""
        assert on in ("any", "send", "state"), on
        with self._lock:
            self._faults.extend([Fault(status, message, on)] * n)

    def accept_then_hang(self, n: int = 1, seconds: float = 30.0) -> None:
        """The next `n` sends are stored, then their reply is held `seconds` (past a timeout)."""
        with self._lock:
            self._hang.extend([seconds] * n)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._hang.clear()
            self.latency = 0.0

    # -- the phone ------------------------------------------------------------------------------
    def advance(
        self, ident: str, state: str, reason: str | None = None, notify: bool = True
    ) -> list[Delivery]:
        """Move a message to `state` (Processed, Sent, Delivered, Failed, Cancelled) and, unless
        `notify` is false, POST its event to every webhook registered for it."""
        assert state in ("Pending", "Processed", *EVENT_OF_STATE), state
        now = datetime.now(DHAKA)
        with self._lock:
            stored = self._messages[ident]
            stored.state, stored.reason = state, reason if state == "Failed" else None
            when = now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            if state in ("Delivered",) and "Sent" not in stored.states:
                stored.states["Sent"] = when
            stored.states[state] = when
            message = self._sent(stored)
        event = EVENT_OF_STATE.get(state)
        if not notify or event is None:
            return []
        results = []
        for number in message.phone_numbers:
            payload: dict[str, Any] = {
                "messageId": ident,
                "phoneNumber": number,
                "sender": self.phone_number,
                "recipient": number,
                "simNumber": message.sim_number or 1,
            }
            stamp = now.isoformat(timespec="milliseconds")
            if state == "Sent":
                payload.update(partsCount=segments(message.text or ""), sentAt=stamp)
            elif state == "Delivered":
                payload["deliveredAt"] = stamp
            elif state == "Failed":
                payload.update(reason=reason or "RESULT_ERROR_GENERIC_FAILURE", failedAt=stamp)
            else:
                payload["cancelledAt"] = stamp
            results += self.emit(event, payload)
        return results

    def receive(
        self, sender: str, text: str, sim_number: int = 1, recipient: str | None = None
    ) -> list[Delivery]:
        """An SMS from `sender` reaches the phone: sms:received to every webhook for it."""
        payload = {
            "messageId": secrets.token_hex(8),
            "message": text,
            "phoneNumber": sender,
            "sender": sender,
            "recipient": recipient or self.phone_number,
            "simNumber": sim_number,
            "receivedAt": datetime.now(DHAKA).isoformat(timespec="milliseconds"),
        }
        return self.emit("sms:received", payload)

    def ping(self) -> list[Delivery]:
        """The phone's system:ping (its health) to every webhook for it."""
        return self.emit("system:ping", {"health": json.loads(json.dumps(HEALTH))})

    # -- webhooks -------------------------------------------------------------------------------
    def add_webhook(self, url: str, event: str, ident: str | None = None) -> dict[str, Any]:
        """Register `url` for `event` directly (as POST /webhooks would)."""
        webhook = {"id": ident or secrets.token_urlsafe(16)[:21], "url": url, "event": event}
        with self._lock:
            self._webhooks[webhook["id"]] = webhook
        return dict(webhook)

    def event_body(self, event: str, payload: dict[str, Any], webhook_id: str = "") -> bytes:
        """The JSON body the phone POSTs for one event (a new event id each time)."""
        body = {
            "deviceId": self.device_id,
            "event": event,
            "id": secrets.token_urlsafe(16)[:21],
            "payload": payload,
            "webhookId": webhook_id,
        }
        return json.dumps(body, ensure_ascii=False).encode()

    def sign(
        self, body: bytes, timestamp: int | None = None, key: str | None = None
    ) -> dict[str, str]:
        """The headers of a webhook POST of `body`, signed with `key` (default: signing_key)."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        mac = hmac.new((key or self.signing_key).encode(), body + stamp.encode(), hashlib.sha256)
        return {
            "Content-Type": "application/json",
            "User-Agent": "android-sms-gateway/1.40.0 (fake)",
            "X-Signature": mac.hexdigest(),
            "X-Timestamp": stamp,
        }

    def emit(self, event: str, payload: dict[str, Any]) -> list[Delivery]:
        """POST `event` with `payload`, signed, to every webhook registered for it."""
        with self._lock:
            targets = [w for w in self._webhooks.values() if w["event"] == event]
        results = []
        for webhook in targets:
            body = self.event_body(event, payload, webhook["id"])
            headers = self.sign(body)
            status = self.deliver(webhook["url"], body, headers)
            delivery = Delivery(webhook["url"], event, body, headers, status)
            with self._lock:
                self.deliveries.append(delivery)
            results.append(delivery)
        return results
