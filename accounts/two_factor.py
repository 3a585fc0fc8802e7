"""Two-factor sign-in (TOTP, RFC 6238) and its single-use recovery codes.

A code is accepted once: the time-step of the last accepted code is stored, and only a later step
is accepted (a conditional UPDATE, so two requests racing with one code accept it once). Codes
and recovery codes are read in any digits (Bangla too), with spaces or dashes between groups.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import sqlalchemy as sa
from flask import current_app

from accounts.models import RecoveryCode, User
from accounts.sessions import end_sessions
from core import audit
from core.db import rowcount, utcnow
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.i18n import N_
from core.security import ADMIN, CLINIC_PARTNER

REQUIRED_ROLES = frozenset({ADMIN, CLINIC_PARTNER})  # they may not sign in without it
ISSUER = "HARC"
RECOVERY_CODES = 10
RECOVERY_DIGITS = 16  # about 53 bits each, shown as four groups of four
CODE_DIGITS = 6
VALID_WINDOW = 1  # one step (30 s) either side of now
_SEPARATORS = frozenset(" \t-\u00a0")


def required_for(user: User) -> bool:
    """Whether her role must sign in with a second factor."""
    return user.role in REQUIRED_ROLES


def normalise_code(text: object) -> str | None:
    """The code's ASCII digits (Bangla or other digits read as digits; spaces and dashes
    dropped), or None when anything else is in it."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    digits = []
    for char in text:
        if char in _SEPARATORS:
            continue
        if not char.isdecimal():
            return None
        digits.append(str(int(char)))
    return "".join(digits) or None


def begin_enrolment(user: User) -> str:
    """The secret she enrols with: a new one unless enrolment has already begun."""
    if user.two_factor_on:
        raise Conflict(N_("Two-factor sign-in is already on."))
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
    return user.totp_secret


def enrol_without_code(user: User) -> str:
    """Turn two-factor sign-in on without a first code (the demo seed, development only);
    keeps an existing secret. Returns the secret."""
    secret = user.totp_secret or pyotp.random_base32()
    user.totp_secret = secret
    if user.totp_enabled_at is None:
        user.totp_enabled_at = utcnow()
    return secret


def provisioning_uri(user: User) -> str:
    """The otpauth:// link the QR code carries."""
    return pyotp.TOTP(user.totp_secret or "").provisioning_uri(name=user.email, issuer_name=ISSUER)


def _wrong_code() -> ValidationFailed:
    message = N_("The code is not right, or it was already used. Enter the newest code.")
    return ValidationFailed(message, code="wrong_code", fields={"code": message})


def _accept_totp(user: User, code: str, now: datetime | None) -> bool:
    """Accept a current code once: the step is claimed by a conditional update."""
    if not user.totp_secret or len(code) != CODE_DIGITS:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = totp.timecode(now or utcnow())
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if not hmac.compare_digest(totp.generate_otp(step), code):
            continue
        claimed = db.session.execute(
            sa.update(User)
            .where(User.id == user.id)
            .where(sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        if rowcount(claimed) == 1:
            user.totp_last_step = step
            return True
        return False
    return False


def _recovery_hash(user: User, digits: str) -> str:
    key = current_app.config["INDEX_KEY"].encode("utf-8")
    message = f"recovery:{user.id}:{digits}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _use_recovery_code(user: User, digits: str) -> bool:
    if len(digits) != RECOVERY_DIGITS:
        return False
    used = db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id)
        .where(RecoveryCode.code_hash == _recovery_hash(user, digits))
        .where(RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if rowcount(used) != 1:
        return False
    audit.record(user, "user.mfa_recovery", "user", user.id, {"left": recovery_codes_left(user)})
    return True


def check_code(user: User, text: object, *, now: datetime | None = None) -> str:
    """Accept a current code or an unused recovery code of an enrolled user: "totp" or
    "recovery"; else ValidationFailed (a wrong, used or replayed code)."""
    digits = normalise_code(text)
    if digits is None or not user.two_factor_on:
        raise _wrong_code()
    if _accept_totp(user, digits, now):
        return "totp"
    if _use_recovery_code(user, digits):
        return "recovery"
    raise _wrong_code()


def recovery_codes_left(user: User) -> int:
    """How many of her recovery codes are unused."""
    query = (
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return db.session.scalar(query) or 0


def _new_recovery_codes(user: User) -> list[str]:
    """Ten new codes (the old ones are deleted); returned for showing once, stored hashed."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        digits = "".join(secrets.choice("0123456789") for _ in range(RECOVERY_DIGITS))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(user, digits)))
        codes.append(" ".join(digits[i : i + 4] for i in range(0, RECOVERY_DIGITS, 4)))
    return codes


def confirm_enrolment(user: User, text: object, *, now: datetime | None = None) -> list[str]:
    """Turn two-factor sign-in on with a current code from her app; returns the recovery codes
    (shown once)."""
    if user.two_factor_on:
        raise Conflict(N_("Two-factor sign-in is already on."))
    digits = normalise_code(text)
    if digits is None or not _accept_totp(user, digits, now):
        raise _wrong_code()
    user.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    db.session.flush()
    audit.record(user, "user.mfa_enrol", "user", user.id)
    return codes


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def turn_off(user: User, text: object, *, now: datetime | None = None) -> User:
    """She turns two-factor sign-in off with a current code (roles that need it cannot)."""
    if required_for(user):
        raise Conflict(N_("Your role must sign in with a second factor."))
    check_code(user, text, now=now)
    _clear(user)
    audit.record(user, "user.mfa_off", "user", user.id)
    return user


def reset(user: User, *, actor: User | None) -> User:
    """An admin (or the CLI) removes a user's second factor: her sessions end; she enrols again
    at her next sign-in if her role needs it. API tokens are not affected."""
    if actor is not None and actor.id == user.id:
        raise Conflict(N_("Ask another admin to reset your own second factor."))
    _clear(user)
    user.session_version += 1
    end_sessions(user)
    audit.record(actor, "user.mfa_reset", "user", user.id)
    return user


def new_recovery_codes(user: User, text: object, *, now: datetime | None = None) -> list[str]:
    """Ten new recovery codes in place of the old ones, for a current code."""
    check_code(user, text, now=now)
    return _new_recovery_codes(user)
