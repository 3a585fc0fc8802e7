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
