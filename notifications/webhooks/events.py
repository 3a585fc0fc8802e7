"""Webhook events already handled, by their source and id (SMSGate sends a missed one again).

A row is added in the transaction that acts on the event, so an event acts once even when two
deliveries race (the second fails on the unique key and changes nothing). Kept 7 days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, rowcount, utcnow
from core.extensions import Model, db

KEEP_FOR = timedelta(days=7)


class WebhookEvent(Model):
    """A webhook event handled once: (source, event id) is unique."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(16))
    event_id: Mapped[str] = mapped_column(sa.String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (
        sa.UniqueConstraint("source", "event_id", name="uq_webhook_events_source_event"),
    )


def seen(source: str, event_id: str) -> bool:
    """Whether this event has been handled already."""
    return bool(
        db.session.scalar(
            sa.select(WebhookEvent.id).where(
                WebhookEvent.source == source, WebhookEvent.event_id == event_id
            )
        )
    )


def remember(source: str, event_id: str, *, now: datetime) -> None:
    """Record the event as handled (flushes; a concurrent twin fails here or at commit)."""
    db.session.add(WebhookEvent(source=source, event_id=event_id, received_at=now))
    db.session.flush()


def purge_events(now: datetime) -> dict[str, int]:
    """Retention step: forget webhook events older than 7 days (flushes)."""
    result = db.session.execute(
        sa.delete(WebhookEvent)
        .where(WebhookEvent.received_at < now - KEEP_FOR)
        .execution_options(synchronize_session=False)
    )
    return {"webhook_events": rowcount(result)}
