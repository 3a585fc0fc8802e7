"""JSON API endpoints of the clinics package (added to core.api.api)."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request

from clinics import services
from clinics.reference import ATTRIBUTES, DISTRICTS
from clinics.services.feedback import feedback_summary
from core.api import api, api_require, api_user, document, json_body, paged, schema
from core.db import utcnow
from core.errors import BadInput
from core.extensions import db


@api.get("/services")
@api_require("clinics.read")
def services_list():
    """The service catalogue."""
    return jsonify([services.service_to_dict(s) for s in services.get_services()])


@api.post("/services")
@api_require("services.edit")
def services_create():
    """Add a service to the catalogue (admins)."""
    body = json_body()
    service = services.create_service(
        body.get("code") or "", body.get("name_en") or "", body.get("name_bn") or "", api_user()
    )
    db.session.commit()
    return jsonify(services.service_to_dict(service)), 201


@api.get("/clinics")
@api_require("clinics.read")
def clinics_search():
    """Search the directory (CONTRACT.md's filters); sorted by distance when `near` is given."""
    now = utcnow()
    result = services.search_clinics(**services.parse_search_args(request.args, now=now))
    items = [
        services.clinic_to_dict(hit.clinic, distance_km=hit.distance_km, feedback=hit.feedback)
        for hit in result.items
    ]
    return paged(items, result.total, result.page, result.per_page)


@api.get("/clinics/<int:clinic_id>")
@api_require("clinics.read")
def clinics_get(clinic_id: int):
    """One clinic."""
    clinic = services.get_clinic(clinic_id)
    return jsonify(services.clinic_to_dict(clinic, feedback=feedback_summary(clinic.id)))


@api.post("/clinics")
@api_require("clinics.edit")
def clinics_create():
    """Create a clinic (admins) → 201."""
    clinic = services.create_clinic(json_body(), api_user())
    db.session.commit()
    return jsonify(services.clinic_to_dict(clinic)), 201


@api.patch("/clinics/<int:clinic_id>")
@api_require("clinics.edit_own")
def clinics_update(clinic_id: int):
    """Change a clinic: admins any field; a clinic partner its own clinic's hours and phone."""
    clinic = services.update_clinic(clinic_id, json_body(), api_user())
    db.session.commit()
    return jsonify(services.clinic_to_dict(clinic, feedback=feedback_summary(clinic.id)))


@api.post("/clinics/<int:clinic_id>/feedback")
@api_require("clinics.feedback")
def clinics_feedback(clinic_id: int):
    """Record a member's experience of a visit (peer educators, admins) → 201."""
    body = json_body()
    try:
        visited_on = date.fromisoformat(str(body.get("visited_on") or ""))
    except ValueError:
        raise BadInput(
            "visited_on must be a date (YYYY-MM-DD).", fields={"visited_on": "Not a date."}
        ) from None
    respectful = body.get("respectful")
    if not isinstance(respectful, bool):
        raise BadInput("respectful must be true or false.", fields={"respectful": "Required."})
    waiting = body.get("waiting_minutes")
    if waiting is not None and (not isinstance(waiting, int) or isinstance(waiting, bool)):
        raise BadInput("waiting_minutes must be a whole number.", fields={"waiting_minutes": "?"})
    entry = services.record_feedback(
        clinic_id,
        api_user(),
        visited_on=visited_on,
        respectful=respectful,
        refused_service=bool(body.get("refused_service")),
        refused_service_code=body.get("refused_service_code") or None,
        waiting_minutes=waiting,
        comment=body.get("comment") if isinstance(body.get("comment"), str) else None,
        member_id=body.get("member_id") if isinstance(body.get("member_id"), int) else None,
    )
    db.session.commit()
    return jsonify({"id": entry.id, "clinic_id": clinic_id}), 201


# --- OpenAPI --------------------------------------------------------------------------------

_HOURS = {
    "type": "object",
    "description": (
        'Local times per day, e.g. {"mon": [["09:00", "17:00"]], "fri": [["20:00", "02:00"]]}; '
        '"24:00" may end an interval; an end before the start runs past midnight; a day left '
        "out is closed; empty or overlapping intervals are invalid."
    ),
    "additionalProperties": {
        "type": "array",
        "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
    },
}
schema(
    "Service",
    {
        "type": "object",
        "properties": {k: {"type": "string"} for k in ("code", "name_en", "name_bn")},
    },
)
schema(
    "Clinic",
    {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string", "maxLength": 120},
            "sms_alias": {
                "type": "string",
                "maxLength": 20,
                "description": "The only name an SMS may use; no health words.",
            },
            "district": {"type": "string", "enum": list(DISTRICTS)},
            "area": {"type": "string"},
            "address": {"type": "string"},
            "latitude": {"type": "number", "nullable": True, "minimum": 20.5, "maximum": 26.7},
            "longitude": {"type": "number", "nullable": True, "minimum": 88.0, "maximum": 92.7},
            "phone": {"type": "string", "nullable": True},
            "services": {"type": "array", "items": {"type": "string"}},
            "attributes": {
                "type": "array",
                "items": {"type": "string", "enum": list(ATTRIBUTES)},
            },
            "hours": _HOURS,
            "status": {"type": "string", "enum": ["active", "inactive"]},
            "verified_at": {"type": "string", "format": "date-time", "nullable": True},
            "verification_due": {"type": "boolean", "readOnly": True},
            "open_now": {"type": "boolean", "readOnly": True},
            "feedback": {
                "type": "object",
                "nullable": True,
                "readOnly": True,
                "description": "Shown from 5 reports: count and share respectful (0..1).",
                "properties": {
                    "count": {"type": "integer"},
                    "respectful_share": {"type": "number"},
                },
            },
            "distance_km": {"type": "number", "readOnly": True},
        },
    },
)
_ERR = {
    "description": "error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_CLINIC = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Clinic"}}}}


def _q(name: str, description: str, **extra) -> dict:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": "string"},
        **extra,
    }


document(
    "/services",
    "get",
    {
        "summary": "The service catalogue",
        "responses": {
            "200": {
                "description": "services",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Service"},
                        }
                    }
                },
            }
        },
    },
)
document(
    "/services",
    "post",
    {
        "summary": "Add a service (admin)",
        "requestBody": {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Service"}}}
        },
        "responses": {"201": {"description": "created"}, "409": _ERR, "422": _ERR},
    },
)
document(
    "/clinics",
    "get",
    {
        "summary": "Search the clinic directory",
        "parameters": [
            _q("service", "A service code; repeatable, all must match", explode=True),
            _q("district", "A district (old spellings accepted)"),
            _q("attribute", "A friendliness attribute; repeatable, all must match"),
            _q("open_at", "ISO 8601 date-time (no offset: APP_TIMEZONE)"),
            _q("open_now", "true: open at the time of the request"),
            _q("near", "lat,lon: sorts by distance and adds distance_km"),
            _q("within_km", "with near: only clinics within this distance (up to 1000)"),
            _q("q", "text in name, alias, area or address"),
            _q("page", "1-based"),
            _q("per_page", "1 to 100 (default 20)"),
        ],
        "responses": {
            "200": {"description": "{items: [Clinic], total, page, per_page}"},
            "400": _ERR,
            "422": _ERR,
        },
    },
)
document(
    "/clinics",
    "post",
    {
        "summary": "Create a clinic (admin)",
        "requestBody": _CLINIC,
        "responses": {"201": {"description": "the clinic", **_CLINIC}, "403": _ERR, "422": _ERR},
    },
)
document(
    "/clinics/{id}",
    "get",
    {
        "summary": "One clinic",
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
        ],
        "responses": {"200": {"description": "the clinic", **_CLINIC}, "404": _ERR},
    },
)
document(
    "/clinics/{id}",
    "patch",
    {
        "summary": "Change a clinic (admin; a clinic partner: its own clinic's hours and phone)",
        "description": "Send `verified: true` (admin) to mark the entry verified now.",
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
        ],
        "requestBody": _CLINIC,
        "responses": {
            "200": {"description": "the clinic", **_CLINIC},
            "403": _ERR,
            "404": _ERR,
            "422": _ERR,
        },
    },
)
document(
    "/clinics/{id}/feedback",
    "post",
    {
        "summary": "Record a member's experience of a visit (peer educator, admin)",
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
        ],
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["visited_on", "respectful"],
                        "properties": {
                            "visited_on": {"type": "string", "format": "date"},
                            "respectful": {"type": "boolean"},
                            "refused_service": {"type": "boolean"},
                            "refused_service_code": {"type": "string"},
                            "waiting_minutes": {"type": "integer"},
                            "comment": {"type": "string", "description": "stored encrypted"},
                            "member_id": {"type": "integer"},
                        },
                    }
                }
            }
        },
        "responses": {"201": {"description": "recorded"}, "403": _ERR, "404": _ERR, "422": _ERR},
    },
)
