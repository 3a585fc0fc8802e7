"""Rows whose fate is unclear: leases that expired (a dispatcher died) and `unknown` sends.

Neither is ever sent again blindly: the provider may have the message. A row is sent again only
after a lookup at the provider (To + Body + creation time; Twilio keeps no client reference) says
it does not have it. A status callback that arrives first settles the row instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from notifications.engine import outcomes
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
        # The claim set lease_until = claimed_at + lease: the send began soon after.
        row.sent_at = row.sent_at or (row.lease_until - lease if row.lease_until else now)
        row.lease_until = now  # look it up in this pass
        row.error_message = "dispatcher stopped mid-send; checking with the provider"
    db.session.commit()
    if rows:
        log.warning("recovered %d messages from expired leases", len(rows))
    stats.recovered += len(rows)
    return len(rows)


def resolve_unknown(gateway: Gateway, clock: Callable[[], datetime], stats: PassStats) -> int:
    """Look up every `unknown` row whose wait for a callback is over; COMMITS per row."""
    total = 0
    while done := _resolve_batch(gateway, clock, stats):
        total += done
    return total


def _resolve_batch(gateway: Gateway, clock: Callable[[], datetime], stats: PassStats) -> int:
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
    retry_in = timedelta(seconds=setting_float("SMS_UNKNOWN_LOOKUP_AFTER"))
    for message_id, kind, to, body, since in work:
        now = clock()
        if not to or not body:
            outcomes.back_to_pending(message_id, now=now, send_at=now, from_status="unknown")
            db.session.commit()
            continue
        # The provider stamps real time; `--now` may have moved our clock: compare in real time.
        offset = now - utcnow()
        since = (since or now - timedelta(days=1)) - offset
        found = gateway.lookup(to, body, since, now - offset)
        if found.outcome == "found":
            outcomes.advance(message_id, found.status or "sent", now=now, sid=found.sid)
            log.info(
                "sms %s (%s) unknown → %s: the provider has it", message_id, kind, found.status
            )
        elif found.outcome == "not_found":
            # The provider does not have it: safe to send again, now.
            outcomes.back_to_pending(
                message_id,
                now=now,
                send_at=now,
                from_status="unknown",
                error_message="not at the provider; sending again",
            )
            log.info("sms %s (%s) unknown → pending: not at the provider", message_id, kind)
        else:
            db.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.status == "unknown")
                .values(lease_until=now + retry_in)
                .execution_options(synchronize_session=False)
            )
            log.warning("sms %s lookup failed (%s); trying later", message_id, found.message)
        db.session.commit()
        stats.resolved += found.outcome != "error"
    return len(work)
