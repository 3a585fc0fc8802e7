"""An SMSGate (SMS Gateway for Android) relay for tests: the real `android_sms_gateway` client talks
to it as is.

    with SMSGateFake(signing_key="k", passphrase=None) as fake:
        client = fake.client()  # an APIClient pointed here, with a request timeout
        state = client.send(Message(phone_numbers=["+8801711000000"],
                                    text_message=TextMessage(text="hi"), id="harc-1-1"))
        fake.sent[0].text == "hi"
        fake.add_webhook("https://harc.example/webhooks/smsgate", "sms:delivered")
        fake.advance("harc-1-1", "Delivered")  # state Delivered + a signed sms:delivered POST

The API lives in smsgate_fake_app.py (under /3rdparty/v1), the phone in smsgate_fake_phone.py.
Webhook POSTs go through `fake.deliver(url, body_bytes, headers) -> status`: by default a real
HTTP POST; for a Flask test client, `fake.deliver = flask_deliverer(client)`. Signed as the app
signs them: X-Signature = hex HMAC-SHA256(signing_key, raw body + X-Timestamp), X-Timestamp in Unix
seconds.
Faults: `fail_next(n, status, on=...)`, `accept_then_hang(n, seconds)`, `latency` (seconds, every
API request). Encrypted sends are decrypted with `passphrase` when the test reads `sent`.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.fake_server import FakeHTTPServer, ServedFake
from tests.support.smsgate_fake_app import BASE_PATH, Fault, RecordedRequest
from tests.support.smsgate_fake_phone import Delivery, Phone, SentMessage, flask_deliverer

__all__ = [
    "Delivery",
    "RecordedRequest",
    "SMSGateFake",
    "SentMessage",
    "flask_deliverer",
    "smsgate_config",
]


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


class SMSGateFake(ServedFake, Phone):
    """The relay and its phone: start()/stop() or a `with` block; see the module docstring."""

    thread_name = "smsgate-fake"

    def __init__(
        self,
        username: str | None = None,
        password: str | None = None,
        signing_key: str | None = None,
        passphrase: str | None = None,
        phone_number: str = "+8801900000001",
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(username, password, signing_key, passphrase, phone_number)
        self.host = host
        self._httpd: FakeHTTPServer | None = None

    @property
    def base_url(self) -> str:
        """The API's base URL (`.../3rdparty/v1`), as SMSGATE_API_URL takes it."""
        return self._origin() + BASE_PATH

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

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every API request as the relay saw it (raw bodies: encrypted ones stay so)."""
        with self._lock:
            return list(self._requests)

    def arrivals(self) -> list[float]:
        """When each accepted send arrived (time.time()), in order; cheap: nothing is decrypted."""
        with self._lock:
            return [m.received_at for m in self._messages.values()]

    def wait_for_messages(self, n: int, timeout: float = 5.0) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: len(self._messages) >= n, timeout)

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


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the client's requests.Session expects
    disable_nagle_algorithm = True
    server: FakeHTTPServer

    def log_message(self, *args: Any) -> None:  # quiet, please
        pass

    def _serve(self, method: str) -> None:
        api = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        status, payload, hold, headers = api._handle(method, self.path, raw, self.headers)
        if hold:
            api._stopping.wait(hold)  # stop() releases held replies at once
        body = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        for name, value in headers.items():
            self.send_header(name, value)
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

    def do_PATCH(self) -> None:
        self._serve("PATCH")


SMSGateFake.handler = _Handler  # defined after the fake, which its type hints name
