"""JSON API of community safety alerts (admins): draft, approve (another admin), withdraw."""

from __future__ import annotations

from flask import jsonify

from core.api import api_require, api_user, paged
from core.db import utcnow
from core.openapi import endpoint
from core.schemas import ListOf
from core.web import transactional
from safety.api import routes
from safety.schemas.alerts import AlertCreate, AlertQuery, SafetyAlert
from safety.services import alerts as service


@routes.post("/alerts")
@api_require("alerts.manage")
@transactional
@endpoint(
    "Draft a safety alert (admin)",
    body=AlertCreate,
    response=SafetyAlert,
    status=201,
    description="422 `no_alert_consent` when the incident's alert consent was not given; 422 "
    "`alert_words` naming the words a text may not hold. Nothing is sent until another admin "
    "approves it.",
)
def alerts_create(body: AlertCreate):
    """Draft an alert → 201 (status `draft`)."""
    alert = service.draft_alert(body.model_dump(), api_user(), utcnow())
    return jsonify(service.alert_json(alert)), 201


@routes.get("/alerts")
@api_require("alerts.manage")
@endpoint("Safety alerts (admin)", query=AlertQuery, response=ListOf[SafetyAlert])
def alerts_list(query: AlertQuery):
    """Alerts: drafts waiting for a second admin first, then the newest."""
    rows, total = service.list_alerts(
        api_user(), status=query.status, page=query.page, per_page=query.per_page
    )
    return paged([service.alert_json(a) for a in rows], total, query.page, query.per_page)


@routes.get("/alerts/<int:alert_id>")
@api_require("alerts.manage")
@endpoint("One safety alert (admin)", response=SafetyAlert)
def alerts_get(alert_id: int):
    """One alert."""
    return jsonify(service.alert_json(service.get_alert(alert_id, api_user())))


@routes.post("/alerts/<int:alert_id>/approve")
@api_require("alerts.manage")
@transactional
@endpoint(
    "Approve another admin's draft alert (admin)",
    response=SafetyAlert,
    errors=(409,),
    description="409 `own_draft` for the admin who drafted it, always (a site with one admin "
    "cannot send alerts); 409 when it is no longer a draft or has expired. Plans one message "
    "per consenting member of its districts (`recipients`).",
)
def alerts_approve(alert_id: int):
    """Approve a draft: its messages are planned."""
    alert = service.approve_alert(alert_id, api_user(), utcnow())
    return jsonify(service.alert_json(alert))


@routes.post("/alerts/<int:alert_id>/withdraw")
@api_require("alerts.manage")
@transactional
@endpoint(
    "Withdraw a safety alert (admin)",
    response=SafetyAlert,
    errors=(409,),
    description="A draft or an approved alert; its pending messages are cancelled.",
)
def alerts_withdraw(alert_id: int):
    """Withdraw an alert: nothing more is sent."""
    alert = service.withdraw_alert(alert_id, api_user(), utcnow())
    return jsonify(service.alert_json(alert))
