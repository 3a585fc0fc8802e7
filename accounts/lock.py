"""The seized-phone lock from outside: her lock phrase on the lock page, or a colleague.

The lock page answers the same whether or not the email and phrase matched (no account
discovery), and spends about the same time on both (a hash is verified either way).
"""

from __future__ import annotations

import contextlib
import unicodedata

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from accounts import services
from accounts.models import User
from core import audit
from core.errors import Forbidden, ValidationFailed
from core.i18n import N_
from core.security import PEER_EDUCATOR

MIN_PHRASE_WORDS = 3
MIN_PHRASE_LENGTH = 12
MAX_PHRASE_LENGTH = 200


def normalise_phrase(text: object) -> str:
    """The phrase as compared: Unicode NFC, case folded, spaces collapsed."""
    if not isinstance(text, str):
        return ""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _check(stored: str | None, phrase: str) -> bool:
    hasher = services._hasher()
    if not stored:
        with contextlib.suppress(VerificationError):
            hasher.verify(services._dummy_hash(), phrase)
        return False
    try:
        return hasher.verify(stored, phrase)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def set_lock_phrase(user: User, current_password: str, phrase: object) -> User:
    """She sets (or changes) her lock phrase; her password is asked first."""
    if not _check(user.password_hash, current_password or ""):
        message = N_("The current password is not right.")
        raise ValidationFailed(message, fields={"current_password": message})
    text = normalise_phrase(phrase)
    if len(text) > MAX_PHRASE_LENGTH or (
        len(text.split()) < MIN_PHRASE_WORDS and len(text) < MIN_PHRASE_LENGTH
    ):
        message = N_("Use at least 3 words or 12 characters.")
        raise ValidationFailed(message, fields={"phrase": message})
    if text == normalise_phrase(current_password):
        message = N_("The lock phrase must not be your password.")
        raise ValidationFailed(message, fields={"phrase": message})
    user.lock_phrase_hash = services.hash_password(text)
    audit.record(user, "user.lock_phrase", "user", user.id)
    return user


def lock_with_phrase(email: object, phrase: object) -> None:
    """The lock page: lock the account when the email and the lock phrase match; says nothing
    either way (the page's answer is the same)."""
    user = services.find_by_email(email if isinstance(email, str) else "")
    matched = _check(user.lock_phrase_hash if user else None, normalise_phrase(phrase))
    if user is not None and matched and user.locked_at is None:
        services.lock_user(user, actor=user, by="lock_phrase")


def lock_colleague(email: object, *, actor: User) -> None:
    """A peer educator locks a colleague peer educator's account by her email. An email that is
    not a peer educator's changes nothing and is answered the same."""
    if actor.role != PEER_EDUCATOR:
        raise Forbidden(N_("Only a peer educator can lock a colleague's account."))
    if not isinstance(email, str) or "@" not in email:
        message = N_("Enter a valid email address.")
        raise ValidationFailed(message, fields={"email": message})
    user = services.find_by_email(email)
    if user is not None and user.role == PEER_EDUCATOR and user.locked_at is None:
        services.lock_user(user, actor=actor, by="colleague")
