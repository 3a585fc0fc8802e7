"""The phone's side of tests/support/smsgate_fake.py: what it sent (decrypted), and its webhooks.

`advance` moves a message on (Sent, Delivered, Failed, ...), `receive` is a member's SMS reaching
the phone, `ping` its system:ping; each POSTs the event, signed as the app signs it (X-Signature =
hex HMAC-SHA256(signing_key, raw body + X-Timestamp), X-Timestamp in Unix seconds), to every URL
registered for it, through `deliver(url, body_bytes, headers) -> status`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from tests.support.smsgate_fake_app import HEALTH, SmsGateApi, StoredMessage
from tests.support.twilio_fake_api import segments

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
    """One webhook POST the phone made."""

    url: str
    event: str
    body: bytes
    headers: dict[str, str]
    status: int  # the HTTP status the endpoint answered (0: no answer)

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


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


class Phone(SmsGateApi):
    """The relay's state plus the phone that sends its messages and posts webhooks."""

    def __init__(
        self,
        username: str | None,
        password: str | None,
        signing_key: str | None,
        passphrase: str | None,
        phone_number: str,
    ) -> None:
        super().__init__(username, password)
        self.signing_key = signing_key or secrets.token_hex(16)
        self.passphrase = passphrase  # to read encrypted sends (the phone's passphrase)
        self.phone_number = phone_number  # the phone's SIM: sender of sends, recipient of replies
        self.deliver: Deliver = http_deliver
        self.deliveries: list[Delivery] = []
        self._plain: dict[str, str] = {}  # encrypted value -> clear text (decryption is slow)

    # -- what the tests read ------------------------------------------------------------------
    @property
    def sent(self) -> list[SentMessage]:
        """Every message accepted, in order, decrypted with `passphrase` where encrypted."""
        with self._lock:
            stored = list(self._messages.values())
        return [self._sent(m) for m in stored]

    def message(self, ident: str) -> SentMessage:
        with self._lock:
            stored = self._messages[ident]
        return self._sent(stored)

    def _clear(self, value: str | None, encrypted: bool) -> str | None:
        if value is None or not encrypted or not self.passphrase:
            return value
        if value not in self._plain:
            from android_sms_gateway import Encryptor

            self._plain[value] = Encryptor(self.passphrase).decrypt(value)
        return self._plain[value]

    def _sent(self, m: StoredMessage) -> SentMessage:
        encrypted = bool(m.body.get("isEncrypted"))
        return SentMessage(
            m.id,
            self._clear(m.wire_text, encrypted),
            [self._clear(n, encrypted) or "" for n in m.wire_numbers],
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

    # -- the phone ------------------------------------------------------------------------------
    def advance(
        self, ident: str, state: str, reason: str | None = None, notify: bool = True
    ) -> list[Delivery]:
        """Move a message to `state` (Processed, Sent, Delivered, Failed, Cancelled) and, unless
        `notify` is false, POST its event to every webhook registered for it."""
        assert state in ("Pending", "Processed", *EVENT_OF_STATE), state
        now = datetime.now(DHAKA)
        when = now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        with self._lock:
            stored = self._messages[ident]
            stored.state, stored.reason = state, reason if state == "Failed" else None
            if state == "Delivered":
                stored.states.setdefault("Sent", when)
            stored.states[state] = when
        message = self._sent(stored)
        event = EVENT_OF_STATE.get(state)
        if not notify or event is None:
            return []
        stamp = now.isoformat(timespec="milliseconds")
        extras: dict[str, dict[str, Any]] = {
            "Sent": {"partsCount": segments(message.text or ""), "sentAt": stamp},
            "Delivered": {"deliveredAt": stamp},
            "Failed": {"reason": reason or "RESULT_ERROR_GENERIC_FAILURE", "failedAt": stamp},
            "Cancelled": {"cancelledAt": stamp},
        }
        extra = extras[state]
        results = []
        for number in message.phone_numbers:
            payload = {
                "messageId": ident,
                "phoneNumber": number,
                "sender": self.phone_number,
                "recipient": number,
                "simNumber": message.sim_number or 1,
                **extra,
            }
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
    @property
    def webhooks(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(w) for w in self._webhooks.values()]

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
