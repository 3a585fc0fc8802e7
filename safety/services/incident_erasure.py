"""Erasing what an incident says: its description and area go when the member is anonymised
(referrals' `member_anonymised` signal) and 24 months after it was recorded (a retention step).
The incident itself stays, with its codes, for the counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from core import audit
from core.db import rowcount
from core.extensions import db
from core.security import Actor
from referrals.signals import member_anonymised
from safety.models import Incident

KEEP_MONTHS = 24


def _holds_text() -> sa.ColumnElement[bool]:
    return sa.or_(Incident.description.is_not(None), Incident.area.is_not(None))


def _erase(condition: sa.ColumnElement[bool], now: datetime) -> int:
    """Erase the description and area of the matching incidents (one UPDATE; flushes)."""
    db.session.flush()
    result = db.session.execute(
        sa.update(Incident)
        .where(condition, _holds_text())
        .values(description=None, area=None, description_erased_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return rowcount(result)


def erase_member_incidents(
    _sender: object, *, member_id: int, actor: Actor | None, at: datetime, **_extra: Any
) -> None:
    """Receiver of `member_anonymised`: her incidents' descriptions and areas are erased."""
    erased = _erase(Incident.member_id == member_id, at)
    if erased:
        details = {"member_id": member_id, "count": erased, "reason": "anonymised"}
        audit.record(actor, "incident.erase", "incident", None, details)


def subscribe() -> None:
    """Receive referrals' member_anonymised signal (blinker keeps a receiver once, so every
    app's init_app may call this)."""
    member_anonymised.connect(erase_member_incidents)


def months_before(moment: datetime, months: int) -> datetime:
    """The same local-clock moment `months` calendar months earlier (the 31st becomes the
    month's last day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = moment.day
    while True:
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:
            day -= 1


def purge_incident_descriptions(now: datetime) -> dict[str, int]:
    """Retention step: descriptions and areas of incidents recorded more than 24 months ago are
    erased (flushes; the caller commits)."""
    erased = _erase(Incident.created_at < months_before(now, KEEP_MONTHS), now)
    if erased:
        audit.record(
            None, "incident.erase", "incident", None, {"count": erased, "reason": "retention"}
        )
    return {"descriptions_erased": erased}
