"""API tokens: issued with an expiry, stored hashed, revocable one by one or all at once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from accounts.models import ApiToken, User
from accounts.settings import token_lifetime
from core import audit
from core.db import utcnow
from core.errors import NotFound
from core.extensions import db
from core.i18n import N_

TOKEN_USE_RESOLUTION = timedelta(minutes=5)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(user: User, *, actor: User | None = None, now: datetime | None = None) -> str:
    """Create an API token for the user, valid for API_TOKEN_DAYS; the plain token is returned
    once and never stored."""
    now = now or utcnow()
    token = "harc_" + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        token_hash=_token_hash(token),
        prefix=token[:10],
        created_at=now,
        expires_at=now + token_lifetime(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "token.issue", "user", user.id, {"token_id": row.id})
    return token


def user_for_token(token: str, *, now: datetime | None = None) -> User | None:
    """The owner of a live token (not revoked, not expired), if that user may sign in; else None."""
    if not token:
        return None
    now = now or utcnow()
    row = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == _token_hash(token),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
    )
    if row is None or not row.user.is_active:
        return None
    # Write at most every few minutes: a write on every API call would cost more than the call.
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION:
        row.last_used_at = now
    return row.user


def list_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones too, so their history shows)."""
    query = sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(db.session.scalars(query))


def revoke_token(user: User, token_id: int, *, actor: User | None) -> ApiToken:
    """Revoke one of the user's tokens; another user's token is NotFound."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(N_("No such token."))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(actor, "token.revoke", "user", user.id, {"token_id": row.id})
    return row


def revoke_tokens(user: User, *, actor: User | None, reason: str) -> int:
    """Revoke every live token of the user; returns how many. `reason`: `requested`,
    `password_reset`, `deactivated` or `locked`."""
    count = db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    ).rowcount
    # A cascade (password reset, deactivation, lock) that found nothing adds no audit row of its
    # own: the action that caused it is audited already.
    if count or reason == "requested":
        audit.record(actor, "token.revoke_all", "user", user.id, {"count": count, "reason": reason})
    return count
