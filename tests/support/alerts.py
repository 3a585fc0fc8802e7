"""Safety alerts for the tests: an incident to draft from, members who may or may not get an
alert, and a valid draft body (UX.md's example texts)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.extensions import db
from tests.support.clock import NOW

TEXT_BN = "আপা, আজ রাতে গ্রিন পয়েন্টের কাছে সাবধানে থাকুন।"
TEXT_EN = "Apa, take care near Green Point tonight."


def alert_incident(actor, *, consent: bool = True, district: str = "Dhaka"):
    """An incident (committed) whose alert consent is `consent`, recorded by `actor`."""
    from safety.models import Incident

    incident = Incident(
        peer_educator_id=actor.id,
        recorded_by_id=actor.id,
        occurred_on=(NOW - timedelta(days=1)).date(),
        district=district,
        place_type="hotel",
        consent_alert=consent,
    )
    db.session.add(incident)
    db.session.commit()
    return incident


def alert_body(incident, now: datetime = NOW, **changes: Any) -> dict[str, Any]:
    """A valid draft: Dhaka, UX.md's texts, a day to run."""
    body: dict[str, Any] = {
        "incident_id": incident.id,
        "districts": ["Dhaka"],
        "text_en": TEXT_EN,
        "text_bn": TEXT_BN,
        "expires_at": now + timedelta(days=1),
    }
    body.update(changes)
    return body


def alert_member(
    pe,
    *,
    language: str = "bn",
    district: str | None = "Dhaka",
    consent: bool = True,
    phone: str | None = None,
    shared: bool = False,
    held: bool = False,
    opted_out: bool = False,
):
    """A member of `pe` (committed) with her district and alert consent set as asked."""
    from notifications import services as notifications
    from referrals.services import members
    from tests.support.factories import phone as new_phone

    member = members.register_member(
        actor=pe,
        phone=phone or new_phone(),
        language=language,
        sms_consent=True,
        shared_phone=shared,
        now=NOW,
    )
    contact = member.contact
    notifications.set_alert_preferences(
        contact, district=district, alert_consent=consent, actor_id=pe.id, now=NOW
    )
    if held:
        notifications.hold(contact, now=NOW)
    if opted_out:
        notifications.opt_out(contact, now=NOW)
    db.session.commit()
    return member
