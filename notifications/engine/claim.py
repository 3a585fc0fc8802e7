"""Claiming due messages: a compare-and-set claim, the checks before a send (contact, limits), the
text rendered, and the gateway chosen (its attempt written), all in one short transaction that
commits before any send (see notifications.engine.dispatch).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from core.extensions import db
from notifications.engine import attempts, limits, pause, routing
from notifications.engine.settings import setting_float, setting_int
from notifications.models import OutboxMessage
from notifications.texts import rendering

log = logging.getLogger(__name__)


@dataclass
class PassStats:
    """What one pass did; `deferred` = back to pending for a later try."""

    sent: int = 0
    failed: int = 0
    deferred: int = 0
    cancelled: int = 0
    skipped: int = 0
    unknown: int = 0
    recovered: int = 0
    resolved: int = 0
    paused: bool = False
    claimed: int = 0
    budget_reached: bool = False
    # Every usable gateway is at its daily limit: dispatch pauses until the next local day.
    limit_reached: bool = False
    # Segments billed today, read once per pass and then counted here (several dispatchers may
    # overshoot the budget by at most one batch each).
    segments_today: int | None = None

    def line(self) -> str:
        """The CLI's summary."""
        text = (
            f"sent={self.sent} failed={self.failed} deferred={self.deferred} "
            f"cancelled={self.cancelled} skipped={self.skipped} unknown={self.unknown} "
            f"recovered={self.recovered} resolved={self.resolved}"
        )
        if self.budget_reached:
            text += " (daily SMS budget reached: the rest waits for tomorrow)"
        if self.limit_reached:
            return text + " (dispatch is PAUSED: every gateway is at its daily limit)"
        return text + (" (dispatch is PAUSED: account-level provider error)" if self.paused else "")


@dataclass(frozen=True)
class Outgoing:
    """A claimed, rendered message on its way (no ORM object crosses into the pool)."""

    id: int
    contact_id: int
    kind: str
    to: str
    body: str
    callback_url: str | None
    claimed_at: datetime
    gateway: str = ""
    reference: str | None = None
    attempt_id: int = 0


def callback_url(message_id: int) -> str | None:
    """Our status-callback URL, carrying our message id (None without PUBLIC_BASE_URL)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    return f"{base.rstrip('/')}/webhooks/twilio/status?m={message_id}" if base else None


def _due_ids(now: datetime, n: int) -> list[int]:
    query = (
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status == "pending", OutboxMessage.send_at <= now)
        .order_by(OutboxMessage.send_at, OutboxMessage.id)
        .limit(n)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(query))


def claim(now: datetime, n: int, stats: PassStats, names: list[str]) -> tuple[list[Outgoing], int]:
    """Claim up to n due rows, settle those that may not go, render the rest, route each to a
    gateway (its attempt written); COMMIT. Returns (messages to send, rows claimed)."""
    ids = _due_ids(now, n)
    if not ids:
        db.session.commit()
        return [], 0
    lease = timedelta(seconds=setting_float("SMS_LEASE_SECONDS"))
    # Compare-and-set: only rows still pending become ours (SQLite has no SKIP LOCKED).
    claimed = list(
        db.session.scalars(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "pending")
            .values(
                status="sending",
                attempts=OutboxMessage.attempts + 1,
                lease_until=now + lease,
                updated_at=now,
            )
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
    )
    rows = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.id.in_(claimed))
        .options(selectinload(OutboxMessage.contact))
        .order_by(OutboxMessage.send_at, OutboxMessage.id)
        .execution_options(populate_existing=True)
    ).all()
    held = routing.states(names, lock=True) if rows else {}
    outgoing = [o for row in rows if (o := _prepare(row, now, stats, names, held)) is not None]
    if stats.limit_reached:  # those already routed still go; no further claim
        _pause_for_limits(now)
        stats.paused = True
    db.session.commit()
    stats.claimed += len(claimed)
    return outgoing, len(claimed)


def _pause_for_limits(now: datetime) -> None:
    until = limits.local_day_bounds(now)[1]
    pause.pause(
        pause.LIMIT_CODE,
        "every SMS gateway is at its daily limit",
        now=now,
        seconds=(until - now).total_seconds(),
        account=False,
    )


def _prepare(
    row: OutboxMessage, now: datetime, stats: PassStats, names: list[str], held: dict
) -> Outgoing | None:
    """Check and render one claimed row (inside the claim transaction)."""
    contact = row.contact
    verdict = rendering.check(row, contact, now)
    if verdict.action == "defer":
        assert verdict.send_at is not None  # check() gives every deferral its time
        row.status, row.send_at, row.lease_until = "pending", verdict.send_at, None
        row.attempts = max(row.attempts - 1, 0)
        stats.deferred += 1
        return None
    if verdict.action != "send":
        _settle(row, verdict.action, verdict.reason, now, stats)
        return None
    rendered = rendering.render(row, contact, now)
    if isinstance(rendered, str):
        log.error("sms %s (%s) not sent: %s", row.id, row.kind, rendered)
        _settle(row, "failed", rendered, now, stats)
        return None
    hold_until = _limits_hold(row, rendered.segments, now, stats)
    if hold_until is not None:
        row.status, row.send_at, row.lease_until = "pending", hold_until, None
        row.attempts = max(row.attempts - 1, 0)
        stats.deferred += 1
        return None
    choice = routing.choose(routing.order_for(names, row.id), held, now)
    if choice.gateway is None:
        assert choice.retry_at is not None
        row.status, row.send_at, row.lease_until = "pending", choice.retry_at, None
        row.attempts = max(row.attempts - 1, 0)
        stats.deferred += 1
        stats.limit_reached = stats.limit_reached or choice.why == "limit"
        log.info("sms %s (%s) waits: %s", row.id, row.kind, choice.why)
        return None
    assert contact.phone is not None  # check() cancelled the rows of a contact without a number
    row.body, row.to_phone, row.segments = rendered.body, contact.phone, rendered.segments
    attempt = attempts.start(row.id, choice.gateway, now=now)
    return Outgoing(
        row.id, contact.id, row.kind, contact.phone, rendered.body, callback_url(row.id), now,
        gateway=choice.gateway, reference=attempt.reference, attempt_id=attempt.id,
    )  # fmt: skip


def _limits_hold(
    row: OutboxMessage, segments: int, now: datetime, stats: PassStats
) -> datetime | None:
    """The start of the next local day when a limit says no today, else None."""
    budget = setting_int("SMS_DAILY_SEGMENT_BUDGET")
    used = 0
    if budget > 0:
        if stats.segments_today is None:
            # Read before this pass claimed anything, so its own claims are not counted twice.
            stats.segments_today = 0
        used = stats.segments_today
        if used + segments > budget:
            if not stats.budget_reached:
                log.warning("daily SMS budget of %s segments reached; sending resumes tomorrow",
                            budget)  # fmt: skip
            stats.budget_reached = True
            return limits.local_day_bounds(now)[1]
    # Many messages to one phone in a day could expose her (a shared or watched phone).
    if not limits.member_cap_allows(row.contact_id, now, exclude_id=row.id):
        log.info("sms %s (%s) waits: the contact's daily cap is reached", row.id, row.kind)
        return limits.local_day_bounds(now)[1]
    if budget > 0:
        stats.segments_today = used + segments
    return None


def _settle(row: OutboxMessage, status: str, reason: str, now: datetime, stats: PassStats) -> None:
    row.status, row.error_message, row.final_at, row.lease_until = status, reason[:255], now, None
    setattr(stats, status, getattr(stats, status) + 1)
    log.info("sms %s (%s) %s: %s", row.id, row.kind, status, reason)
