"""The accounts package's periodic work: its retention step (accounts.init_app registers it)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

# Ended session rows are kept this long (who was signed in when, for an investigation), then go.
SESSION_ROWS_KEPT = timedelta(days=30)


def purge_old_sessions(now: datetime) -> dict[str, int]:
    """Retention: delete session rows ended, or last seen, more than 30 days before `now`."""
    from accounts.models import UserSession
    from core.extensions import db

    cutoff = now - SESSION_ROWS_KEPT
    result = db.session.execute(
        sa.delete(UserSession).where(
            sa.or_(UserSession.ended_at < cutoff, UserSession.last_seen_at < cutoff)
        )
    )
    return {"sessions": result.rowcount}
