"""The gateways as the admin sees them (health, today's count against the limit, price), and a test
SMS sent through one gateway directly (not the outbox; the number is neither stored nor audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from core.appctx import real_app
from core.audit import record
from core.errors import DomainError
from notifications.contacts import normalise_phone
from notifications.engine import routing
from notifications.engine.gateways import SendResult, get_gateways
from notifications.engine.settings import gateway_setting

# Where each gateway's price per segment is configured (CONTRACT.md).
PRICE_SETTINGS = {"smsgate": "SMSGATE_PRICE_PER_SEGMENT", "twilio": "SMS_PRICE_PER_SEGMENT"}


@dataclass(frozen=True)
class GatewayView:
    """One gateway's line on the page (and in /api/v1/gateways)."""

    name: str
    health: str  # "ok", "failing", "silent" (routing.health)
    last_ping: datetime | None
    last_success: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    today: int
    daily_limit: int  # 0: none
    price_per_segment: float
    pings: bool  # the gateway reports pings (SMSGate)

    def as_json(self) -> dict:
        """The API's shape (CONTRACT.md)."""
        return {
            "name": self.name,
            "healthy": self.health == "ok",
            "last_ping": self.last_ping.isoformat() if self.last_ping else None,
            "last_success": self.last_success.isoformat() if self.last_success else None,
            "last_error": self.last_error,
            "today": self.today,
            "daily_limit": self.daily_limit or None,
            "price_per_segment": self.price_per_segment,
        }


def names() -> list[str]:
    """The configured gateways in routing order."""
    config = current_app.config
    return list(config.get("SMS_BACKENDS") or [config.get("SMS_BACKEND") or "console"])


def _price(name: str) -> float:
    setting = PRICE_SETTINGS.get(name)
    if setting is None:
        return 0.0
    value = current_app.config.get(setting)
    try:
        return float(value) if value not in (None, "") else 0.0
    except (TypeError, ValueError):
        return 0.0


def overview(now: datetime) -> list[GatewayView]:
    """Every configured gateway, in routing order (creates missing state rows; flushes)."""
    order = names()
    held = routing.states(order)
    views = []
    for name in order:
        state = held[name]
        views.append(
            GatewayView(
                name=name,
                health=routing.health(state, now, alone=len(order) == 1),
                last_ping=state.last_ping_at,
                last_success=state.last_success_at,
                last_error_at=state.last_error_at,
                last_error=state.last_error,
                today=routing.sent_today(state, now),
                daily_limit=routing.daily_limit(name),
                price_per_segment=_price(name),
                pings=gateway_setting(name, "PING_STALE") > 0,
            )
        )
    return views


class UnknownGateway(DomainError):
    """A test SMS for a gateway that is not configured."""

    status = 404
    code = "unknown_gateway"


def send_test(name: str, raw_phone: str, actor) -> SendResult:
    """Send a short test SMS through gateway `name` itself; audited with the gateway and the
    outcome only (flushes). Raises ValidationFailed for a bad number."""
    if name not in names():
        raise UnknownGateway("No such SMS gateway.")
    to = normalise_phone(raw_phone)
    gateway = get_gateways(real_app())[name]
    result = gateway.send(to, _("Test message. Please ignore."), None, kind="test")
    record(actor, "sms.test", "sms_gateway", None, {"gateway": name, "outcome": result.outcome})
    return result
