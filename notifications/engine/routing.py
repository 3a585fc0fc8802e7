"""Which gateway takes a message: the first of SMS_BACKEND's order that is healthy and under its
daily limit, paced by its minimum interval; each gateway's health and counts in `gateway_states`.

The state rows are shared by every dispatcher. A claim locks them (PostgreSQL `FOR UPDATE`, in name
order so that two claims never wait on each other crosswise) until it commits, so the daily count
and the pacing hold across dispatchers; SQLite has one writer at a time anyway.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.extensions import db
from notifications.engine import limits
from notifications.engine.settings import gateway_setting, setting_float, setting_int
from notifications.models import GatewayState, MessageAttempt

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Choice:
    """The gateway that takes the message now, or when to try again and why not now.

    `why`: "paced" (its gateway's next slot), "limit" (every usable gateway is at its daily
    limit), "down" (no gateway is healthy).
    """

    gateway: str | None
    retry_at: datetime | None = None
    why: str = ""


def states(names: list[str], *, lock: bool = False) -> dict[str, GatewayState]:
    """The state rows of these gateways, created when missing; locked with `lock` (PostgreSQL)."""
    if not names:
        return {}
    dialect = db.engine.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(GatewayState)
        .values([{"name": name, "consecutive_failures": 0, "sent_today": 0} for name in names])
        .on_conflict_do_nothing(index_elements=["name"])
    )
    query = (
        sa.select(GatewayState)
        .where(GatewayState.name.in_(names))
        .order_by(GatewayState.name)
        .execution_options(populate_existing=True)
    )
    if lock and dialect == "postgresql":
        query = query.with_for_update()
    return {row.name: row for row in db.session.scalars(query)}


def daily_limit(name: str) -> int:
    """The gateway's messages a local day (`{NAME}_DAILY_LIMIT`; 0: no limit)."""
    return int(gateway_setting(name, "DAILY_LIMIT"))


def sent_today(state: GatewayState, now: datetime) -> int:
    """How many messages the gateway took today (its counter belongs to an older day: none)."""
    return state.sent_today if state.day == limits.local_day(now) else 0


def health(state: GatewayState, now: datetime, *, alone: bool = False) -> str:
    """ "ok", or why the gateway is not used now: "failing" (its API failed repeatedly and the
    cool-down has not passed) or "silent" (SMSGate: no ping for SMSGATE_PING_STALE seconds)."""
    threshold = max(1, setting_int("SMS_GATEWAY_MAX_FAILURES"))
    cooldown = timedelta(seconds=setting_float("SMS_GATEWAY_COOLDOWN"))
    if (
        not alone
        and state.consecutive_failures >= threshold
        and (state.last_error_at is None or state.last_error_at + cooldown > now)
    ):
        return "failing"
    stale = gateway_setting(state.name, "PING_STALE")
    if (
        stale > 0
        and state.last_ping_at is not None
        and (state.last_ping_at + timedelta(seconds=stale) < now)
    ):
        return "silent"
    return "ok"


def order_for(names: list[str], message_id: int) -> list[str]:
    """The routing order for this message: after a failed attempt, starting with the gateway after
    the one that failed (later attempts move on; the failed one comes last)."""
    last = db.session.execute(
        sa.select(MessageAttempt.gateway, MessageAttempt.status)
        .where(MessageAttempt.message_id == message_id)
        .order_by(MessageAttempt.number.desc())
        .limit(1)
    ).first()
    if last is None or last.status != "failed" or last.gateway not in names:
        return list(names)
    at = names.index(last.gateway) + 1
    return names[at:] + names[:at]


def choose(order: list[str], held: dict[str, GatewayState], now: datetime) -> Choice:
    """Reserve a send for the first usable gateway of `order` (counts it, flushes), or say when
    to try again. `held`: the claim's (locked) state rows."""
    at_limit = down = False
    for name in order:
        state = held[name]
        # One gateway alone is never passed over for its failures (each message backs off).
        if health(state, now, alone=len(order) == 1) != "ok":
            down = True
            continue
        limit = daily_limit(name)
        if limit > 0 and sent_today(state, now) >= limit:
            at_limit = True
            continue
        interval = gateway_setting(name, "MIN_INTERVAL")
        if interval > 0 and state.last_send_at is not None:
            slot = state.last_send_at + timedelta(seconds=interval)
            if slot > now:
                return Choice(None, slot, "paced")
        state.sent_today = sent_today(state, now) + 1
        state.day = limits.local_day(now)
        state.last_send_at = now
        db.session.flush()
        return Choice(name)
    if at_limit and not down:
        return Choice(None, limits.local_day_bounds(now)[1], "limit")
    return Choice(None, now + timedelta(seconds=setting_float("SMS_GATEWAY_COOLDOWN")), "down")


def note_success(name: str, *, now: datetime) -> None:
    """The gateway's API accepted a request: healthy again (flushes)."""
    db.session.execute(
        sa.update(GatewayState)
        .where(GatewayState.name == name)
        .values(consecutive_failures=0, last_success_at=now)
        .execution_options(synchronize_session=False)
    )


def note_failure(name: str, reason: str, *, now: datetime, account: bool = False) -> None:
    """The gateway's API failed (flushes); an account failure takes it out of use at once."""
    threshold = max(1, setting_int("SMS_GATEWAY_MAX_FAILURES"))
    failures = sa.literal(threshold) if account else GatewayState.consecutive_failures + 1
    db.session.execute(
        sa.update(GatewayState)
        .where(GatewayState.name == name)
        .values(consecutive_failures=failures, last_error_at=now, last_error=reason[:255])
        .execution_options(synchronize_session=False)
    )
    log.warning("sms gateway %s failed: %s", name, reason)


def others_usable(names: list[str], failed: str, now: datetime) -> bool:
    """Whether a gateway other than `failed` is healthy and under its limit (a failover target)."""
    rows = states([name for name in names if name != failed])
    return any(
        health(state, now) == "ok"
        and (daily_limit(name) <= 0 or sent_today(state, now) < daily_limit(name))
        for name, state in rows.items()
    )
