"""JSON API endpoints of the clinics package (`routes`, added to the app's API by init_app)."""

from __future__ import annotations

from flask import jsonify, request

from clinics import services
from clinics.reference import FEEDBACK_QUESTIONS
from clinics.schemas import (
    Clinic,
    ClinicChange,
    ClinicCreate,
    ClinicSearch,
    FeedbackCreate,
    FeedbackCreated,
    Service,
    ServiceCreate,
)
from clinics.services.feedback import feedback_summary
from core.api import ApiRoutes, api_require, api_user, paged
from core.db import utcnow
from core.openapi import endpoint
from core.schemas import ListOf
from core.web import transactional

routes = ApiRoutes()


@routes.get("/services")
@api_require("clinics.read")
@endpoint("The service catalogue", response=list[Service])
def services_list():
    """The service catalogue."""
    return jsonify([services.service_to_dict(s) for s in services.get_services()])


@routes.post("/services")
@api_require("services.edit")
@transactional
@endpoint("Add a service (admin)", body=ServiceCreate, response=Service, status=201, errors=(409,))
def services_create(body: ServiceCreate):
    """Add a service to the catalogue (admins)."""
    service = services.create_service(body.code, body.name_en, body.name_bn, api_user())
    return jsonify(services.service_to_dict(service)), 201


@routes.get("/clinics")
@api_require("clinics.read")
@endpoint("Search the clinic directory", query=ClinicSearch, response=ListOf[Clinic], errors=(422,))
def clinics_search(query: ClinicSearch):
    """Search the directory (CONTRACT.md's filters); sorted by distance when `near` is given."""
    # The model checked the types; the search keeps its own reading of the values.
    now = utcnow()
    result = services.search_clinics(**services.parse_search_args(request.args, now=now))
    items = [
        services.clinic_to_dict(hit.clinic, distance_km=hit.distance_km, feedback=hit.feedback)
        for hit in result.items
    ]
    return paged(items, result.total, result.page, result.per_page)


@routes.get("/clinics/<int:clinic_id>")
@api_require("clinics.read")
@endpoint("One clinic", response=Clinic)
def clinics_get(clinic_id: int):
    """One clinic."""
    clinic = services.get_clinic(clinic_id)
    return jsonify(services.clinic_to_dict(clinic, feedback=feedback_summary(clinic.id)))


@routes.post("/clinics")
@api_require("clinics.edit")
@transactional
@endpoint("Create a clinic (admin)", body=ClinicCreate, response=Clinic, status=201)
def clinics_create(body: ClinicCreate):
    """Create a clinic (admins) → 201."""
    clinic = services.create_clinic(body.model_dump(exclude_unset=True), api_user())
    return jsonify(services.clinic_to_dict(clinic)), 201


@routes.patch("/clinics/<int:clinic_id>")
@api_require("clinics.edit_own")
@transactional
@endpoint(
    "Change a clinic (admin; a clinic partner: its own clinic's hours and phone)",
    body=ClinicChange,
    response=Clinic,
    description="Send `verified: true` (admin) to mark the entry verified now.",
)
def clinics_update(clinic_id: int, body: ClinicChange):
    """Change a clinic: admins any field; a clinic partner its own clinic's hours and phone."""
    clinic = services.update_clinic(clinic_id, body.model_dump(exclude_unset=True), api_user())
    return jsonify(services.clinic_to_dict(clinic, feedback=feedback_summary(clinic.id)))


@routes.post("/clinics/<int:clinic_id>/feedback")
@api_require("clinics.feedback")
@transactional
@endpoint(
    "Record a member's experience of a visit (peer educator, admin)",
    body=FeedbackCreate,
    response=FeedbackCreated,
    status=201,
)
def clinics_feedback(clinic_id: int, body: FeedbackCreate):
    """Record a member's experience of a visit (peer educators, admins) → 201."""
    entry = services.record_feedback(
        clinic_id,
        api_user(),
        visited_on=body.visited_on,
        respectful=body.respectful,
        refused_service=body.refused_service,
        refused_service_code=body.refused_service_code or None,
        waiting_minutes=body.waiting_minutes,
        comment=body.comment,
        member_id=body.member_id,
        answers={name: getattr(body, name) for name in FEEDBACK_QUESTIONS},
    )
    return jsonify({"id": entry.id, "clinic_id": clinic_id}), 201
