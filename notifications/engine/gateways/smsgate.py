"""SMS Gateway for Android (SMSGate): a phone with a local SIM, reached through its cloud relay, a
private relay or the phone's own API (the only module that imports `android_sms_gateway`).

Each attempt is sent with OUR id (`reference`), so a send whose answer was lost is resolved
exactly by `get_state(reference)`. No client type leaves this module and no phone number reaches
a log: the relay's error texts are masked before they are kept.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

import requests
from android_sms_gateway import APIClient, Encryptor, domain, errors
from android_sms_gateway.encryption import BaseEncryptor
from android_sms_gateway.enums import ProcessState, WebhookEvent
from android_sms_gateway.http import RequestsHttpClient

from core.logging import mask_phones
from notifications.engine.gateways.base import (
    Health,
    LookupResult,
    SendOutcome,
    SendResult,
    WebhookInfo,
    request_never_left,
)

log = logging.getLogger(__name__)

# SMSGate's states as ours (issue 12): Cancelling may still go out, so it is `sent` until it ends.
STATES = {
    ProcessState.Pending: "sent",
    ProcessState.Processed: "sent",
    ProcessState.Sent: "sent",
    ProcessState.Cancelling: "sent",
    ProcessState.Delivered: "delivered",
    ProcessState.Failed: "failed",
    ProcessState.Cancelled: "cancelled",
}
WEBHOOK_EVENTS = ("sms:sent", "sms:delivered", "sms:failed", "sms:received", "system:ping")


class SmsGateError(RuntimeError):
    """A webhook request failed at the relay; the message is masked and names the HTTP status."""


class _TimeoutSession(requests.Session):
    """A requests session with a default timeout: the SMSGate client sets none of its own."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        """Send with our timeout unless the caller gave one."""
        kwargs.setdefault("timeout", self._timeout)
        return super().request(method, url, *args, **kwargs)


class _EncryptOnly(BaseEncryptor):
    """The client's Encryptor for what we send; the numbers in its answers are left encrypted.

    We never read them, and each decryption is one more key derivation (75,000 PBKDF2 rounds,
    about 80 ms): a third of an encrypted send's CPU time.
    """

    def __init__(self, passphrase: str) -> None:
        inner = Encryptor(passphrase)
        super().__init__(passphrase, iterations=inner.iterations)
        self._inner = inner

    def encrypt(self, cleartext: str) -> str:
        """Encrypt with the client's own Encryptor."""
        return self._inner.encrypt(cleartext)

    def decrypt(self, encrypted: str) -> str:
        """Leave it as it is (see the class docstring)."""
        return encrypted


class SmsGateGateway:
    """The real `android-sms-gateway` client, one per sending thread (sessions are not shared)."""

    name = "smsgate"
    DEFAULT_URL = "https://api.sms-gate.app/3rdparty/v1"

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        encryption_passphrase: str | None = None,
        sim_number: int | None = None,
        timeout: float = 10.0,
        validity_period: int | None = 4 * 3600,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._username, self._password = username, password
        self._encryptor = _EncryptOnly(encryption_passphrase) if encryption_passphrase else None
        self.encrypted = self._encryptor is not None
        self.sim_number, self.timeout, self.validity_period = sim_number, timeout, validity_period
        self._local = threading.local()

    def _client(self) -> APIClient:
        client = getattr(self._local, "client", None)
        if client is None:
            http = RequestsHttpClient(session=_TimeoutSession(self.timeout))
            client = APIClient(
                self._username,
                self._password,
                base_url=self.base_url,
                encryptor=self._encryptor,
                http=http,
            )
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
        """POST one message with our id, its ttl, the SIM and a delivery report; never raises.

        Status comes back by webhook (registered once, `flask sms webhooks register`), so
        `callback_url` is not sent.
        """
        ttl = valid_for or self.validity_period
        message = domain.Message(
            phone_numbers=[to],
            text_message=domain.TextMessage(text=body),
            sim_number=self.sim_number,
            with_delivery_report=True,
            ttl=int(ttl) if ttl else None,
            id=reference,
        )
        try:
            state = self._client().send(message)
        except Exception as exc:
            return _map_exception(exc)
        return SendResult("sent", sid=state.id, status=STATES.get(state.state, "sent"))

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
        """The state of our attempt by its id (`reference`, else `provider_id`); never guesses."""
        message_id = reference or provider_id
        if not message_id:
            return LookupResult("error", message="no message id to look up")
        try:
            state = self._client().get_state(message_id)
        except errors.NotFoundError:
            return LookupResult("not_found")
        except Exception as exc:
            return LookupResult("error", message=_describe(exc))
        status = STATES.get(state.state, "sent")
        reason = _reason(state) if status == "failed" else None
        return LookupResult("found", sid=state.id, status=status, message=reason)

    def delete(self, sid: str) -> bool:
        """Cancel a message at the relay (retention); gone (404) or past Pending (409) is done."""
        try:
            self._client().cancel_message(sid)
        except requests.exceptions.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in (404, 409):
                return True
            log.warning("smsgate delete of %s failed: HTTP %s", sid, status)
            return False
        except Exception as exc:
            log.warning("smsgate delete of %s failed: %s", sid, _describe(exc))
            return False
        return True

    def list_webhooks(self) -> list[WebhookInfo]:
        """The webhooks registered at the relay; raises SmsGateError when it cannot be asked."""
        try:
            hooks = self._client().get_webhooks()
        except Exception as exc:
            raise SmsGateError(_describe(exc)) from None
        return [WebhookInfo(hook.id, hook.url, hook.event.value) for hook in hooks]

    def register_webhooks(
        self, url: str, events: tuple[str, ...] = WEBHOOK_EVENTS
    ) -> list[WebhookInfo]:
        """Register `url` for each event not already registered to it; returns all of them."""
        existing = {(hook.url, hook.event): hook for hook in self.list_webhooks()}
        result = []
        for event in events:
            hook = existing.get((url, event))
            if hook is None:
                try:
                    made = self._client().create_webhook(
                        domain.Webhook(id=None, url=url, event=WebhookEvent(event))
                    )
                except ValueError:
                    raise SmsGateError(f"unknown webhook event {event!r}") from None
                except Exception as exc:
                    raise SmsGateError(_describe(exc)) from None
                hook = WebhookInfo(made.id, made.url, made.event.value)
            result.append(hook)
        return result

    def health(self) -> Health:
        """GET /health at the relay; never raises."""
        try:
            answer = self._client().health_check()
        except Exception as exc:
            return Health("error", _describe(exc))
        failing = [name for name, check in (answer.checks or {}).items() if _check_failed(check)]
        return Health(answer.status.value, ", ".join(sorted(failing)))


def _check_failed(check: Any) -> bool:
    status = getattr(check, "status", None)
    return getattr(status, "value", status) == "fail"


def _reason(state: Any) -> str | None:
    """A failed message's reason, from its recipient (masked, short)."""
    for recipient in state.recipients or []:
        if recipient.error:
            return mask_phones(str(recipient.error))[:200]
    return None


def _status_of(exc: BaseException) -> int | None:
    if isinstance(exc, errors.APIError):
        return exc.status_code
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def _relay_text(exc: BaseException) -> str:
    """The relay's own error message, masked and short ("" when it gave none)."""
    response = exc.response if isinstance(exc, errors.APIError) else None
    if not isinstance(response, dict):
        return ""
    return mask_phones(str(response.get("message") or response.get("error") or ""))[:200]


def _describe(exc: BaseException) -> str:
    """A loggable description: the HTTP status and the relay's own message, masked."""
    status = _status_of(exc)
    if status is None:
        return type(exc).__name__
    text = _relay_text(exc)
    return f"HTTP {status}: {text}" if text else f"HTTP {status}"


def _map_exception(exc: BaseException) -> SendResult:
    """The relay's errors and the transport's failures as one SendResult, as Twilio's are."""
    status = _status_of(exc)
    if status is not None:
        outcome: SendOutcome
        if status in (401, 403):
            outcome = "account"
        elif status in (408, 429) or status >= 500:
            outcome = "transient"
        elif status == 409:
            # Our id is already at the relay: a send that was lost arrived. Never send it again;
            # the lookup by id tells what became of it.
            outcome = "unknown"
        else:
            outcome = "permanent"
        return SendResult(outcome, message=_relay_text(exc) or None, http_status=status)
    if request_never_left(exc):
        return SendResult("not_sent", message=type(exc).__name__)
    if isinstance(exc, requests.exceptions.RequestException):
        # A read timeout or a connection dropped after the request was written: it may be there.
        return SendResult("unknown", message=type(exc).__name__)
    log.error("unexpected error from the smsgate client: %s", type(exc).__name__)
    return SendResult("unknown", message=type(exc).__name__)
