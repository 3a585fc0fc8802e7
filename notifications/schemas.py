"""Response and query models of the message list (CONTRACT.md's message object)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from core.schemas import Id, Out, Paging, text
from notifications.models import MESSAGE_KINDS, MESSAGE_STATUSES

MessageKind = Literal[MESSAGE_KINDS]  # type: ignore[valid-type]
MessageStatus = Literal[MESSAGE_STATUSES]  # type: ignore[valid-type]


class Message(Out):
    """CONTRACT.md's message object (no text, no number)."""

    id: Id
    kind: MessageKind
    status: MessageStatus
    send_at: datetime | None = Field(description="when it will really go")
    sent_at: datetime | None
    referral_code: str | None
    error_code: str | None
    error_message: str | None


class MessageQuery(Paging):
    """Filters of the message list; `referral` is read by the subject type that owns it."""

    referral: str | None = text(32, default=None, description="a referral code")
    status: MessageStatus | None = None
    kind: MessageKind | None = None


class Gateway(Out):
    """An SMS gateway as GET /api/v1/gateways shows it (CONTRACT.md), in routing order."""

    name: str
    healthy: bool
    last_ping: datetime | None = Field(description="the phone's last ping (SMSGate)")
    last_success: datetime | None
    last_error: str | None
    today: int = Field(ge=0, description="messages it took today (local day)")
    daily_limit: int | None = Field(description="messages a local day; null: none")
    price_per_segment: float
