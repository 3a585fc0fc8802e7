"""SMS gateways: Twilio (the only file that imports twilio) and the console (development).

A gateway answers with small typed results; no twilio or requests type leaves this module, and no
phone number reaches a log (only the masked form).
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol
from urllib.parse import unquote_plus

from flask import Flask

from core.logging import mask_phone, mask_phones

log = logging.getLogger(__name__)

SendOutcome = Literal["sent", "not_sent", "transient", "permanent", "unknown", "account"]
# Twilio errors that concern the whole account or its sender, not one message: pausing dispatch
# beats failing every message. 20003 authenticate (bad SID/token), 20005 account not active (no
# funds, trial not activated), 10001 account is not active (suspended), 21606 / 21212 the From
# number cannot send (sender configuration), 30002 account suspended (reported by a callback).
ACCOUNT_ERROR_CODES = frozenset({20003, 20005, 10001, 21606, 21212, 30002})
# Invalid 'To' number, not a mobile number: the number will never work.
UNUSABLE_NUMBER_CODES = frozenset({21211, 21614})
UNSUBSCRIBED_CODE = 21610
TRANSIENT_CODES = frozenset({20429, 21611})  # too many requests; sender queue full
# Twilio statuses that mean "the provider has it" for us (CONTRACT.md: all mean `sent`).
PROVIDER_STATUS = {
    "queued": "sent",
    "accepted": "sent",
    "scheduled": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}


@dataclass(frozen=True)
class SendResult:
    """What became of one send. `not_sent`: the request never left (safe to retry);
    `unknown`: it left but no answer came (the provider may have it)."""

    outcome: SendOutcome
    sid: str | None = None
    status: str | None = None  # our status for a `sent` outcome (sent, or later ones)
    code: int | None = None
    message: str | None = None  # masked: no phone number
    http_status: int | None = None


@dataclass(frozen=True)
class LookupResult:
    """A provider-side search for a message whose send ended `unknown`."""

    outcome: Literal["found", "not_found", "error"]
    sid: str | None = None
    status: str | None = None  # our status (sent, delivered, undelivered, failed)
    message: str | None = None


class Gateway(Protocol):
    """What the dispatcher needs from an SMS provider."""

    name: str

    def send(self, to: str, body: str, callback_url: str | None, *, kind: str = "") -> SendResult:
        """Send one SMS (`kind` is for the log only); never raises."""
        ...

    def lookup(self, to: str, body: str, since: datetime, until: datetime) -> LookupResult:
        """Find a message to `to` with this body created in [since, until]; never raises."""
        ...

    def delete(self, sid: str) -> bool:
        """Delete a message (and its body) at the provider; True when gone."""
        ...


class ConsoleGateway:
    """Development: logs the masked number and the kind; the outbox row keeps the text."""

    name = "console"

    def send(self, to: str, body: str, callback_url: str | None, *, kind: str = "") -> SendResult:
        """Pretend to send: nothing leaves the machine."""
        log.info("console SMS to %s (%s, %d characters)", mask_phone(to), kind or "sms", len(body))
        return SendResult("sent", sid=f"console-{uuid.uuid4().hex}", status="sent")

    def lookup(self, to: str, body: str, since: datetime, until: datetime) -> LookupResult:
        """The console never leaves a send unknown; nothing to find."""
        return LookupResult("not_found")

    def delete(self, sid: str) -> bool:
        """Nothing is kept anywhere but in the outbox."""
        return True


class _MaskEncodedPhones(logging.Filter):
    """Masks numbers inside URLs too ("To=%2B8801711…"), which the app-wide mask cannot see."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        decoded = unquote_plus(message)
        if decoded != message:
            record.msg, record.args = mask_phones(decoded), None
        return True


_MASK = _MaskEncodedPhones()
_NOISY = ("twilio", "twilio.http_client", "urllib3", "urllib3.connectionpool")


def _quiet_loggers() -> None:
    """The twilio client logs request parameters (numbers) at INFO, urllib3 logs URLs with the
    lookup's `To=` query at DEBUG: hold both at WARNING whatever the root level is, and should
    someone lower them, mask URL-encoded numbers in what they write."""
    for name in _NOISY:
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        if _MASK not in logger.filters:
            logger.addFilter(_MASK)


class TwilioGateway:
    """The real twilio client, one per sending thread (requests sessions are not shared)."""

    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        base_url: str | None = None,
        timeout: float = 10.0,
        validity_period: int | None = 4 * 3600,
    ) -> None:
        self.account_sid, self._auth_token = account_sid, auth_token
        self.from_number, self.messaging_service_sid = from_number, messaging_service_sid
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout, self.validity_period = timeout, validity_period
        self._local = threading.local()
        _quiet_loggers()

    def _client(self):
        client = getattr(self._local, "client", None)
        if client is None:
            from twilio.http.http_client import TwilioHttpClient
            from twilio.rest import Client

            # The default TwilioHttpClient waits forever: give it our timeout.
            http = TwilioHttpClient(timeout=self.timeout)
            kwargs = {}
            if self.base_url:
                # A non-empty environment: with none the client reads TWILIO_REGION/TWILIO_EDGE
                # from os.environ, which would rewrite a local host name.
                kwargs["environment"] = {"HARC_TWILIO_BASE_URL": self.base_url}
            client = Client(self.account_sid, self._auth_token, http_client=http, **kwargs)
            if self.base_url:
                client.api.base_url = self.base_url
            self._local.client = client
        return client

    def send(self, to: str, body: str, callback_url: str | None, *, kind: str = "") -> SendResult:
        """POST one message; every failure is mapped to a SendResult."""
        args: dict = {"to": to, "body": body}
        if self.messaging_service_sid:
            args["messaging_service_sid"] = self.messaging_service_sid
        else:
            args["from_"] = self.from_number
        if callback_url:
            args["status_callback"] = callback_url
        if self.validity_period:
            args["validity_period"] = int(self.validity_period)
        try:
            message = self._client().messages.create(**args)
        except Exception as exc:
            return _map_exception(exc)
        status = PROVIDER_STATUS.get(message.status or "queued", "sent")
        return SendResult("sent", sid=message.sid, status=status)

    def lookup(self, to: str, body: str, since: datetime, until: datetime) -> LookupResult:
        """Search the messages to `to`, newest first, for our body created within the window.

        Twilio keeps no client reference, so the match is To + Body + date_created. The list is
        filtered by To only: its DateSent filters test `date_sent`, which stays empty while a
        message waits in Twilio's queue, so a date filter could miss the very message we seek.
        """
        try:
            for message in self._client().messages.stream(to=to, page_size=50):
                created = message.date_created
                if created is None:
                    continue
                if created < since - timedelta(seconds=60):
                    break  # newest first: everything further is older still
                if created <= until + timedelta(seconds=60) and message.body == body:
                    status = PROVIDER_STATUS.get(message.status or "queued", "sent")
                    return LookupResult("found", sid=message.sid, status=status)
        except Exception as exc:
            return LookupResult("error", message=_describe(exc))
        return LookupResult("not_found")

    def delete(self, sid: str) -> bool:
        """Delete a message at Twilio (retention); a message already gone counts as deleted."""
        try:
            return bool(self._client().messages(sid).delete())
        except Exception as exc:
            from twilio.base.exceptions import TwilioRestException

            if isinstance(exc, TwilioRestException) and exc.status == 404:
                return True
            log.warning("twilio delete of %s failed: %s", sid, _describe(exc))
            return False


def _describe(exc: BaseException) -> str:
    """A loggable description: the type and, for Twilio errors, the masked message."""
    from twilio.base.exceptions import TwilioRestException

    if isinstance(exc, TwilioRestException):
        return f"{exc.status} {exc.code}: {mask_phones(str(exc.msg or ''))}"[:200]
    return type(exc).__name__


def _request_never_left(exc: BaseException) -> bool:
    """A connect timeout or a refused/unresolvable connection: nothing reached the provider."""
    import requests
    from urllib3.exceptions import NameResolutionError, NewConnectionError

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", reason)
        return isinstance(inner, NewConnectionError | NameResolutionError | ConnectionRefusedError)
    return False


def _map_exception(exc: BaseException) -> SendResult:
    """Twilio's errors and the transport's failures as one SendResult (see module docstring)."""
    import requests
    from twilio.base.exceptions import TwilioRestException

    if isinstance(exc, TwilioRestException):
        code, status = exc.code, exc.status
        text = mask_phones(str(exc.msg or ""))[:200]
        if code in ACCOUNT_ERROR_CODES or (status in (401, 403) and code is None):
            outcome: SendOutcome = "account"
        elif status == 429 or code in TRANSIENT_CODES or status >= 500:
            outcome = "transient"
        else:
            outcome = "permanent"
        return SendResult(outcome, code=code, message=text, http_status=status)
    if _request_never_left(exc):
        return SendResult("not_sent", message=type(exc).__name__)
    if isinstance(exc, requests.exceptions.RequestException):
        # A read timeout or a connection dropped after the request was written: it may have
        # arrived. The dispatcher must not send again until a callback or a lookup tells.
        return SendResult("unknown", message=type(exc).__name__)
    log.error("unexpected error from the twilio client: %s", type(exc).__name__)
    return SendResult("unknown", message=type(exc).__name__)


def signature_valid(auth_token: str, url: str, params: dict[str, str], signature: str) -> bool:
    """Whether `signature` is Twilio's X-Twilio-Signature for this URL and form."""
    from twilio.request_validator import RequestValidator

    return bool(signature) and RequestValidator(auth_token).validate(url, params, signature)


_lock = threading.Lock()


def get_gateway(app: Flask) -> Gateway:
    """The app's gateway, built once on first use (never at import time)."""
    with _lock:
        gateway = app.extensions.get("harc_sms_gateway")
        if gateway is None:
            gateway = build_gateway(app.config)
            app.extensions["harc_sms_gateway"] = gateway
    return gateway


def build_gateway(config) -> Gateway:
    """A gateway from the config: SMS_BACKEND `twilio` or `console`."""
    from notifications.engine.settings import DEFAULTS

    if config.get("SMS_BACKEND") != "twilio":
        return ConsoleGateway()

    def number(name: str) -> float:
        value = config.get(name)
        if value in (None, ""):
            import os

            value = os.environ.get(name) or DEFAULTS[name]
        return float(value)

    return TwilioGateway(
        config["TWILIO_ACCOUNT_SID"],
        config["TWILIO_AUTH_TOKEN"],
        from_number=config.get("TWILIO_FROM_NUMBER"),
        messaging_service_sid=config.get("TWILIO_MESSAGING_SERVICE_SID"),
        base_url=config.get("TWILIO_API_BASE_URL"),
        timeout=number("SMS_SEND_TIMEOUT"),
        validity_period=int(number("SMS_VALIDITY_PERIOD")) or None,
    )
