"""JSON API of incidents and help now (CONTRACT.md): peer educators their own, admins all; a
clinic partner or a viewer is refused every endpoint (403)."""

from __future__ import annotations

from flask import jsonify

import clinics.services
from core.api import api_require, api_user, paged
from core.db import utcnow
from core.errors import BadInput
from core.i18n import N_
from core.openapi import endpoint
from core.schemas import ListOf
from core.web import transactional
from safety.api import routes
from safety.schemas.incidents import (
    HelpAnswer,
    HelpQuery,
    Incident,
    IncidentCreate,
    IncidentQuery,
)
from safety.services import help as help_now
from safety.services import incidents
from safety.services.crisis_contacts import contact_json

PERMISSION = "incidents.record"


@routes.post("/incidents")
@api_require(PERMISSION)
@transactional
@endpoint(
    "Record an incident, with her consent (peer educator, admin)",
    body=IncidentCreate,
    response=Incident,
    status=201,
)
def api_incident_create(body: IncidentCreate):
    """Record an incident → 201."""
    incident = incidents.record_incident(body.data(), api_user())
    return jsonify(incidents.incident_json(incident, api_user())), 201


@routes.get("/incidents")
@api_require(PERMISSION)
@transactional
@endpoint(
    "Incidents: a peer educator's own, all for admins",
    query=IncidentQuery,
    response=ListOf[Incident],
)
def api_incident_list(query: IncidentQuery):
    """Incidents in the caller's scope, the latest first; the read is audited."""
    rows, total = incidents.list_incidents(
        api_user(),
        status=query.status,
        needs_help=query.needs_help,
        member_id=query.member_id,
        page=query.page,
        per_page=query.per_page,
    )
    items = [incidents.incident_json(row, api_user()) for row in rows]
    return paged(items, total, query.page, query.per_page)


@routes.get("/incidents/<int:incident_id>")
@api_require(PERMISSION)
@transactional
@endpoint("One incident (the read is audited)", response=Incident)
def api_incident_get(incident_id: int):
    """One incident; another peer educator's is 404."""
    incident = incidents.get_incident(incident_id, api_user())
    return jsonify(incidents.incident_json(incident, api_user()))


@routes.post("/incidents/<int:incident_id>/close")
@api_require(PERMISSION)
@transactional
@endpoint(
    "Close an incident: she needs no more help with it (extension)",
    response=Incident,
    errors=(409,),
)
def api_incident_close(incident_id: int):
    """Close an incident (its peer educator, admin); closing it again is 409."""
    incident = incidents.get_incident(incident_id, api_user(), audit_read=False)
    incidents.close_incident(incident, api_user())
    return jsonify(incidents.incident_json(incident, api_user()))


def _point(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    lat, _, lon = text.partition(",")
    try:
        return float(lat), float(lon)
    except ValueError:  # the pattern let it through; still, never a 500
        raise BadInput(
            N_("Not a point (latitude,longitude)."),
            fields={"near": N_("Not a point (latitude,longitude).")},
        ) from None


@routes.get("/incidents/<int:incident_id>/help")
@api_require(PERMISSION)
@transactional
@endpoint(
    "Help now: places after violence, legal aid, mental health (open now first, then nearest) "
    "and the crisis contacts of the incident's district",
    query=HelpQuery,
    response=HelpAnswer,
)
def api_incident_help(incident_id: int, query: HelpQuery):
    """Help now for an incident; `near=lat,lon` sorts places by distance from her."""
    user, now = api_user(), utcnow()
    incident = incidents.get_incident(incident_id, user)
    found = help_now.help_for(
        incident, user, district=query.district, near=_point(query.near), now=now
    )
    places = [
        clinics.services.clinic_to_dict(place.clinic, distance_km=place.distance_km, now=now)
        for place in found.places
    ]
    contacts = [contact_json(contact) for contact in found.contacts]
    return jsonify({"places": places, "contacts": contacts})
