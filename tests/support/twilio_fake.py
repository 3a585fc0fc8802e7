"""A Twilio-compatible Messages API server for tests: the real `twilio` client talks to it as is.

    with TwilioFake() as fake:
        client = fake.client()  # or: Client(fake.account_sid, fake.auth_token)
        #                             client.api.base_url = fake.base_url
        client.messages.create(to="+8801711000000", from_=fake.phone_number, body="hi")
        assert fake.count("+8801711000000", "hi") == 1

Speaks /2010-04-01/Accounts/{AccountSid}/Messages.json (create, list) and .../Messages/{Sid}.json
(fetch, update, delete) with Basic auth, Twilio's error JSON and paging. Faults (`fail_next`,
`fail_for`, `latency`, `accept_then_hang`) apply to creates only. Status callbacks and inbound
webhooks are signed like Twilio's (X-Twilio-Signature, HMAC-SHA1 with the auth token).
"""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from twilio.request_validator import RequestValidator

from tests.support.fake_server import FakeHTTPServer, ServedFake
from tests.support.twilio_fake_api import (
    API_VERSION,
    Message,
    MessagesApi,
    RecordedRequest,
    _Handler,
    segments,
)

__all__ = ["Message", "RecordedRequest", "TwilioFake", "segments"]


class TwilioFake(ServedFake, MessagesApi):
    """The server: start()/stop() or a `with` block; see the module docstring."""

    handler = _Handler
    thread_name = "twilio-fake"

    def __init__(
        self,
        account_sid: str | None = None,
        auth_token: str | None = None,
        phone_number: str = "+15005550006",
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(account_sid, auth_token)
        self.phone_number = phone_number  # To of inbound SMS; From of service-sent callbacks
        self.host = host
        self.callbacks: list[tuple[str, dict[str, str], int]] = []  # (url, params, HTTP status)
        self._httpd: FakeHTTPServer | None = None

    @property
    def base_url(self) -> str:
        return self._origin()

    def client(self, timeout: float | None = None, auth_token: str | None = None) -> Any:
        """A real twilio Client pointed here (its own TwilioHttpClient, `timeout` in seconds)."""
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        # A non-empty `environment`: with {} the client reads os.environ, whose TWILIO_REGION or
        # TWILIO_EDGE would rewrite 127.0.0.1 into 127.<region>.0.1.
        client = Client(
            self.account_sid,
            auth_token or self.auth_token,
            http_client=TwilioHttpClient(timeout=timeout),
            environment={"TWILIO_FAKE": "1"},
        )
        client.api.base_url = self.base_url
        return client

    # -- what the tests read ------------------------------------------------------------------
    @property
    def messages(self) -> list[Message]:
        with self._lock:
            return [replace(m, params=dict(m.params)) for m in self._messages]

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def count(self, to: str, body: str) -> int:
        with self._lock:
            return self._counts[(to, body)]

    def counts(self) -> Counter[tuple[str, str]]:
        with self._lock:
            return Counter(self._counts)

    def wait_for_messages(self, n: int, timeout: float = 5.0) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: len(self._messages) >= n, timeout)

    # -- faults ---------------------------------------------------------------------------------
    def fail_next(
        self, n: int = 1, code: int = 20429, http_status: int = 429, message: str | None = None
    ) -> None:
        with self._lock:
            self._fail_next.extend([(code, http_status, message)] * n)

    def fail_for(
        self, to: str, code: int = 21211, http_status: int = 400, message: str | None = None
    ) -> None:
        with self._lock:
            self._fail_for[to] = (code, http_status, message)

    def accept_then_hang(self, n: int = 1, seconds: float = 30.0) -> None:
        with self._lock:
            self._hang.extend([seconds] * n)

    def clear_faults(self) -> None:
        with self._lock:
            self._fail_next.clear()
            self._fail_for.clear()
            self._hang.clear()
            self.latency = 0.0

    # -- webhooks -------------------------------------------------------------------------------
    def send_status_callback(
        self, sid: str, status: str, error_code: int | None = None, url: str | None = None
    ) -> int:
        """POST a signed status callback to the message's StatusCallback (or `url`)."""
        message, params = self._status_params(sid, status, error_code)
        target = url or message.status_callback
        if not target or urlsplit(target).scheme not in ("http", "https"):
            raise ValueError(f"no http(s) StatusCallback for {sid}: {target!r}")
        headers = self._signed(target, params)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(target, urlencode(params).encode(), headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                status_code = response.status
        except urllib.error.HTTPError as error:
            status_code = error.code
        with self._lock:
            self.callbacks.append((target, params, status_code))
        return status_code

    def callback_request(
        self, sid: str, status: str, error_code: int | None = None, public_url: str | None = None
    ) -> tuple[str, dict[str, str], dict]:
        """(path?query, params, headers) for `flask_client.post(path, data=params, headers=...)`.

        The signature covers `public_url`: a full URL; or a bare base URL ("https://host", no
        path), to which the StatusCallback's path and query are appended; or, when None, the
        StatusCallback URL itself.
        """
        message, params = self._status_params(sid, status, error_code)
        callback = message.status_callback or public_url
        if not callback:
            raise ValueError(f"{sid} has no StatusCallback: pass public_url")
        parts = urlsplit(callback)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        url = public_url or callback
        if public_url and urlsplit(public_url).path in ("", "/"):
            url = public_url.rstrip("/") + path
        return path, params, self._signed(url, params)

    def inbound_request(
        self, public_url: str, from_: str, body: str, to: str | None = None, **extra: str
    ) -> tuple[str, dict[str, str], dict]:
        """(path?query, params, headers) of an inbound SMS webhook signed over `public_url`."""
        sid = "SM" + uuid.uuid4().hex
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "SmsMessageSid": sid,
            "AccountSid": self.account_sid,
            "From": from_,
            "To": to or self.phone_number,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": str(segments(body)),
            "SmsStatus": "received",
            "ApiVersion": API_VERSION,
            **extra,
        }
        parts = urlsplit(public_url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return path, params, self._signed(public_url, params)

    def _signed(self, url: str, params: dict[str, str]) -> dict[str, str]:
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        return {
            "X-Twilio-Signature": signature,
            "User-Agent": "TwilioProxy/1.1",
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
        }

    def _status_params(self, sid: str, status: str, error_code: int | None) -> tuple[Message, dict]:
        now = datetime.now(UTC).replace(microsecond=0)
        with self._lock:
            message = self._by_sid[sid]
            message.status, message.date_updated = status, now
            if status in ("sent", "delivered", "undelivered") and message.date_sent is None:
                message.date_sent = now
            if error_code is not None:
                message.error_code = error_code
            params = {
                "MessageSid": sid,
                "SmsSid": sid,
                "MessageStatus": status,
                "SmsStatus": status,
                "AccountSid": self.account_sid,
                "To": message.to,
                "From": message.from_ or self.phone_number,
                "ApiVersion": API_VERSION,
            }
            if message.messaging_service_sid:
                params["MessagingServiceSid"] = message.messaging_service_sid
            if error_code is not None:
                params["ErrorCode"] = str(error_code)
            return replace(message), params
