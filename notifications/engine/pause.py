"""Dispatch-wide state: an account-level provider error, or every gateway at its daily limit,
pauses sending for every process."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime
from core.extensions import Model, db

log = logging.getLogger(__name__)

# The pause's code when every gateway is at its daily limit (not a provider's error code).
LIMIT_CODE = "daily_limit"


class DispatchState(Model):
    """One row (id 1) while sending is paused; shared by every dispatcher through the database."""

    __tablename__ = "dispatch_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sending is tried again after this (one probe pass); `flask reminders resume` clears it now.
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_code: Mapped[str | None] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.String(255))


def current_pause(now: datetime) -> DispatchState | None:
    """The pause in force at `now`, or None when sending may go on."""
    row = db.session.get(DispatchState, 1)
    if row is None or row.paused_until is None or row.paused_until <= now:
        return None
    return row


def pause_info() -> DispatchState | None:
    """The recorded pause (expired or not), for /healthz."""
    row = db.session.get(DispatchState, 1)
    return row if row is not None and row.paused_until is not None else None


def pause(
    code: str | None, reason: str, *, now: datetime, seconds: float, account: bool = True
) -> None:
    """Pause every dispatcher (flushes; the caller commits) and say so in the log.
    `account`: an account-level provider error (else a limit, which lifts by itself)."""
    row = db.session.get(DispatchState, 1)
    if row is None:
        row = DispatchState(id=1)
        db.session.add(row)
    if row.paused_until is None or row.paused_until <= now:
        row.paused_at = now
    row.paused_until = now + timedelta(seconds=seconds)
    row.error_code, row.reason = code, reason[:255]
    db.session.flush()
    if not account:
        log.warning("SMS dispatch paused until %s: %s", row.paused_until.isoformat(), reason)
        return
    log.error(
        "SMS dispatch PAUSED until %s: account-level provider error %s (%s); "
        "fix the account, then run `flask reminders resume`",
        row.paused_until.isoformat(),
        code,
        reason,
    )


def resume() -> bool:
    """Lift the pause (flushes; the caller commits); True when there was one."""
    row = db.session.get(DispatchState, 1)
    if row is None or row.paused_until is None:
        return False
    row.paused_at = row.paused_until = None
    row.error_code = row.reason = None
    db.session.flush()
    log.warning("SMS dispatch resumed")
    return True
