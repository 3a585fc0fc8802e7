"""The Twilio gateway (the only module that imports twilio).

No twilio or requests type leaves this module, and no phone number reaches a log (only the masked
form).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from urllib.parse import unquote_plus

from core.logging import mask_phones
from notifications.engine.gateways.base import (
    LookupResult,
    SendOutcome,
    SendResult,
    request_never_left,
)

log = logging.getLogger(__name__)

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

    def send(
        self,
        to: str,
        body: str,
        callback_url: str | None,
        *,
        kind: str = "",
        reference: str | None = None,
        valid_for: int | None = None,
    ) -> SendResult:
        """POST one message (Twilio keeps no client reference); every failure is a SendResult."""
        args: dict = {"to": to, "body": body}
        if self.messaging_service_sid:
            args["messaging_service_sid"] = self.messaging_service_sid
        else:
            args["from_"] = self.from_number
        if callback_url:
            args["status_callback"] = callback_url
        validity = valid_for or self.validity_period
        if validity:
            args["validity_period"] = int(validity)
        try:
            message = self._client().messages.create(**args)
        except Exception as exc:
            return _map_exception(exc)
        status = PROVIDER_STATUS.get(message.status or "queued", "sent")
        return SendResult("sent", sid=message.sid, status=status)

    def lookup(
        self,
        to: str,
        body: str,
        since: datetime,
        until: datetime,
        *,
        reference: str | None = None,
        provider_id: str | None = None,
    ) -> LookupResult:
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
    if request_never_left(exc):
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
