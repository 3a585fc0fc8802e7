"""Help now: the directory's places that help after violence (open now first, then nearest), the
crisis contacts admins keep for her district, and the urgent referral made with one tap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa

import clinics.services
from clinics import geo
from clinics.models import Clinic
from clinics.services.search_args import MAX_PER_PAGE
from core import audit
from core.errors import ValidationFailed
from core.extensions import db
from core.i18n import N_
from core.security import Actor
from referrals.models import Referral
from referrals.services import lifecycle
from safety.models import (
    CRISIS_CONTACT_KINDS,
    HELP_SERVICES,
    CrisisContact,
    Incident,
    IncidentReferral,
)
from safety.services.incidents import check_role, get_incident

MAX_PLACES = 20  # a phone's screen of places; the nearest open ones come first anyway


class HelpPlace(NamedTuple):
    """A place that helps: the clinic, its distance from her (when her location is known) and
    whether it is open now."""

    clinic: Clinic
    distance_km: float | None
    open_now: bool


@dataclass
class HelpNow:
    """What help now shows: places (open now first, then nearest) and crisis contacts."""

    places: list[HelpPlace]
    contacts: list[CrisisContact]
    district: str | None = None
    near: tuple[float, float] | None = None


def _district(value: str | None) -> str | None:
    if value is None or not str(value).strip():
        return None
    name = clinics.services.normalise_district(value)
    if name is None:
        raise ValidationFailed(
            N_("Unknown district."), fields={"district": N_("Unknown district.")}
        )
    return name


def _help_clinics(near: tuple[float, float] | None) -> dict[int, tuple[Clinic, float | None]]:
    """Active clinics offering any of HELP_SERVICES (one directory search per service, as the
    search matches every service it is given), with their distance from `near`."""
    known = set(clinics.services.known_service_codes())
    found: dict[int, tuple[Clinic, float | None]] = {}
    for code in HELP_SERVICES:
        if code not in known:
            continue
        page = clinics.services.search_clinics(services=[code], near=near, per_page=MAX_PER_PAGE)
        for hit in page.items:
            found.setdefault(hit.clinic.id, (hit.clinic, hit.distance_km))
    return found


def _centre(district: str) -> tuple[float, float] | None:
    """The middle of the district's active clinics that have a position (where to measure from
    when her own location is not known)."""
    row = db.session.execute(
        sa.select(sa.func.avg(Clinic.latitude), sa.func.avg(Clinic.longitude)).where(
            Clinic.district == district,
            Clinic.status == "active",
            Clinic.latitude.is_not(None),
            Clinic.longitude.is_not(None),
        )
    ).one()
    return None if row[0] is None else (float(row[0]), float(row[1]))


def help_places(
    district: str | None, near: tuple[float, float] | None, now: datetime
) -> list[HelpPlace]:
    """Open now first; then by distance from her (`near`), or, without it, the district's own
    places first, then by distance from the district's clinics; then by name."""
    found = _help_clinics(near)
    centre = _centre(district) if near is None and district else None

    def key(item: tuple[Clinic, float | None, bool]) -> tuple[Any, ...]:
        clinic, distance, open_now = item
        if near is None:
            away = clinic.district != district if district else False
            if centre is not None and clinic.latitude is not None and clinic.longitude is not None:
                distance = geo.haversine_km(*centre, clinic.latitude, clinic.longitude)
            return (not open_now, away, distance is None, distance or 0.0, clinic.name)
        return (not open_now, distance is None, distance or 0.0, clinic.name)

    rows = [
        (clinic, distance, clinics.services.is_open_at(clinic, now))
        for clinic, distance in found.values()
    ]
    rows.sort(key=key)
    return [
        HelpPlace(clinic, distance if near is not None else None, open_now)
        for clinic, distance, open_now in rows[:MAX_PLACES]
    ]


def help_contacts(district: str | None) -> list[CrisisContact]:
    """Active crisis contacts of the district and those for every district: by kind (legal,
    shelter, hotline, escort, community), the district's own before the general ones, by name."""
    kind_order = sa.case(
        {kind: i for i, kind in enumerate(CRISIS_CONTACT_KINDS)}, value=CrisisContact.kind
    )
    where: sa.ColumnElement[bool] = CrisisContact.district.is_(None)
    if district is not None:
        where = sa.or_(where, CrisisContact.district == district)
    query = (
        sa.select(CrisisContact)
        .where(CrisisContact.active.is_(True), where)
        .order_by(
            kind_order, CrisisContact.district.is_(None), CrisisContact.name, CrisisContact.id
        )
    )
    return list(db.session.scalars(query))


def help_for(
    incident: Incident | None,
    actor: Actor,
    *,
    district: str | None,
    near: tuple[float, float] | None,
    now: datetime,
) -> HelpNow:
    """Help now for an incident (its district unless another is given) or without one (her
    district or location); audited."""
    check_role(actor)
    if incident is not None:
        get_incident(incident.id, actor, audit_read=False)  # in her scope, else NotFound
    name = _district(district if district is not None else getattr(incident, "district", None))
    places = help_places(name, near, now)
    contacts = help_contacts(name)
    details = {"district": name, "near": near is not None, "places": len(places)}
    audit.record(actor, "incident.help", "incident", getattr(incident, "id", None), details)
    return HelpNow(places=places, contacts=contacts, district=name, near=near)


def urgent_referral(
    incident: Incident,
    *,
    clinic_id: int,
    services: list[str],
    actor: Actor,
    now: datetime,
    channel: str = "web",
) -> Referral:
    """An urgent referral of the incident's member, through referrals' own service (its checks
    and its planned SMS), linked to the incident; audited. Needs a registered member."""
    check_role(actor)
    incident = get_incident(incident.id, actor, audit_read=False)
    if incident.member_id is None:
        raise ValidationFailed(
            N_("Register her as a member first to refer her."),
            fields={"member_id": N_("Register her as a member first.")},
        )
    referral, _notices = lifecycle.create_referral(
        actor=actor,  # type: ignore[arg-type]  # a User: the pages and the API pass one
        member_id=incident.member_id,
        clinic_id=clinic_id,
        services=services,
        urgency="urgent",
        channel=channel,
        now=now,
    )
    link = IncidentReferral(incident_id=incident.id, referral_id=referral.id, created_at=now)
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "incident.referral", "incident", incident.id, {"referral_id": referral.id})
    return referral
