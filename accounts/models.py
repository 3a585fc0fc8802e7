"""Users, their sign-in sessions and their API tokens."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.crypto import EncryptedText
from core.db import UTCDateTime, enum_column, utcnow
from core.extensions import db
from core.security import ROLES


class User(db.Model):
    """A person who signs in. One role each; a clinic partner belongs to one clinic."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(enum_column(*ROLES, name="user_role"))
    clinic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clinics.id"), index=True)
    language: Mapped[str] = mapped_column(sa.String(2), default="bn")
    # The district she works in (one of clinics.reference.DISTRICTS): a new referral's clinic
    # search starts there. Set by an admin or by herself; None when not set.
    district: Mapped[str | None] = mapped_column(sa.String(40))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped to end every session of this user (deactivation, password reset, admin action).
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The seized-phone lock: while set, no session, sign-in or token works; only an admin (page
    # or CLI) unlocks.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The phrase she set to lock her account from the lock page (argon2 hash, like passwords).
    lock_phrase_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # Two-factor sign-in (TOTP): the secret (encrypted at rest) is kept from the enrolment page
    # on; the second factor is on only once `totp_enabled_at` is set (a code was confirmed).
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The time-step of the last code accepted: a code of that step or earlier is refused (replay).
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    __table_args__ = (
        sa.CheckConstraint(
            "(role = 'clinic_partner') = (clinic_id IS NOT NULL)", name="partner_has_clinic"
        ),
    )

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active and self.locked_at is None

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def two_factor_on(self) -> bool:
        """Whether sign-in asks her for a code after the password."""
        return self.totp_enabled_at is not None and self.totp_secret is not None

    def get_id(self) -> str:
        """The session's user id carries the session version, so bumping it ends old sessions."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class ApiToken(db.Model):
    """A Bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    def state(self, now: datetime | None = None) -> str:
        """`revoked`, `expired` or `live`."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= (now or utcnow()) else "live"


class UserSession(db.Model):
    """One signed-in browser session. The cookie holds a random id; only its SHA-256 is stored.
    Sign-out, idling or an admin action sets `ended_at`; the cookie then opens nothing."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Updated at most once a minute (a write per page view would cost more than the view).
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(db.Model):
    """A single-use recovery code for two-factor sign-in; only its keyed hash is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # HMAC-SHA256 (INDEX_KEY) of the user id and the code's digits.
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
