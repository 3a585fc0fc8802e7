"""What a new referral or a new time asks before anything is saved: the clinic is closed then, or
she already has an open referral there for the same services.

A page asks first (the service raises `NeedsConfirmation` until she says "anyway"); the API never
asks (CONTRACT.md): it goes ahead and reports the same notices as `warnings`."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from clinics.hours import DAY_NAMES, DAYS
from clinics.models import Clinic
from core.errors import Conflict
from core.extensions import db
from core.i18n import N_, Digits, Text
from referrals.models import Referral

CLINIC_CLOSED = "clinic_closed"
DUPLICATE_REFERRAL = "duplicate_referral"
OPEN_STATUSES = ("referred", "scheduled", "missed")


@dataclass(frozen=True)
class Notice:
    """One thing to ask about: a stable code and its words (English for the API, the reader's
    language on a page); `existing` is the open referral a duplicate would repeat."""

    code: str
    text: Text
    existing: Referral | None = None

    def json(self) -> dict[str, str]:
        """CONTRACT.md's warning object (a duplicate also names the open referral's code)."""
        body = {"code": self.code, "message": self.text.english()}
        if self.existing is not None:
            body["referral_code"] = self.existing.code
        return body


class NeedsConfirmation(Conflict):
    """A page must ask first: nothing was saved. `notices` says what to ask (409 if it leaks)."""

    def __init__(self, notices: list[Notice]) -> None:
        first = notices[0]
        super().__init__(
            first.text,
            code=first.code,
            extra={"warnings": [n.json() for n in notices]},
        )
        self.notices = notices


def _local(when: datetime) -> datetime:
    return when.astimezone(ZoneInfo(current_app.config["APP_TIMEZONE"]))


def closed_notice(clinic: Clinic, when: datetime | None) -> Notice | None:
    """The clinic is closed at `when` (its opening hours), with its hours that day in words."""
    from referrals.services.clinic_directory import is_open_at

    if when is None or is_open_at(clinic, when):
        return None
    day = DAYS[_local(when).weekday()]
    intervals = (clinic.hours or {}).get(day) or []
    params: dict[str, object] = {"day": Text(DAY_NAMES[day])}
    if intervals:
        params["hours"] = Digits(", ".join(f"{start}–{end}" for start, end in intervals))
        text = Text(
            N_("The clinic is closed at that time. On %(day)s it is open %(hours)s."), params
        )
    else:
        text = Text(N_("The clinic is closed all day on %(day)s."), params)
    return Notice(CLINIC_CLOSED, text)


def duplicate_notice(member_id: int, clinic_id: int, services: Iterable[str]) -> Notice | None:
    """She already has an open referral to this clinic for the same services."""
    wanted = sorted(set(services))
    candidates = db.session.scalars(
        sa.select(Referral)
        .where(
            Referral.member_id == member_id,
            Referral.clinic_id == clinic_id,
            Referral.status.in_(OPEN_STATUSES),
        )
        .order_by(Referral.created_at.desc(), Referral.id.desc())
    ).unique()
    for referral in candidates:
        if sorted(set(referral.services or [])) == wanted:
            text = Text(
                N_("She already has an open referral to this clinic for the same services.")
            )
            return Notice(DUPLICATE_REFERRAL, text, existing=referral)
    return None


def ask_first(
    notices: Iterable[Notice | None], *, ask: bool, accepted: Collection[str] = ()
) -> list[Notice]:
    """The notices that apply. When `ask` (a page), any not in `accepted` stops the change
    before anything is saved (NeedsConfirmation); otherwise (the API) they are reported."""
    found = [n for n in notices if n is not None]
    pending = [n for n in found if n.code not in accepted]
    if ask and pending:
        raise NeedsConfirmation(pending)
    return found
