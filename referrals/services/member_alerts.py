"""A member's safety-alert fields (issue 13): the district she works in and her consent to safety
alerts. Both live on her contact (notifications decides who an alert reaches from its own tables);
this module checks them, records the change and audits it (never the phone)."""

from __future__ import annotations

from datetime import datetime

from accounts.models import User
from core import audit
from core.db import utcnow
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.i18n import N_
from notifications import services as notifications
from referrals.models import Member


def parse_district(value: object) -> str | None:
    """One of the 64 districts by its official name (older spellings accepted), None when empty;
    ValidationFailed on the `district` field otherwise."""
    from clinics.services import normalise_district

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    name = normalise_district(value) if isinstance(value, str) else None
    if name is None:
        raise ValidationFailed(
            N_("Unknown district."), fields={"district": N_("Choose one of the districts.")}
        )
    return name


def parse_consent(value: object) -> bool:
    """Alert consent must be true or false (a 422 on `alert_consent` otherwise)."""
    if not isinstance(value, bool):
        raise ValidationFailed(
            N_("%(field)s must be true or false."),
            params={"field": "alert_consent"},
            fields={"alert_consent": N_("true or false.")},
        )
    return value


def record_alert_fields(
    member: Member, *, actor: User, district: str | None, consent: bool, now: datetime
) -> None:
    """Store already-checked fields on her contact; audit a change of consent (and of district)."""
    contact = member.contact
    consent_changed = consent != bool(contact.alert_consent)
    district_changed = district != contact.district
    notifications.set_alert_preferences(
        contact, district=district, alert_consent=consent, actor_id=actor.id, now=now
    )
    if consent_changed:
        audit.record(actor, "member.alert_consent", "member", member.id, {"consent": consent})
    if district_changed:
        audit.record(actor, "member.update", "member", member.id, {"changed": ["district"]})


def change_alert_fields(
    member: Member,
    *,
    actor: User,
    district: object,
    alert_consent: object,
    now: datetime | None = None,
) -> Member:
    """Her district and safety-alert consent (asked aloud by her peer educator); withdrawing the
    consent cancels the alerts still waiting for her. Audited without the phone."""
    if member.anonymised_at is not None:
        raise Conflict(N_("This member was anonymised; she has no phone number."))
    name = parse_district(district)
    consent = parse_consent(alert_consent)
    record_alert_fields(member, actor=actor, district=name, consent=consent, now=now or utcnow())
    db.session.flush()
    return member


def consent_given_by(member: Member) -> str | None:
    """The name of the colleague who last recorded her answer about alerts, if known."""
    user_id = member.contact.alert_consent_by_id
    user = db.session.get(User, user_id) if user_id is not None else None
    return user.display_name if user is not None else None
