"""SMS gateways behind one seam: Twilio, SMS Gateway for Android (SMSGate) and the console.

Each provider's client library is imported by its own module only (twilio.py, smsgate.py). This
package builds the configured gateways in their routing order (`SMS_BACKEND`), and names each
attempt (`attempt_reference`) so a gateway that keeps our id (SMSGate) can be asked about it.
Every old `from notifications.engine.gateways import X` keeps working through the re-exports.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, current_app

from core.config import parse_backends
from notifications.engine.gateways.base import (
    Gateway,
    Health,
    LookupResult,
    SendOutcome,
    SendResult,
    WebhookInfo,
    request_never_left,
)
from notifications.engine.gateways.console import ConsoleGateway
from notifications.engine.gateways.smsgate import WEBHOOK_EVENTS, SmsGateError, SmsGateGateway
from notifications.engine.gateways.twilio import (
    ACCOUNT_ERROR_CODES,
    PROVIDER_STATUS,
    TRANSIENT_CODES,
    UNSUBSCRIBED_CODE,
    UNUSABLE_NUMBER_CODES,
    TwilioGateway,
    signature_valid,
)

__all__ = [
    "ACCOUNT_ERROR_CODES",
    "PROVIDER_STATUS",
    "TRANSIENT_CODES",
    "UNSUBSCRIBED_CODE",
    "UNUSABLE_NUMBER_CODES",
    "WEBHOOK_EVENTS",
    "ConsoleGateway",
    "Gateway",
    "Health",
    "LookupResult",
    "SendOutcome",
    "SendResult",
    "SmsGateError",
    "SmsGateGateway",
    "TwilioGateway",
    "WebhookInfo",
    "attempt_reference",
    "build_gateway",
    "build_gateways",
    "get_gateway",
    "get_gateways",
    "parse_reference",
    "reference_prefix",
    "request_never_left",
    "signature_valid",
]

MAX_REFERENCE = 36  # SMSGate's message id
_REFERENCE = re.compile(r"^([A-Za-z0-9]{1,16})-([1-9][0-9]{0,17})-([1-9][0-9]{0,3})$")


def reference_prefix(config: Mapping[str, Any] | None = None) -> str:
    """The id prefix: SMSGATE_ID_PREFIX, else "harc" + 6 hex of HMAC(SECRET_KEY)."""
    config = current_app.config if config is None else config
    prefix = config.get("SMSGATE_ID_PREFIX")
    if prefix:
        return str(prefix)
    key = str(config.get("SECRET_KEY") or "").encode()
    return "harc" + hmac.new(key, b"smsgate-prefix", hashlib.sha256).hexdigest()[:6]


def attempt_reference(outbox_id: int, number: int, *, prefix: str | None = None) -> str:
    """Our id of an attempt, `{prefix}-{outbox_id}-{number}` (at most 36 characters)."""
    reference = f"{prefix or reference_prefix()}-{int(outbox_id)}-{int(number)}"
    if len(reference) > MAX_REFERENCE or not _REFERENCE.match(reference):
        raise ValueError("an attempt reference needs a short alphanumeric prefix and positive ids")
    return reference


def parse_reference(text: str | None, *, prefix: str | None = None) -> tuple[int, int] | None:
    """(outbox_id, number) of one of OUR references; None for anything else (another prefix too)."""
    match = _REFERENCE.match(text or "")
    if match is None or match.group(1) != (prefix or reference_prefix()):
        return None
    return int(match.group(2)), int(match.group(3))


def _setting(config: Mapping[str, Any], name: str) -> float:
    """A numeric engine setting: the config, then the environment, then the engine's default."""
    from notifications.engine.settings import DEFAULTS

    value = config.get(name)
    if value in (None, ""):
        value = os.environ.get(name) or DEFAULTS[name]
    return float(value)


def _twilio(config: Mapping[str, Any]) -> Gateway:
    return TwilioGateway(
        config["TWILIO_ACCOUNT_SID"],
        config["TWILIO_AUTH_TOKEN"],
        from_number=config.get("TWILIO_FROM_NUMBER"),
        messaging_service_sid=config.get("TWILIO_MESSAGING_SERVICE_SID"),
        base_url=config.get("TWILIO_API_BASE_URL"),
        timeout=_setting(config, "SMS_SEND_TIMEOUT"),
        validity_period=int(_setting(config, "SMS_VALIDITY_PERIOD")) or None,
    )


def _smsgate(config: Mapping[str, Any]) -> Gateway:
    sim = config.get("SMSGATE_SIM")
    return SmsGateGateway(
        config.get("SMSGATE_API_URL") or SmsGateGateway.DEFAULT_URL,
        config["SMSGATE_USERNAME"],
        config["SMSGATE_PASSWORD"],
        encryption_passphrase=config.get("SMSGATE_ENCRYPTION_PASSPHRASE") or None,
        sim_number=int(sim) if sim not in (None, "") else None,
        timeout=_setting(config, "SMS_SEND_TIMEOUT"),
        validity_period=int(_setting(config, "SMS_VALIDITY_PERIOD")) or None,
    )


_FACTORIES: dict[str, Callable[[Mapping[str, Any]], Gateway]] = {
    "console": lambda config: ConsoleGateway(),
    "twilio": _twilio,
    "smsgate": _smsgate,
}


def build_gateways(source: Flask | Mapping[str, Any]) -> list[Gateway]:
    """The configured gateways, new, in the routing order of SMS_BACKEND (an app or its config)."""
    config = source.config if isinstance(source, Flask) else source
    names = config.get("SMS_BACKENDS") or parse_backends(config.get("SMS_BACKEND"))
    return [_FACTORIES[name](config) for name in names]


def build_gateway(config: Mapping[str, Any]) -> Gateway:
    """The first gateway of the routing order (the console when none is configured)."""
    return build_gateways(config)[0]


_lock = threading.Lock()


def get_gateways(app: Flask) -> dict[str, Gateway]:
    """The app's gateways by name, in routing order, built once on first use."""
    with _lock:
        gateways = app.extensions.get("harc_sms_gateways")
        if gateways is None:
            gateways = {gateway.name: gateway for gateway in build_gateways(app)}
            app.extensions["harc_sms_gateways"] = gateways
    return gateways


def get_gateway(app: Flask, name: str | None = None) -> Gateway:
    """One of the app's gateways (by default the first of the order), built once on first use."""
    if name is not None:
        return get_gateways(app)[name]
    with _lock:
        gateway = app.extensions.get("harc_sms_gateway")
        if gateway is None:
            gateway = build_gateway(app.config)
            app.extensions["harc_sms_gateway"] = gateway
    return gateway
