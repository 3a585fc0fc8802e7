"""What every gateway answers with, and the seam the dispatcher sends through.

A gateway answers with small typed results; no provider's client type leaves its module, and no
phone number reaches a log (only the masked form).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

SendOutcome = Literal["sent", "not_sent", "transient", "permanent", "unknown", "account"]


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
    status: str | None = None  # our status (sent, delivered, undelivered, failed, cancelled)
    message: str | None = None  # for `failed`: the provider's reason, masked


@dataclass(frozen=True)
class WebhookInfo:
    """One webhook registered at the relay."""

    id: str | None
    url: str
    event: str


@dataclass(frozen=True)
class Health:
    """The relay's answer to GET /health: pass, warn or fail; `error` when it could not be asked."""

    status: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        """Whether the relay (and what it checks) is usable."""
        return self.status in ("pass", "warn")


class Gateway(Protocol):
    """What the dispatcher needs from an SMS provider."""

    name: str

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
        """Send one SMS (`kind` for the log, `reference` our attempt's id); never raises."""
        ...

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
        """Find the message of an `unknown` send (by our id where kept); never raises."""
        ...

    def delete(self, sid: str) -> bool:
        """Delete a message (and its body) at the provider; True when gone."""
        ...


def request_never_left(exc: BaseException) -> bool:
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
