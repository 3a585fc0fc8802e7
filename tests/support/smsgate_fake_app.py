"""The HTTP side of tests/support/smsgate_fake.py: SMSGate's 3rd-party API under /3rdparty/v1.

`POST /messages` (202 and the message's state; a client-chosen `id` already used is 409, as the
real server answers), `GET /messages/{id}`, `DELETE /messages/{id}` (cancel: 409 once not Pending,
404 when unknown), `GET/POST /webhooks`, `DELETE /webhooks/{id}`, `GET /health`; HTTP Basic auth;
errors as the server's `{"message": ...}`. `SmsGateApi` holds the state; `smsgate_fake.SMSGateFake`
adds the HTTP server and the test's controls; smsgate_fake_phone.py the phone's side.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BASE_PATH = "/3rdparty/v1"
ROUTE = re.compile(rf"^{BASE_PATH}/(?P<kind>messages|webhooks|health)(?:/(?P<id>[^/]+))?/?$")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
EVENTS = frozenset(
    {
        "sms:received",
        "sms:data-received",
        "sms:sent",
        "sms:delivered",
        "sms:failed",
        "sms:cancelled",
        "system:ping",
        "mms:received",
        "mms:downloaded",
        "app:started",
    }
)
HEALTH = {
    "status": "pass",
    "version": "1.40.0",
    "releaseId": 1,
    "checks": {
        "battery:level": {"status": "pass", "observedValue": 80, "observedUnit": "percent"},
        "connection:status": {"status": "pass", "observedValue": 1, "observedUnit": "boolean"},
    },
}
# HTTP status, JSON payload (None: no body), seconds to hold the reply, extra headers
Result = tuple[int, Any, float, dict[str, str]]


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class StoredMessage:
    """A message as the relay holds it: numbers and text as they came (encrypted or not)."""

    id: str
    body: dict[str, Any]  # the request's JSON, as sent
    state: str
    device_id: str
    received_at: float  # time.time() when the send arrived
    created_at: str
    states: dict[str, str] = field(default_factory=dict)  # state -> when (RFC 3339)
    reason: str | None = None

    @property
    def wire_numbers(self) -> list[str]:
        return list(self.body.get("phoneNumbers") or [])

    @property
    def wire_text(self) -> str | None:
        text = (self.body.get("textMessage") or {}).get("text")
        return text if text is not None else self.body.get("message")

    def state_json(self) -> dict[str, Any]:
        """The server's MessageState."""
        return {
            "id": self.id,
            "deviceId": self.device_id,
            "state": self.state,
            "isHashed": False,
            "isEncrypted": bool(self.body.get("isEncrypted")),
            "recipients": [
                {
                    "phoneNumber": number,
                    "state": self.state,
                    "error": self.reason if self.state == "Failed" else None,
                }
                for number in self.wire_numbers
            ],
            "states": dict(self.states),
            "createdAt": self.created_at,
        }


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    body: str  # the raw body, as the relay saw it
    headers: dict[str, str]
    at: float
    status: int | None = None  # the HTTP status answered (None while still being handled)


@dataclass
class Fault:
    status: int
    message: str | None
    on: str  # "any", "send" (POST /messages) or "state" (GET /messages/{id})


def _error(status: int, message: str, **headers: str) -> Result:
    return status, {"message": message}, 0.0, headers


class SmsGateApi:
    """The relay's state and request handling."""

    def __init__(self, username: str | None, password: str | None) -> None:
        self.username = username or "fake" + secrets.token_hex(3).upper()
        self.password = password or secrets.token_urlsafe(12)
        self.device_id = "fake" + secrets.token_hex(8)
        self.latency = 0.0  # seconds before answering every API request
        self.errors: list[BaseException] = []  # exceptions raised while serving (bugs)
        self._lock = threading.Condition()
        self._stopping = threading.Event()
        self._messages: dict[str, StoredMessage] = {}
        self._webhooks: dict[str, dict[str, Any]] = {}
        self._requests: list[RecordedRequest] = []
        self._faults: deque[Fault] = deque()
        self._hang: deque[float] = deque()

    def _handle(self, method: str, target: str, raw: str, headers: Any) -> Result:
        parts = urlsplit(target)
        record = RecordedRequest(
            method, parts.path, dict(parse_qsl(parts.query, True)), raw, dict(headers.items()),
            time.time(),
        )  # fmt: skip
        with self._lock:
            self._requests.append(record)
        try:
            result = self._route(method, record)
        except Exception as error:  # a bug here must not hang the client
            self.errors.append(error)
            result = _error(500, "internal server error")
        record.status = result[0]
        return result

    def _authorized(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return scheme == "Basic" and secrets.compare_digest(
            f"{user}:{password}".encode(), f"{self.username}:{self.password}".encode()
        )

    def _fault(self, kind: str) -> Result | None:
        with self._lock:
            if not self._faults or self._faults[0].on not in ("any", kind):
                return None
            fault = self._faults.popleft()
        if fault.status == 401:
            return _error(401, fault.message or "Unauthorized", **{"WWW-Authenticate": "Basic"})
        extra = {"Retry-After": "1"} if fault.status == 429 else {}
        return _error(fault.status, fault.message or "fault injected by the test", **extra)

    def _route(self, method: str, request: RecordedRequest) -> Result:
        match = ROUTE.match(request.path)
        if match is None:
            return _error(404, "Cannot " + method + " " + request.path)
        kind, ident = match["kind"], match["id"]
        if kind == "health" and ident is None and method == "GET":
            return 200, HEALTH, 0.0, {}
        if self.latency:
            self._stopping.wait(self.latency)
        operation = {("POST", None): "send", ("GET", "id"): "state"}.get(
            (method, "id" if ident else None), "other"
        )
        fault = self._fault(operation if kind == "messages" else "other")
        if fault is not None:
            return fault
        auth = next((v for k, v in request.headers.items() if k.lower() == "authorization"), "")
        if not self._authorized(auth):
            return _error(401, "Unauthorized", **{"WWW-Authenticate": "Basic"})
        if kind == "messages":
            return self._messages_route(method, ident, request)
        if kind == "webhooks":
            return self._webhooks_route(method, ident, request)
        return _error(405, "Method Not Allowed")

    # -- messages -------------------------------------------------------------------------------
    def _messages_route(self, method: str, ident: str | None, request: RecordedRequest) -> Result:
        if ident is None:
            return self._send(request) if method == "POST" else _error(405, "Method Not Allowed")
        with self._lock:
            message = self._messages.get(ident)
            if message is None:
                return _error(404, "message not found")
            if method == "GET":
                return 200, message.state_json(), 0.0, {}
            if method != "DELETE":
                return _error(405, "Method Not Allowed")
            if message.state != "Pending":
                return _error(409, f"message is {message.state}: it cannot be cancelled")
            message.state = "Cancelled"
            message.states["Cancelled"] = iso_now()
            return 204, None, 0.0, {}

    def _send(self, request: RecordedRequest) -> Result:
        try:
            body = json.loads(request.body or "null")
        except ValueError:
            return _error(400, "invalid JSON")
        problem = self._invalid(body, request.query.get("skipPhoneValidation") == "true")
        if problem:
            return _error(400, problem)
        with self._lock:
            ident = body.get("id") or secrets.token_urlsafe(16)[:21]
            if ident in self._messages:
                return _error(409, "message with the same ID already exists")
            now = iso_now()
            message = StoredMessage(
                ident, body, "Pending", self.device_id, time.time(), now, {"Pending": now}
            )
            self._messages[ident] = message
            hold = self._hang.popleft() if self._hang else 0.0
            self._lock.notify_all()
            location = f"{BASE_PATH}/messages/{ident}"
            return 202, message.state_json(), hold, {"Location": location}

    @staticmethod
    def _invalid(body: Any, skip_phone_validation: bool) -> str | None:
        """What the server's validation would refuse in a send, or None."""
        if not isinstance(body, dict):
            return "body must be a JSON object"
        contents = [k for k in ("textMessage", "dataMessage", "message") if body.get(k) is not None]
        numbers = body.get("phoneNumbers")
        checks = [
            (len(contents) != 1, "exactly one of textMessage, dataMessage or message is required"),
            (
                "textMessage" in contents
                and not (isinstance(body["textMessage"], dict) and body["textMessage"].get("text")),
                "textMessage.text is required",
            ),
            (
                not isinstance(numbers, list)
                or not 1 <= len(numbers) <= 100
                or not all(isinstance(n, str) and 1 <= len(n) <= 128 for n in numbers),
                "phoneNumbers: 1 to 100 numbers are required",
            ),
            (
                body.get("ttl") is not None and body.get("validUntil") is not None,
                "ttl and validUntil are mutually exclusive",
            ),
            (len(str(body.get("id") or "")) > 36, "id: at most 36 characters"),
            (body.get("simNumber") not in (None, 1, 2, 3), "simNumber must be 1 to 3"),
            (
                not isinstance(body.get("priority", 0), int)
                or not -128 <= body.get("priority", 0) <= 127,
                "priority must be -128 to 127",
            ),
            (
                body.get("ttl") is not None
                and (not isinstance(body["ttl"], int) or body["ttl"] < 0),
                "ttl must be a number of seconds",
            ),
        ]
        for failed, message in checks:
            if failed:
                return message
        if body.get("validUntil") is not None:
            try:
                datetime.fromisoformat(str(body["validUntil"]))
            except ValueError:
                return "validUntil must be an RFC 3339 time"
        if not (body.get("isEncrypted") or skip_phone_validation):
            bad = [n for n in numbers or () if not E164.match(n)]
            if bad:
                return f"invalid phone number: {bad[0]}"
        return None

    # -- webhooks -------------------------------------------------------------------------------
    def _webhooks_route(self, method: str, ident: str | None, request: RecordedRequest) -> Result:
        if ident is not None:
            if method != "DELETE":
                return _error(405, "Method Not Allowed")
            with self._lock:
                self._webhooks.pop(ident, None)
            return 204, None, 0.0, {}
        if method == "GET":
            with self._lock:
                return 200, [dict(w) for w in self._webhooks.values()], 0.0, {}
        if method != "POST":
            return _error(405, "Method Not Allowed")
        try:
            body = json.loads(request.body or "null")
        except ValueError:
            return _error(400, "invalid JSON")
        if not isinstance(body, dict) or body.get("event") not in EVENTS:
            return _error(400, "event: one of " + ", ".join(sorted(EVENTS)))
        url = body.get("url")
        if not isinstance(url, str) or not _webhook_url_allowed(url):
            return _error(400, "url: https, or http on the loopback address, is required")
        webhook = {"id": body.get("id") or secrets.token_urlsafe(16)[:21], "url": url}
        webhook["event"] = body["event"]
        if body.get("deviceId"):
            webhook["deviceId"] = body["deviceId"]
        with self._lock:
            self._webhooks[webhook["id"]] = webhook  # a known id is replaced, as the server does
        return 201, dict(webhook), 0.0, {}


def _webhook_url_allowed(url: str) -> bool:
    """HTTPS, or plain HTTP to the loopback address (as SMSGate allows)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")
