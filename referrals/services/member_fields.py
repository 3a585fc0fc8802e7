"""The checks of a member's own fields at registration: UIC, nickname, yes/no answers."""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa

from core.errors import ValidationFailed
from core.extensions import db
from core.i18n import N_
from referrals.models import Member

UIC_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U
_UIC = re.compile(r"^[A-Z0-9][A-Z0-9\-/]{2,31}$")
MAX_NICKNAME = 40


def normalise_uic(text: str | None) -> str:
    """UICs are compared upper-case without surrounding or inner spaces."""
    return re.sub(r"\s+", "", (text or "").upper())


def new_uic() -> str:
    """A fresh UIC no member has yet."""
    while True:
        uic = "M" + "".join(secrets.choice(UIC_ALPHABET) for _ in range(6))
        if not db.session.scalar(sa.select(Member.id).where(Member.uic == uic)):
            return uic


def flag(value: object, field: str) -> bool:
    """A yes/no field must be true or false (a 422 naming the field otherwise)."""
    if not isinstance(value, bool):
        raise ValidationFailed(
            N_("%(field)s must be true or false."),
            params={"field": field},
            fields={field: N_("true or false.")},
        )
    return value


def check_uic(uic: object) -> str | None:
    """A typed UIC normalised and not used yet, or None to have one made."""
    if uic is not None and not isinstance(uic, str):
        raise ValidationFailed(N_("UIC must be text."), fields={"uic": N_("Must be text.")})
    value = normalise_uic(uic) or None
    if value is None:
        return None
    if not _UIC.match(value):
        raise ValidationFailed(
            N_("UIC: 3 to 32 letters, digits, '-' or '/'."),
            fields={"uic": N_("Not a valid UIC.")},
        )
    if db.session.scalar(sa.select(Member.id).where(Member.uic == value)):
        raise ValidationFailed(N_("That UIC is already used."), fields={"uic": N_("Already used.")})
    return value


def check_nickname(nickname: object) -> None:
    """A nickname is optional text of at most MAX_NICKNAME characters."""
    if nickname is not None and (not isinstance(nickname, str) or len(nickname) > MAX_NICKNAME):
        raise ValidationFailed(
            N_("Nickname: at most %(count)s characters."),
            params={"count": MAX_NICKNAME},
            fields={"nickname": N_("Too long.")},
        )
