"""Incidents for the safety tests: a valid body, and incidents recorded through the service."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from core.db import utcnow
from core.extensions import db
from tests.support.clock import DHAKA

# Words that must never be found in clear: in the database, the logs or the audit rows.
SECRET_DESCRIPTION = "Beaten behind the Moonlight hotel by officer Rakib"
SECRET_AREA = "Moonlight hotel lane"


def today(now: datetime | None = None) -> date:
    """The local date, by default of the real clock (APP_TIMEZONE is Asia/Dhaka in the tests)."""
    return (now or utcnow()).astimezone(DHAKA).date()


def incident_body(**changes: Any) -> dict[str, Any]:
    """CONTRACT.md's incident body, valid as it is (the date: yesterday, local, real clock)."""
    body: dict[str, Any] = {
        "occurred_on": (today() - timedelta(days=1)).isoformat(),
        "district": "Dhaka",
        "area": SECRET_AREA,
        "place_type": "hotel",
        "perpetrators": ["police", "hotel_staff"],
        "violations": ["physical", "extortion"],
        "needs_help_now": True,
        "description": SECRET_DESCRIPTION,
        "consent": {"advocacy": True, "alert": False, "legal": True},
    }
    body.update(changes)
    return body


def record(actor, now: datetime | None = None, **changes: Any):
    """An incident recorded through the service (committed)."""
    from safety.services.incidents import record_incident

    incident = record_incident(incident_body(**changes), actor, now=now)
    db.session.commit()
    return incident


def register(pe, **fields: Any):
    """A member of this peer educator, registered through the service (committed)."""
    from referrals.services import members
    from tests.support.factories import phone

    fields.setdefault("phone", phone())
    fields.setdefault("language", "bn")
    fields.setdefault("sms_consent", True)
    member = members.register_member(actor=pe, **fields)
    db.session.commit()
    return member
