"""The audit log: who did what to which record, when, and from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, utcnow
from core.extensions import Model, db
from core.security import Actor


class AuditEvent(Model):
    """One audited action. `details` never holds personal data: ids and field names only."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64))
    entity_type: Mapped[str] = mapped_column(sa.String(32))
    entity_id: Mapped[str | None] = mapped_column(sa.String(64))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    channel: Mapped[str] = mapped_column(sa.String(16), default="web")
    details: Mapped[dict | None] = mapped_column(sa.JSON)

    __table_args__ = (sa.Index("ix_audit_events_entity", "entity_type", "entity_id"),)


def record(
    actor: Actor | None,
    action: str,
    entity_type: str,
    entity_id: Any = None,
    details: dict | None = None,
    channel: str | None = None,
) -> AuditEvent:
    """Add an audit row to the current transaction (the edge commits it with the change)."""
    ip = None
    if has_request_context():
        ip = request.remote_addr
        channel = channel or ("api" if request.path.startswith("/api/") else "web")
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        ip=ip,
        channel=channel or "system",
        details=details,
    )
    db.session.add(event)
    return event
