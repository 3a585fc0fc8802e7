"""/healthz: the scheduler's heartbeat, the oldest due message and a dispatch pause."""

from __future__ import annotations

import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from core.scheduler import last_heartbeat
from notifications.engine.pause import pause_info
from notifications.engine.settings import scheduler_expected, setting_float
from notifications.models import OutboxMessage


def oldest_due_seconds(now=None) -> float | None:
    """How long the oldest due pending message has waited (None when nothing is due)."""
    now = now or utcnow()
    oldest = db.session.scalar(
        sa.select(sa.func.min(OutboxMessage.send_at)).where(
            OutboxMessage.status == "pending", OutboxMessage.send_at <= now
        )
    )
    if oldest is None:
        return None
    if oldest.tzinfo is None:  # min() over SQLite skips the column type's conversion
        from datetime import UTC

        oldest = oldest.replace(tzinfo=UTC)
    return max((now - oldest).total_seconds(), 0.0)


def sms_health(body: dict) -> bool:
    """Adds `scheduler`, `oldest_due_seconds` and `dispatch`; unhealthy only when a scheduler is
    expected (SCHEDULER_EXPECTED) and its heartbeat or the oldest due message is too old."""
    now = utcnow()
    beat = last_heartbeat()
    if beat is not None and beat.tzinfo is None:
        from datetime import UTC

        beat = beat.replace(tzinfo=UTC)
    age = None if beat is None else max((now - beat).total_seconds(), 0.0)
    due = oldest_due_seconds(now)
    expected = scheduler_expected()
    max_beat = setting_float("HEALTH_MAX_HEARTBEAT_AGE")
    max_due = setting_float("HEALTH_MAX_DUE_AGE")
    beat_ok = not expected or (age is not None and age <= max_beat)
    due_ok = not expected or due is None or due <= max_due
    body["scheduler"] = {
        "expected": expected,
        "last_heartbeat": beat.isoformat() if beat else None,
        "age_seconds": None if age is None else round(age, 1),
        "status": "ok" if beat_ok else "stale",
    }
    body["oldest_due_seconds"] = None if due is None else round(due, 1)
    paused = pause_info()
    if paused is not None and paused.paused_until is not None and paused.paused_until > now:
        body["dispatch"] = {
            "status": "paused",
            "since": paused.paused_at.isoformat() if paused.paused_at else None,
            "until": paused.paused_until.isoformat(),
            "paused_until": paused.paused_until.isoformat(),
            "error_code": paused.error_code,
            "reason": paused.reason,
        }
    else:
        body["dispatch"] = {"status": "running"}
    return beat_ok and due_ok
