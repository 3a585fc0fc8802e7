"""The SMS log: outbox rows filtered and paged in SQL, a message's timeline, delivery rates.

Numbers are only ever shown masked (`Contact.phone_masked`). Bodies are for admins: the pages that
show one are admin-only, and `messages_for_contact` (for the peer educator) carries none.
Clinic and peer educator names come from the name sources clinics and accounts register
(notifications.names): notifications does not import or read other packages' tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from core.extensions import db
from notifications import names
from notifications.errors_catalog import describe_error
from notifications.models import Contact, MessageAttempt, OutboxMessage

PER_PAGE = 50


@dataclass(frozen=True)
class LogFilters:
    """What the admin filters the log by; None means any. Days are local (APP_TIMEZONE) and
    apply to the time the message goes (send_at), both ends included."""

    status: str | None = None
    kind: str | None = None
    clinic_id: int | None = None
    peer_educator_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def _local_midnight(day: date) -> datetime:
    tz = ZoneInfo(current_app.config["APP_TIMEZONE"])
    return datetime.combine(day, time(0), tzinfo=tz)


def _where(query: sa.Select, filters: LogFilters) -> sa.Select:
    if filters.status:
        query = query.where(OutboxMessage.status == filters.status)
    if filters.kind:
        query = query.where(OutboxMessage.kind == filters.kind)
    if filters.clinic_id:
        query = query.where(OutboxMessage.clinic_id == filters.clinic_id)
    if filters.peer_educator_id:
        query = query.where(OutboxMessage.peer_educator_id == filters.peer_educator_id)
    if filters.date_from:
        query = query.where(OutboxMessage.send_at >= _local_midnight(filters.date_from))
    if filters.date_to:
        end = _local_midnight(filters.date_to + timedelta(days=1))
        query = query.where(OutboxMessage.send_at < end)
    return query


@dataclass(frozen=True)
class LogRow:
    """One line of the log: the message and the masked number it goes to."""

    message: OutboxMessage
    phone_masked: str
    gateway: str | None = None  # the gateway of its latest attempt


def message_page(
    filters: LogFilters, page: int = 1, per_page: int = PER_PAGE
) -> tuple[list[LogRow], int]:
    """(rows of this page, newest first; total rows matching)."""
    page = max(page, 1)
    total = db.session.scalar(
        _where(sa.select(sa.func.count()).select_from(OutboxMessage), filters)
    )
    latest_gateway = (
        sa.select(MessageAttempt.gateway)
        .where(MessageAttempt.message_id == OutboxMessage.id)
        .order_by(MessageAttempt.number.desc())
        .limit(1)
        .correlate(OutboxMessage)
        .scalar_subquery()
    )
    query = (
        _where(sa.select(OutboxMessage, Contact.phone_masked, latest_gateway), filters)
        .join(Contact, Contact.id == OutboxMessage.contact_id)
        .order_by(OutboxMessage.send_at.desc(), OutboxMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [
        LogRow(message, masked or "", gateway)
        for message, masked, gateway in db.session.execute(query)
    ]
    return rows, int(total or 0)


@dataclass(frozen=True)
class DeliveryRate:
    """delivered / (delivered + undelivered + failed) over a filter; None when nothing ended."""

    delivered: int
    not_delivered: int

    @property
    def rate(self) -> float | None:
        """The share delivered, or None when no message has reached a final delivery status."""
        ended = self.delivered + self.not_delivered
        return None if ended == 0 else self.delivered / ended


def delivery_rate(filters: LogFilters) -> DeliveryRate:
    """The delivery rate of the messages matching the filter (one grouped query)."""
    query = _where(
        sa.select(OutboxMessage.status, sa.func.count())
        .where(OutboxMessage.status.in_(("delivered", "undelivered", "failed")))
        .group_by(OutboxMessage.status),
        filters,
    )
    counts = dict(db.session.execute(query).all())
    return DeliveryRate(
        delivered=int(counts.get("delivered", 0)),
        not_delivered=int(counts.get("undelivered", 0)) + int(counts.get("failed", 0)),
    )


@dataclass(frozen=True)
class Step:
    """One step of a message's life, for its timeline."""

    name: str  # planned, claimed, sent, delivered, undelivered, failed, cancelled, skipped, unknown
    at: datetime | None
    detail: dict[str, Any]


def timeline(message: OutboxMessage) -> list[Step]:
    """What happened to a message, in order (from the row's own columns)."""
    steps = [Step("planned", message.created_at, {"send_at": message.send_at})]
    if message.attempts:
        steps.append(Step("claimed", None, {"attempts": message.attempts}))
    if message.status == "sending":
        steps.append(Step("sending", message.updated_at, {"lease_until": message.lease_until}))
    if message.status == "unknown":
        steps.append(Step("unknown", message.updated_at, {}))
    if message.sent_at is not None:
        steps.append(Step("sent", message.sent_at, {"provider_sid": message.provider_sid}))
    if message.status == "delivered":
        steps.append(Step("delivered", message.delivered_at or message.final_at, {}))
    elif message.status in ("undelivered", "failed", "cancelled", "skipped"):
        steps.append(
            Step(
                message.status,
                message.final_at,
                {
                    "error_code": message.error_code,
                    "meaning": describe_error(message.error_code),
                    "reason": message.error_message,
                },
            )
        )
    return steps


def get_message(message_id: int) -> tuple[OutboxMessage, str] | None:
    """A message and the masked number it goes to, or None."""
    row = db.session.execute(
        sa.select(OutboxMessage, Contact.phone_masked)
        .join(Contact, Contact.id == OutboxMessage.contact_id)
        .where(OutboxMessage.id == message_id)
    ).first()
    return None if row is None else (row[0], row[1] or "")


def messages_for_contact(contact_id: int, limit: int = 100) -> list[dict[str, Any]]:
    """Her messages for the member page, newest first: kind, status, when, delivered or not, and
    what an error means. No body and no number (the peer educator sees no text)."""
    rows = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.contact_id == contact_id)
        .order_by(OutboxMessage.send_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": row.id,
            "kind": row.kind,
            "status": row.status,
            "send_at": row.send_at,
            "sent_at": row.sent_at,
            "delivered": row.status == "delivered",
            "error_code": row.error_code,
            "error_meaning": describe_error(row.error_code),
            "reason": row.error_message,
            "subject": row.subject,
        }
        for row in rows
    ]


def clinic_choices() -> list[tuple[int, str]]:
    """(id, name) of every clinic, for the log's filter."""
    return names.choices("clinic")


def peer_educator_choices() -> list[tuple[int, str]]:
    """(id, name) of every peer educator, for the log's filter."""
    return names.choices("peer_educator")


def names_for(message: OutboxMessage) -> dict[str, str | None]:
    """The clinic's and the peer educator's names, for a message's page."""
    return {
        "clinic": names.name_of("clinic", message.clinic_id),
        "peer_educator": names.name_of("peer_educator", message.peer_educator_id),
    }


def attempts_of(message: OutboxMessage) -> list[MessageAttempt]:
    """The message's attempts, first first (each names its gateway)."""
    return list(
        db.session.scalars(
            sa.select(MessageAttempt)
            .where(MessageAttempt.message_id == message.id)
            .order_by(MessageAttempt.number)
        )
    )
