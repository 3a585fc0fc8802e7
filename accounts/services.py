"""Account rules: passwords, sign-in, deactivation, API tokens."""

from __future__ import annotations

import contextlib
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

from accounts.models import User
from accounts.sessions import end_sessions

# issue_token and user_for_token stay importable from here: the API's Bearer check, the test
# fixtures and the benchmarks know them by this module.
from accounts.tokens import issue_token, revoke_tokens, user_for_token  # noqa: F401
from core import audit
from core.db import utcnow
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.i18n import N_, Text
from core.security import ADMIN, CLINIC_PARTNER, PEER_EDUCATOR, ROLES

MIN_PASSWORD_LENGTH = 10
_HASHERS = {
    # Argon2id with the library's recommended parameters (RFC 9106 low-memory profile).
    "default": PasswordHasher(),
    # The test suite hashes hundreds of passwords; the parameters, not the algorithm, are cheaper.
    "fast-for-tests": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}
_DUMMY_HASHES: dict[str, str] = {}


def _hasher() -> PasswordHasher:
    return _HASHERS[current_app.config.get("PASSWORD_HASHER", "default")]


def _dummy_hash() -> str:
    """Verified against when the account does not exist, so timing does not reveal emails."""
    name = current_app.config.get("PASSWORD_HASHER", "default")
    if name not in _DUMMY_HASHES:
        _DUMMY_HASHES[name] = _HASHERS[name].hash("not-a-real-password-at-all")
    return _DUMMY_HASHES[name]


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line and not line.startswith("#"))


def password_problem(password: str, email: str | None = None) -> Text | None:
    """Why a password is not acceptable, or None when it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return Text(N_("Use at least %(count)s characters."), {"count": MIN_PASSWORD_LENGTH})
    if password.lower() in _common_passwords():
        return Text(N_("This password is too common; choose another."))
    if len(set(password)) < 4:
        return Text(N_("This password repeats too few characters."))
    if email and email.split("@")[0].lower() in password.lower() and len(email.split("@")[0]) > 3:
        return Text(N_("The password must not contain the email name."))
    return None


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return _hasher().hash(password)


def normalise_email(email: str) -> str:
    """Emails are compared lower-cased and trimmed."""
    return (email or "").strip().lower()


def get_user(user_id: int) -> User:
    """A user by id, or NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(N_("No such user."))
    return user


def find_by_email(email: str) -> User | None:
    """The user with this email, if any."""
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(
    *,
    email: str,
    role: str,
    password: str,
    display_name: str | None = None,
    clinic_id: int | None = None,
    language: str = "bn",
    actor: User | None = None,
) -> User:
    """Create a user after checking the role, the clinic link and the password."""
    email = normalise_email(email)
    fields: dict[str, str | Text] = {}
    if "@" not in email or len(email) > 254:
        fields["email"] = N_("Enter a valid email address.")
    if role not in ROLES:
        fields["role"] = Text(N_("Role must be one of %(roles)s."), {"roles": ", ".join(ROLES)})
    if role == CLINIC_PARTNER and clinic_id is None:
        fields["clinic_id"] = N_("A clinic partner must belong to a clinic.")
    if role != CLINIC_PARTNER:
        clinic_id = None
    if clinic_id is not None and not _clinic_exists(clinic_id):
        fields["clinic_id"] = N_("No such clinic.")
    if language not in ("bn", "en"):
        fields["language"] = N_("Language must be bn or en.")
    problem = password_problem(password, email)
    if problem:
        fields["password"] = problem
    if fields:
        raise ValidationFailed(N_("Some fields are not valid."), fields=fields)
    if find_by_email(email):
        raise Conflict(
            N_("A user with this email already exists."),
            code="email_taken",
            fields={"email": N_("A user with this email already exists.")},
        )
    user = User(
        email=email,
        role=role,
        display_name=(display_name or email.split("@")[0])[:80],
        password_hash=hash_password(password),
        clinic_id=clinic_id,
        language=language,
        password_changed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, {"role": role})
    return user


def _clinic_exists(clinic_id: int) -> bool:
    from clinics.models import Clinic

    return db.session.get(Clinic, clinic_id) is not None


def authenticate(email: str, password: str) -> User | None:
    """The active user whose password matches, or None; rehashes outdated hashes."""
    user = find_by_email(email)
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher().verify(_dummy_hash(), password)
        return None
    try:
        _hasher().verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if not user.is_active:
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    user.last_login_at = utcnow()
    return user


def update_user(
    user: User,
    *,
    actor: User,
    display_name: str | None = None,
    role: str | None = None,
    clinic_id: int | None = None,
    language: str | None = None,
) -> User:
    """Change a user's name, role, clinic or language; a role change ends their sessions."""
    if role is not None and role != user.role:
        if role not in ROLES:
            raise ValidationFailed(N_("Unknown role."), fields={"role": N_("Unknown role.")})
        if role == CLINIC_PARTNER and not (clinic_id or user.clinic_id):
            raise ValidationFailed(
                N_("A clinic partner must belong to a clinic."),
                fields={"clinic_id": N_("Choose a clinic.")},
            )
        _keep_an_admin(user, "role")
        user.role = role
        user.session_version += 1
        end_sessions(user)
    if user.role == CLINIC_PARTNER and clinic_id is not None:
        if not _clinic_exists(clinic_id):
            raise ValidationFailed(
                N_("No such clinic."), fields={"clinic_id": N_("No such clinic.")}
            )
        user.clinic_id = clinic_id
    elif user.role != CLINIC_PARTNER:
        user.clinic_id = None
    if display_name:
        user.display_name = display_name.strip()[:80]
    if language in ("bn", "en"):
        user.language = language
    audit.record(actor, "user.update", "user", user.id, {"role": user.role})
    return user


def set_district(user: User, district: object, *, actor: User | None) -> User:
    """The district a user works in (any of the 64 by name, older spellings too; empty clears
    it): a peer educator's clinic search starts there."""
    from clinics.services import normalise_district

    name = None
    if isinstance(district, str) and district.strip():
        name = normalise_district(district)
        if name is None:
            raise ValidationFailed(
                N_("Unknown district."), fields={"district": N_("Choose one of the districts.")}
            )
    elif district is not None and not isinstance(district, str):
        raise ValidationFailed(
            N_("Unknown district."), fields={"district": N_("Choose one of the districts.")}
        )
    if name != user.district:
        user.district = name
        audit.record(actor, "user.district", "user", user.id, {"district": name})
    return user


def set_active(user: User, active: bool, *, actor: User | None) -> User:
    """Deactivate (ending every session and API token) or reactivate a user."""
    if actor is not None and actor.id == user.id and not active:
        raise Conflict(N_("You cannot deactivate yourself."))
    user.active = active
    user.session_version += 1
    if not active:
        end_sessions(user)
        revoke_tokens(user, actor=actor, reason="deactivated")
    audit.record(actor, "user.activate" if active else "user.deactivate", "user", user.id)
    return user


def _store_password(user: User, password: str) -> None:
    problem = password_problem(password, user.email)
    if problem:
        raise ValidationFailed(problem, fields={"password": problem})
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.session_version += 1


def reset_password(user: User, password: str, *, actor: User | None) -> User:
    """Set a new password (admin page, CLI): every session and API token of the user ends."""
    _store_password(user, password)
    end_sessions(user)
    revoke_tokens(user, actor=actor, reason="password_reset")
    audit.record(actor, "user.password_reset", "user", user.id)
    return user


def change_own_password(user: User, current: str, new: str, *, keep_session: str | None) -> User:
    """A user changes her own password: the current one must match; her other sessions end."""
    try:
        _hasher().verify(user.password_hash, current or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        message = N_("The current password is not right.")
        raise ValidationFailed(message, fields={"current_password": message}) from None
    _store_password(user, new)
    end_sessions(user, keep=keep_session)
    audit.record(user, "user.password_change", "user", user.id)
    return user


def usable_admin_count() -> int:
    """How many admins can sign in (active and not locked)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(User)
            .where(User.role == ADMIN, User.active.is_(True), User.locked_at.is_(None))
        )
        or 0
    )


def _keep_an_admin(user: User, field: str) -> None:
    """Refuse a change that would leave no admin able to sign in (only the CLI could undo it)."""
    usable = user.role == ADMIN and user.active and user.locked_at is None
    if usable and usable_admin_count() <= 1:
        message = N_("This is the only admin who can sign in; add another admin first.")
        raise Conflict(message, fields={field: message})


def lock_user(user: User, *, actor: User | None, by: str | None = None) -> User:
    """The seized-phone lock: every session and API token ends; no sign-in until unlocked.

    On the admin's page the last usable admin cannot be locked; the CLI (actor None), her own
    lock phrase (by "lock_phrase") and a colleague (by "colleague") always can."""
    if actor is not None and by is None:
        _keep_an_admin(user, "locked")
    if user.locked_at is None:
        user.locked_at = utcnow()
        user.session_version += 1
    end_sessions(user)
    revoke_tokens(user, actor=actor, reason="locked")
    audit.record(actor, "user.lock", "user", user.id, {"by": by} if by else None)
    return user


def unlock_user(user: User, *, actor: User | None) -> User:
    """Lift the lock (admins and the CLI only); ended sessions and tokens stay ended."""
    if user.locked_at is not None:
        user.locked_at = None
        audit.record(actor, "user.unlock", "user", user.id)
    return user


def list_users() -> list[User]:
    """Every user, by role then email."""
    return list(db.session.scalars(sa.select(User).order_by(User.role, User.email)))


def active_peer_educators() -> list[User]:
    """Active peer educators (the choices when a member is reassigned)."""
    query = sa.select(User).where(User.role == PEER_EDUCATOR, User.active.is_(True))
    return list(db.session.scalars(query))
