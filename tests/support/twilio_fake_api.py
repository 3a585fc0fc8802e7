"""The HTTP side of tests/support/twilio_fake.py: Twilio's Messages API (routes, resources, paging).

/2010-04-01/Accounts/{AccountSid}/Messages.json (POST create, GET list) and .../Messages/{Sid}.json
(GET fetch, POST update, DELETE), with Basic auth and Twilio's error JSON. `MessagesApi` holds the
state; `twilio_fake.TwilioFake` adds the server's lifecycle, fault injection and webhooks.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import secrets
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.support.fake_server import FakeHTTPServer

API_VERSION = "2010-04-01"
ROUTE = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages(?:/(?P<sid>[^/]+))?\.json$")
E164 = re.compile(r"^(?:[a-z]+:)?\+[1-9]\d{6,14}$")
ERRORS = {
    20003: "Authenticate",
    20004: "Method not allowed",
    20429: "Too Many Requests",
    20404: "The requested resource was not found",
    20500: "Internal Server Error",
    21211: "Invalid 'To' Phone Number",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
}
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
# HTTP status, JSON payload (None: no body), seconds to hold the reply
Result = tuple[int, Any, float]


def segments(body: str) -> int:
    """SMS parts: GSM-7 160 (153 per part, extension characters count twice), else UCS-2 70 (67)."""
    if set(body) <= GSM7 | GSM7_EXTENSION:
        units, single, multi = len(body) + sum(c in GSM7_EXTENSION for c in body), 160, 153
    else:
        units, single, multi = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / multi)


def rfc2822(value: datetime | None) -> str | None:
    return None if value is None else format_datetime(value)  # "Fri, 24 May 2019 17:44:46 +0000"


@dataclass
class Message:
    """An accepted message. `server.messages` returns copies; `deleted` ones stay listed there."""

    sid: str
    account_sid: str
    to: str
    from_: str | None
    body: str
    messaging_service_sid: str | None
    status_callback: str | None
    validity_period: int | None
    status: str
    received_at: float  # time.time() when the create arrived
    date_created: datetime
    date_updated: datetime
    date_sent: datetime | None = None
    error_code: int | None = None
    deleted: bool = False
    params: dict[str, str] = field(default_factory=dict)  # the create's form, as sent


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]
    at: float
    status: int | None = None  # the HTTP status answered (None while still being handled)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the client's requests.Session expects
    disable_nagle_algorithm = True  # else headers and body, written apart, wait 40 ms for an ACK
    server: FakeHTTPServer

    def log_message(self, *args: Any) -> None:  # quiet, please
        pass

    def _serve(self, method: str) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        status, payload, hold = fake._handle(method, self.path, raw, self.headers)
        if hold:
            fake._stopping.wait(hold)  # stop() releases held replies at once
        body = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="Twilio API"')
        self.send_header("Twilio-Request-Id", "RQ" + uuid.uuid4().hex)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def do_PUT(self) -> None:
        self._serve("PUT")


class MessagesApi:
    """The API's state and request handling; faults apply to creates only."""

    def __init__(self, account_sid: str | None, auth_token: str | None) -> None:
        self.account_sid = account_sid or "AC" + uuid.uuid4().hex
        self.auth_token = auth_token or uuid.uuid4().hex
        self.latency = 0.0  # seconds before answering every create
        self.errors: list[BaseException] = []  # exceptions raised while serving (bugs)
        self._lock = threading.Condition()
        self._stopping = threading.Event()
        self._messages: list[Message] = []
        self._by_sid: dict[str, Message] = {}
        self._counts: Counter[tuple[str, str]] = Counter()
        self._requests: list[RecordedRequest] = []
        self._fail_next: deque[tuple[int, int, str | None]] = deque()
        self._fail_for: dict[str, tuple[int, int, str | None]] = {}
        self._hang: deque[float] = deque()

    def _handle(self, method: str, target: str, raw: str, headers: Any) -> Result:
        parts = urlsplit(target)
        record = RecordedRequest(
            method,
            parts.path,
            dict(parse_qsl(parts.query, True)),
            dict(parse_qsl(raw, True)),
            dict(headers.items()),
            time.time(),
        )
        with self._lock:
            self._requests.append(record)
        try:
            result = self._route(method, record)
        except Exception as error:  # a bug here must not hang the client
            self.errors.append(error)
            result = self._error(20500, 500)
        record.status = result[0]
        return result

    def _error(self, code: int, http_status: int, message: str | None = None) -> Result:
        return (
            http_status,
            {
                "code": code,
                "message": message or ERRORS.get(code, "Error"),
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": http_status,
            },
            0.0,
        )

    def _not_found(self, path: str) -> Result:
        return self._error(20404, 404, f"The requested resource {path} was not found")

    def _authorized(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return scheme == "Basic" and secrets.compare_digest(
            f"{user}:{password}".encode(), f"{self.account_sid}:{self.auth_token}".encode()
        )

    def _route(self, method: str, request: RecordedRequest) -> Result:
        match = ROUTE.match(request.path)
        auth = next((v for k, v in request.headers.items() if k.lower() == "authorization"), "")
        if not self._authorized(auth) or (match and match["account"] != self.account_sid):
            return self._error(20003, 401)
        if not match:
            return self._not_found(request.path)
        if match["sid"] is None:
            if method in ("POST", "GET"):
                return self._create(request.form) if method == "POST" else self._list(request.query)
            return self._error(20004, 405)
        with self._lock:
            message = self._by_sid.get(match["sid"])
            if message is None or message.deleted:
                return self._not_found(request.path)
            if method == "DELETE":
                message.deleted = True
                return 204, None, 0.0
            if method == "POST":  # update: redact the body, or cancel a scheduled message
                message.body = request.form.get("Body", message.body)
                message.status = "canceled" if request.form.get("Status") else message.status
            elif method != "GET":
                return self._error(20004, 405)
            return 200, self._resource(message), 0.0

    def _create(self, form: dict[str, str]) -> Result:
        if self.latency:
            self._stopping.wait(self.latency)
        to, body, sender = form.get("To", ""), form.get("Body", ""), form.get("From")
        service = form.get("MessagingServiceSid")
        with self._lock:
            fault = self._fail_next.popleft() if self._fail_next else self._fail_for.get(to)
        if fault:
            return self._error(*fault)
        if not to:
            return self._error(21604, 400)
        if not E164.match(to):
            return self._error(21211, 400, f"The 'To' number {to} is not a valid phone number.")
        if not (sender or service):
            return self._error(21603, 400)
        if not (body or form.get("MediaUrl") or form.get("ContentSid")):
            return self._error(21602, 400)
        if len(body) > 1600:
            return self._error(21617, 400)
        now = datetime.now(UTC).replace(microsecond=0)
        validity = form.get("ValidityPeriod")
        message = Message(
            "SM" + uuid.uuid4().hex,
            self.account_sid,
            to,
            sender,
            body,
            service,
            form.get("StatusCallback"),
            int(validity) if validity else None,
            "accepted" if service else "queued",
            time.time(),
            now,
            now,
            params=dict(form),
        )
        with self._lock:
            self._messages.append(message)
            self._by_sid[message.sid] = message
            self._counts[(to, body)] += 1
            hold = self._hang.popleft() if self._hang else 0.0
            self._lock.notify_all()
            return 201, self._resource(message), hold

    def _list(self, query: dict[str, str]) -> Result:
        size, page = max(1, min(1000, int(query.get("PageSize", 50)))), int(query.get("Page", 0))
        filters = {
            k: v
            for k, v in query.items()
            if k in ("To", "From", "DateSent", "DateSent<", "DateSent>")
        }
        with self._lock:
            found = [m for m in reversed(self._messages) if self._matches(m, filters)]
            token, start = query.get("PageToken", ""), page * size
            sids = [m.sid for m in found]
            if token.startswith("PA") and token[2:] in sids:  # keyset: after the last one seen
                start = sids.index(token[2:]) + 1
            chunk = [self._resource(m) for m in found[start : start + size]]

        def link(number: int, token: str | None = None) -> str:
            args = {**filters, "PageSize": size, "Page": number}
            if token:
                args["PageToken"] = token
            return f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json?{urlencode(args)}"

        more = start + size < len(found)
        return (
            200,
            {
                "first_page_uri": link(0),
                "uri": link(page, token or None),
                "page": page,
                "page_size": size,
                "start": start,
                "end": start + max(len(chunk) - 1, 0),
                "previous_page_uri": link(page - 1) if page > 0 else None,
                "next_page_uri": link(page + 1, "PA" + chunk[-1]["sid"]) if more else None,
                "messages": chunk,
            },
            0.0,
        )

    @staticmethod
    def _matches(message: Message, filters: dict[str, str]) -> bool:
        """To/From exact. DateSent (the day), DateSent< and DateSent> (inclusive; to the second
        when given ...THH:MM:SSZ, as the client sends datetimes) test date_sent, or date_created
        while the message is unsent (Twilio sends within seconds)."""
        if message.deleted or any(
            filters.get(k, v) != v for k, v in (("To", message.to), ("From", message.from_))
        ):
            return False
        when = message.date_sent or message.date_created
        for key, value in filters.items():
            if key.startswith("DateSent"):
                short = key == "DateSent" or len(value) == 10
                value = value[:10] if short else value
                low = datetime.strptime(value, "%Y-%m-%d" if short else "%Y-%m-%dT%H:%M:%SZ")
                low = low.replace(tzinfo=UTC)
                high = low + (timedelta(days=1) if short else timedelta(seconds=1))
                if (key != "DateSent>" and when >= high) or (key != "DateSent<" and when < low):
                    return False
        return True

    def _resource(self, m: Message) -> dict[str, Any]:
        uri = f"/{API_VERSION}/Accounts/{m.account_sid}/Messages/{m.sid}"
        return {
            "account_sid": m.account_sid,
            "api_version": API_VERSION,
            "body": m.body,
            "date_created": rfc2822(m.date_created),
            "date_sent": rfc2822(m.date_sent),
            "date_updated": rfc2822(m.date_updated),
            "direction": "outbound-api",
            "error_code": m.error_code,
            "error_message": ERRORS.get(m.error_code or 0) if m.error_code else None,
            "from": m.from_,
            "messaging_service_sid": m.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(segments(m.body)),
            "price": None,
            "price_unit": "USD",
            "sid": m.sid,
            "status": m.status,
            "subresource_uris": {"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"},
            "to": m.to,
            "uri": f"{uri}.json",
        }
