"""The safety package's words for its codes (core.labels): place types, perpetrators,
violations, incident and alert statuses, crisis contact kinds."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.labels import register_labels

PLACE_TYPE_LABELS = {
    "hotel": _l("Hotel"),
    "residence": _l("Residence"),
    "street": _l("Street"),
    "police_station": _l("Police station"),
    "client_place": _l("Client's place"),
    "online": _l("Online"),
    "other": _l("Other place"),
}
PERPETRATOR_LABELS = {
    "police": _l("Police"),
    "client": _l("Client"),
    "hotel_staff": _l("Hotel staff"),
    "local_thugs": _l("Local thugs"),
    "partner": _l("Partner"),
    "family": _l("Family"),
    "health_worker": _l("Health worker"),
    "other": _l("Someone else"),
}
VIOLATION_LABELS = {
    "physical": _l("Physical violence"),
    "sexual": _l("Sexual violence"),
    "extortion": _l("Extortion"),
    "detention": _l("Arrest or detention"),
    "raid": _l("Raid"),
    "eviction": _l("Eviction"),
    "threat": _l("Threat"),
    "coerced_testing": _l("Coerced testing or treatment"),
    "denied_service": _l("Denied health service"),
    "other": _l("Something else"),
}
INCIDENT_STATUS_LABELS = {"open": _l("open"), "closed": _l("closed")}
CRISIS_CONTACT_KIND_LABELS = {
    "legal": _l("Legal aid"),
    "shelter": _l("Shelter"),
    "hotline": _l("Hotline"),
    "escort": _l("Community escort"),
    "community": _l("Community support"),
}
ALERT_STATUS_LABELS = {
    "draft": _l("waiting for a second admin"),
    "approved": _l("approved and sending"),
    "withdrawn": _l("withdrawn"),
    "expired": _l("expired"),
}


def register_safety_labels(app: Flask) -> None:
    """Place types, perpetrators, violations, incident and alert statuses, contact kinds."""
    register_labels(app, "place_type", PLACE_TYPE_LABELS)
    register_labels(app, "perpetrator", PERPETRATOR_LABELS)
    register_labels(app, "violation", VIOLATION_LABELS)
    register_labels(app, "incident_status", INCIDENT_STATUS_LABELS)
    register_labels(app, "crisis_contact_kind", CRISIS_CONTACT_KIND_LABELS)
    register_labels(app, "alert_status", ALERT_STATUS_LABELS)
