"""Rows whose fate is unclear: leases that expired (a dispatcher died) and `unknown` sends.

Neither is ever sent again blindly: the provider may have the message. A row is sent again only
after a lookup at the gateway that took its latest attempt (by our reference where the gateway
keeps it, as SMSGate does; else To + Body + creation time, as with Twilio) says it does not have
it; no other gateway may send it before. A status callback that arrives first settles the row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from notifications.engine import attempts, outcomes
from notifications.engine.settings import setting_float, setting_int
from notifications.models import OutboxMessage

if TYPE_CHECKING:
    from notifications.engine.dispatch import PassStats
    from notifications.engine.gateways import Gateway

log = logging.getLogger(__name__)


def _locked(query: sa.Select) -> sa.Select:
    if db.engine.dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def recover_expired(now: datetime, stats: PassStats) -> int:
    """`sending` rows whose lease ran out: their dispatcher died, maybe after the request left.
    They become `unknown`, to be looked up at once; COMMITS. Returns how many."""
    total = 0
    while done := _recover_batch(now, stats):
        total += done
    return total


def _recover_batch(now: datetime, stats: PassStats) -> int:
    rows = db.session.scalars(
        _locked(
            sa.select(OutboxMessage)
            .where(OutboxMessage.status == "sending", OutboxMessage.lease_until < now)
            .order_by(OutboxMessage.lease_until)
            .limit(setting_int("SMS_BATCH_SIZE") * 10)
        )
    ).all()
    lease = timedelta(seconds=setting_float("SMS_LEASE_SECONDS"))
    for row in rows:
        if row.body is None or row.to_phone is None:
            # Claimed but never rendered: the claim commits the text, so nothing can have left.
            row.status, row.lease_until = "pending", None
            continue
        row.status = "unknown"
        last = attempts.latest(row.id)
        if last is not None:
            attempts.advance(last.id, "unknown", now=now, error_message="dispatcher stopped")
        # The claim set lease_until = claimed_at + lease: the send began soon after.
        row.sent_at = row.sent_at or (row.lease_until - lease if row.lease_until else now)
        row.lease_until = now  # look it up in this pass
        row.error_message = "dispatcher stopped mid-send; checking with the provider"
    db.session.commit()
    if rows:
        log.warning("recovered %d messages from expired leases", len(rows))
    stats.recovered += len(rows)
    return len(rows)


def resolve_unknown(
    gateways: dict[str, Gateway], clock: Callable[[], datetime], stats: PassStats
) -> int:
    """Look up every `unknown` row whose wait for a callback is over; COMMITS per row."""
    total = 0
    while done := _resolve_batch(gateways, clock, stats):
        total += done
    return total


def _resolve_batch(
    gateways: dict[str, Gateway], clock: Callable[[], datetime], stats: PassStats
) -> int:
    """One batch of lookups (each row's lease is pushed on first, so a batch never repeats)."""
    now = clock()
    rows = db.session.scalars(
        _locked(
            sa.select(OutboxMessage)
            .where(OutboxMessage.status == "unknown", OutboxMessage.lease_until <= now)
            .order_by(OutboxMessage.lease_until)
            .limit(setting_int("SMS_BATCH_SIZE"))
        )
    ).all()
    work = []
    for row in rows:
        # Hold the row while we ask, so another dispatcher does not ask too.
        row.lease_until = now + timedelta(seconds=setting_float("SMS_LEASE_SECONDS"))
        work.append((row.id, row.kind, row.to_phone, row.body, row.sent_at))
    db.session.commit()
    for message_id, kind, to, body, since in work:
        now = clock()
        if not to or not body:
            outcomes.back_to_pending(message_id, now=now, send_at=now, from_status="unknown")
            db.session.commit()
            continue
        found = _look_up(gateways, message_id, to, body, since, now)
        if found is None:
            continue
        if found.outcome == "found":
            reason = found.message if found.status == "failed" else None
            outcomes.advance(
                message_id, found.status or "sent", now=now, sid=found.sid, error_message=reason
            )
            log.info(
                "sms %s (%s) unknown → %s: the provider has it", message_id, kind, found.status
            )
        elif found.outcome == "not_found":
            # The gateway does not have it: safe to send again (the next gateway of the order).
            last = attempts.latest(message_id)
            if last is not None:
                attempts.advance(last.id, "failed", now=now, error_message="not at the gateway")
            outcomes.back_to_pending(
                message_id,
                now=now,
                send_at=now,
                from_status="unknown",
                error_message="not at the provider; sending again",
            )
            log.info("sms %s (%s) unknown → pending: not at the provider", message_id, kind)
        else:
            _later(message_id, now)
            log.warning("sms %s lookup failed (%s); trying later", message_id, found.message)
        db.session.commit()
        stats.resolved += found.outcome != "error"
    return len(work)


def _later(message_id: int, now: datetime) -> None:
    retry_in = timedelta(seconds=setting_float("SMS_UNKNOWN_LOOKUP_AFTER"))
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "unknown")
        .values(lease_until=now + retry_in)
        .execution_options(synchronize_session=False)
    )


def _look_up(gateways: dict[str, Gateway], message_id, to, body, since, now):
    """Ask the gateway of the latest attempt (None: that gateway is not configured; later)."""
    last = attempts.latest(message_id)
    name = last.gateway if last is not None else next(iter(gateways))
    gateway = gateways.get(name)
    if gateway is None:
        _later(message_id, now)
        db.session.commit()
        log.warning("sms %s: gateway %s is not configured; cannot look it up", message_id, name)
        return None
    # The provider stamps real time; `--now` may have moved our clock: compare in real time.
    offset = now - utcnow()
    since = (since or now - timedelta(days=1)) - offset
    return gateway.lookup(
        to,
        body,
        since,
        now - offset,
        reference=last.reference if last is not None else None,
        provider_id=last.provider_id if last is not None else None,
    )
