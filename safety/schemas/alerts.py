"""Request and response models of the safety alerts API (admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from core.schemas import Body, DateTimeIn, Id, Out, Paging, text
from safety.models import ALERT_STATUSES

AlertStatus = Literal[ALERT_STATUSES]  # type: ignore[valid-type]
TEXT_HELP = (
    "At most 300 characters and 2 SMS segments; no health words and no words of violence, "
    "police or sex work (422 names them): the community's own code phrases."
)


class SafetyAlert(Out):
    """A safety alert (CONTRACT.md: id and status, and more)."""

    id: Id
    status: AlertStatus = Field(description="draft: waiting for a second admin")
    incident_id: Id
    districts: list[str]
    text_en: str
    text_bn: str
    expires_at: datetime
    drafted_by: Id = Field(description="the drafting admin's user id")
    drafted_at: datetime
    approved_by: Id | None
    approved_at: datetime | None
    withdrawn_by: Id | None
    withdrawn_at: datetime | None
    recipients: int | None = Field(ge=0, description="messages planned at approval")


class AlertCreate(Body):
    """A draft alert from an incident whose alert consent was given."""

    incident_id: Id
    districts: list[str] = Field(
        min_length=1, max_length=64, description="official district names (older spellings ok)"
    )
    text_en: str = text(300, description=TEXT_HELP)
    text_bn: str = text(300, description=TEXT_HELP)
    expires_at: DateTimeIn = Field(description="in the future, at most 14 days ahead")


class AlertQuery(Paging):
    """Filters of the alert list."""

    status: AlertStatus | None = None
