"""Incidents: recorded by a peer educator (or an admin), read by her and by admins only, every
read audited; the description and area never reach an audit row or a log line.

Scope (DESIGN.md's table): an admin sees every incident, a peer educator those she is
responsible for (another's is NotFound, as if it did not exist); a clinic partner or a viewer
may call none of these (Forbidden: viewers read counts through the reports)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from accounts.models import User
from clinics.services import app_zone
from core import audit
from core.api import iso_local
from core.db import utcnow
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.i18n import N_
from core.security import ADMIN, PEER_EDUCATOR, Actor
from referrals.models import Member, Referral
from referrals.services.scope import members_query
from safety.models import (
    INCIDENT_STATUSES,
    Incident,
    IncidentPerpetrator,
    IncidentReferral,
    IncidentViolation,
)
from safety.services.incident_fields import clean_incident, invalid

# The erasures (the member_anonymised receiver, the retention step): incident_erasure.py.
__all__ = [
    "close_incident",
    "get_incident",
    "incident_json",
    "incidents_query",
    "list_incidents",
    "open_needing_help",
    "record_incident",
]


def check_role(actor: Actor | None) -> None:
    """Only admins and peer educators touch incidents (Forbidden for every other role)."""
    if getattr(actor, "role", None) not in (ADMIN, PEER_EDUCATOR):
        raise Forbidden(N_("Your role may not see incidents."))


def incidents_query(actor: Actor) -> sa.Select:
    """Incidents the actor may see: an admin all, a peer educator those she is responsible for."""
    check_role(actor)
    query = sa.select(Incident)
    if actor.role == PEER_EDUCATOR:
        query = query.where(Incident.peer_educator_id == actor.id)
    return query


def _member(member_id: int | None, actor: Actor) -> Member | None:
    """The member she is, when named: in the actor's scope and not anonymised (else 422)."""
    if member_id is None:
        return None
    member = db.session.scalar(members_query(actor).where(Member.id == member_id))
    if member is None:
        raise invalid({"member_id": N_("No such member.")})
    if member.anonymised_at is not None:
        raise invalid({"member_id": N_("She was anonymised: record it without naming her.")})
    return member


def _responsible(actor: Actor, member: Member | None, peer_educator_id: int | None) -> int:
    """The peer educator responsible: an admin may name one (she must be the member's), else the
    member's peer educator, else the admin; a peer educator is always responsible herself."""
    if actor.role == PEER_EDUCATOR:
        if peer_educator_id not in (None, actor.id):
            raise invalid({"peer_educator_id": N_("Only an admin names another peer educator.")})
        return actor.id
    if peer_educator_id is None:
        return member.peer_educator_id if member is not None else actor.id
    user = db.session.get(User, peer_educator_id)
    if user is None or user.role != PEER_EDUCATOR or not user.active:
        raise invalid({"peer_educator_id": N_("Not a peer educator.")})
    if member is not None and member.peer_educator_id != user.id:
        raise invalid({"peer_educator_id": N_("She is another peer educator's member.")})
    return user.id


def record_incident(
    data: Mapping[str, Any], actor: Actor, *, now: datetime | None = None
) -> Incident:
    """Record an incident (CONTRACT.md's body as a mapping; `peer_educator_id` for admins);
    every field is checked (ValidationFailed naming each), the record is audited without its
    description or area."""
    check_role(actor)
    now = now or utcnow()
    fields = clean_incident(data, today=now.astimezone(app_zone()).date())
    member = _member(fields.member_id, actor)
    incident = Incident(
        member_id=None if member is None else member.id,
        peer_educator_id=_responsible(actor, member, fields.peer_educator_id),
        recorded_by_id=actor.id,
        occurred_on=fields.occurred_on,
        district=fields.district,
        area=fields.area,
        place_type=fields.place_type,
        needs_help_now=fields.needs_help_now,
        description=fields.description,
        consent_advocacy=fields.consent["advocacy"],
        consent_alert=fields.consent["alert"],
        consent_legal=fields.consent["legal"],
        status="open",
        created_at=now,
    )
    incident.perpetrator_rows = [IncidentPerpetrator(code=c) for c in fields.perpetrators]
    incident.violation_rows = [IncidentViolation(code=c) for c in fields.violations]
    db.session.add(incident)
    db.session.flush()
    details = {"member_id": incident.member_id, "needs_help_now": incident.needs_help_now}
    audit.record(actor, "incident.record", "incident", incident.id, details)
    return incident


def get_incident(incident_id: object, actor: Actor, *, audit_read: bool = True) -> Incident:
    """One incident in the actor's scope (another peer educator's: NotFound); the read is
    audited."""
    query = incidents_query(actor)
    if not isinstance(incident_id, int) or isinstance(incident_id, bool):
        raise NotFound(N_("No such incident."))
    incident = db.session.scalar(query.where(Incident.id == incident_id))
    if incident is None:
        raise NotFound(N_("No such incident."))
    if audit_read:
        audit.record(actor, "incident.read", "incident", incident.id)
    return incident


def list_incidents(
    actor: Actor,
    *,
    status: str | None = None,
    needs_help: bool | None = None,
    member_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Incident], int]:
    """The incidents in the actor's scope, the latest first, and how many match; audited with
    the count."""
    query = incidents_query(actor)
    if status is not None:
        if status not in INCIDENT_STATUSES:
            raise ValidationFailed(N_("Unknown status."), fields={"status": N_("Unknown.")})
        query = query.where(Incident.status == status)
    if needs_help is not None:
        query = query.where(Incident.needs_help_now.is_(needs_help))
    if member_id is not None:
        query = query.where(Incident.member_id == member_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    ordered = query.order_by(Incident.occurred_on.desc(), Incident.id.desc())
    rows = list(db.session.scalars(ordered.limit(per_page).offset((page - 1) * per_page)))
    audit.record(actor, "incident.list", "incident", None, {"count": len(rows), "page": page})
    return rows, total


def close_incident(incident: Incident, actor: Actor, *, now: datetime | None = None) -> Incident:
    """Close an incident (admins, her peer educator): she no longer needs help with it. A
    closed incident cannot be closed again (Conflict)."""
    check_role(actor)
    if actor.role != ADMIN and incident.peer_educator_id != actor.id:
        raise NotFound(N_("No such incident."))
    if incident.status == "closed":
        raise Conflict(N_("This incident is already closed."))
    incident.status = "closed"
    incident.closed_at = now or utcnow()
    incident.closed_by_id = actor.id
    db.session.flush()
    audit.record(actor, "incident.close", "incident", incident.id)
    return incident


def may_read_description(incident: Incident, actor: Actor) -> bool:
    """Only its peer educator and admins read the description and the area."""
    role = getattr(actor, "role", None)
    return role == ADMIN or (role == PEER_EDUCATOR and incident.peer_educator_id == actor.id)


def referral_codes(incident: Incident) -> list[str]:
    """The codes of the urgent referrals made from this incident, oldest first."""
    query = (
        sa.select(Referral.code)
        .join(IncidentReferral, IncidentReferral.referral_id == Referral.id)
        .where(IncidentReferral.incident_id == incident.id)
        .order_by(IncidentReferral.created_at, Referral.id)
    )
    return list(db.session.scalars(query))


def incident_json(incident: Incident, actor: Actor) -> dict[str, Any]:
    """CONTRACT.md's incident object; `description` and `area` only for its peer educator and
    admins."""
    body: dict[str, Any] = {
        "id": incident.id,
        "member_id": incident.member_id,
        "peer_educator_id": incident.peer_educator_id,
        "occurred_on": incident.occurred_on.isoformat(),
        "district": incident.district,
        "place_type": incident.place_type,
        "perpetrators": incident.perpetrators,
        "violations": incident.violations,
        "needs_help_now": incident.needs_help_now,
        "consent": {
            "advocacy": incident.consent_advocacy,
            "alert": incident.consent_alert,
            "legal": incident.consent_legal,
        },
        "status": incident.status,
        "created_at": iso_local(incident.created_at),
        "closed_at": iso_local(incident.closed_at),
        "description_erased": incident.description_erased_at is not None,
        "referrals": referral_codes(incident),
    }
    if may_read_description(incident, actor):
        body["area"] = incident.area
        body["description"] = incident.description
    return body


def open_needing_help(peer_educator_id: int) -> list[Incident]:
    """Her open incidents that still need help, the latest first (the task list's section)."""
    query = (
        sa.select(Incident)
        .where(
            Incident.peer_educator_id == peer_educator_id,
            Incident.status == "open",
            Incident.needs_help_now.is_(True),
        )
        .order_by(Incident.occurred_on.desc(), Incident.id.desc())
    )
    return list(db.session.scalars(query))
