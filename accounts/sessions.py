"""Sign-in sessions: a random id in the signed cookie, recorded server-side, checked by the user
loader on every request and ended at sign-out, on idling and by admin actions."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import session
from flask_login import logout_user

from accounts.models import User, UserSession
from accounts.settings import idle_limit
from core.db import utcnow
from core.extensions import db

SESSION_KEY = "sid"
SEEN_RESOLUTION = timedelta(minutes=1)
_DIGITS = re.compile(r"[0-9]{1,18}")


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def start_session(user: User, *, now: datetime | None = None) -> str:
    """Record a new session for the user; returns the random id the cookie carries (not stored)."""
    now = now or utcnow()
    session_id = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(id_hash=_hash(session_id), user_id=user.id, created_at=now, last_seen_at=now)
    )
    return session_id


def _live(session_id: object) -> UserSession | None:
    if not isinstance(session_id, str) or not session_id:
        return None
    return db.session.scalar(
        sa.select(UserSession).where(
            UserSession.id_hash == _hash(session_id), UserSession.ended_at.is_(None)
        )
    )


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """End every live session of the user except `keep` (a session id); returns how many."""
    query = sa.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep:
        query = query.where(UserSession.id_hash != _hash(keep))
    result = db.session.execute(
        query.values(ended_at=utcnow()).execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def current_session_id() -> str | None:
    """The id of this request's session, if any."""
    value = session.get(SESSION_KEY)
    return value if isinstance(value, str) else None


def sign_out() -> None:
    """End this request's session server-side and clear the cookie; the caller commits."""
    row = _live(current_session_id())
    if row is not None:
        row.ended_at = utcnow()
    logout_user()
    session.clear()


def load_user(session_user_id: str) -> User | None:
    """Flask-Login's loader. The session must be live server-side and not idle, its user active
    and unlocked, and the session version current; otherwise the session ends here."""
    user_id, _, version = session_user_id.partition(":")
    row = _live(session.get(SESSION_KEY))
    well_formed = bool(_DIGITS.fullmatch(user_id) and _DIGITS.fullmatch(version))
    if row is None or not well_formed or row.user_id != int(user_id):
        session.clear()
        return None
    now = utcnow()
    user = db.session.get(User, row.user_id)
    if (
        user is None
        or not user.is_active
        or user.session_version != int(version)
        or now - row.last_seen_at > idle_limit(user.role)
    ):
        row.ended_at = now
        db.session.commit()
        session.clear()
        return None
    if now - row.last_seen_at >= SEEN_RESOLUTION:
        row.last_seen_at = now
        # The user is loaded before the view runs (accounts.routes loads it first), so this
        # short transaction holds nothing but the session's own timestamp.
        db.session.commit()
    return user
