"""Retention of the outbox: bodies and numbers go 90 days after a message's final status, and the
message is deleted at the provider too (Twilio keeps bodies until told otherwise).

A provider deletion that fails keeps the row's `provider_sid`, so the next run tries again; once
the provider has let go of it the sid is cleared (nothing is left there to point at).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from core.appctx import real_app
from core.extensions import db
from notifications.engine.gateways import Gateway, get_gateway
from notifications.models import FINAL_STATUSES, OutboxMessage

log = logging.getLogger(__name__)

KEEP_FOR = timedelta(days=90)
BATCH = 200


def _gateway(gateway: Gateway | None) -> Gateway:
    return gateway if gateway is not None else get_gateway(real_app())


def _holds_data():
    return sa.or_(
        OutboxMessage.body.is_not(None),
        OutboxMessage.to_phone.is_not(None),
        OutboxMessage.provider_sid.is_not(None),
    )


def _erase(rows: list[OutboxMessage], gateway: Gateway) -> tuple[int, int, int]:
    """Delete each row's message at the provider and erase its body and number here."""
    erased = deleted = failed = 0
    for row in rows:
        if row.body is not None or row.to_phone is not None:
            row.body, row.to_phone = None, None
            erased += 1
        if row.provider_sid:
            if gateway.delete(row.provider_sid):
                row.provider_sid = None
                deleted += 1
            else:
                failed += 1
    db.session.flush()
    return erased, deleted, failed


def purge_outbox(now: datetime, gateway: Gateway | None = None) -> dict[str, int]:
    """Erase bodies and numbers of messages final for over 90 days, and delete them at the
    provider (flushes; the caller commits). A `sent` row never confirmed counts from sent_at."""
    cutoff = now - KEEP_FOR
    final_long_ago = sa.or_(
        sa.and_(OutboxMessage.status.in_(FINAL_STATUSES), OutboxMessage.final_at < cutoff),
        sa.and_(OutboxMessage.status == "sent", OutboxMessage.sent_at < cutoff),
    )
    gw = _gateway(gateway)
    totals = {"bodies_erased": 0, "provider_deleted": 0, "provider_failed": 0}
    last_id = 0
    while True:
        rows = list(
            db.session.scalars(
                sa.select(OutboxMessage)
                .where(final_long_ago, _holds_data(), OutboxMessage.id > last_id)
                .order_by(OutboxMessage.id)
                .limit(BATCH)
            )
        )
        if not rows:
            break
        last_id = rows[-1].id
        erased, deleted, failed = _erase(rows, gw)
        totals["bodies_erased"] += erased
        totals["provider_deleted"] += deleted
        totals["provider_failed"] += failed
    if totals["provider_failed"]:
        log.warning("retention: %d messages could not be deleted at the provider (retried next "
                    "run)", totals["provider_failed"])  # fmt: skip
    return totals


def erase_contact_messages(contact_id: int, gateway: Gateway | None = None) -> dict[str, int]:
    """Anonymisation: every message of a contact is deleted at the provider and its body and
    number erased here (flushes). Pending ones should be cancelled first (contacts.erase does)."""
    rows = list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.contact_id == contact_id, _holds_data())
            .order_by(OutboxMessage.id)
        )
    )
    erased, deleted, failed = _erase(rows, _gateway(gateway))
    return {"bodies_erased": erased, "provider_deleted": deleted, "provider_failed": failed}
