"""Safety: incidents of violence, help now, crisis contacts and community safety alerts.

Depends on referrals (members, urgent referrals, the task list's hook), clinics (the places that
help after violence), notifications (through `notifications.services` only: alert consent and the
`safety_alert` messages), accounts and core; never on reports. It fills referrals' hooks: the task
list's open incidents and the `member_anonymised` signal (her incidents' descriptions are erased).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the safety models, words, pages, API endpoints, jobs and hooks."""
    from core.registry import registry
    from safety import models  # noqa: F401 - incidents, crisis contacts, alerts
    from safety.api import alerts, crisis_contacts, incidents  # noqa: F401 - add to routes
    from safety.api import routes as api_routes
    from safety.labels import register_safety_labels
    from safety.routes import alerts as alert_pages  # noqa: F401 - add to bp
    from safety.routes import bp
    from safety.routes import crisis_contacts as contact_pages  # noqa: F401 - add to bp
    from safety.routes import help as help_pages  # noqa: F401 - add to bp
    from safety.routes import incidents as incident_pages  # noqa: F401 - add to bp
    from safety.services import incident_erasure
    from safety.services.tasklist import incidents_needing_help

    register_safety_labels(app)
    app.register_blueprint(bp)
    registry(app).api_routes.append(api_routes)
    # Her incidents' descriptions and areas go when she is anonymised, and after 24 months.
    incident_erasure.subscribe()
    registry(app).add_retention_step(
        "incident descriptions", incident_erasure.purge_incident_descriptions
    )
    # Her open incidents that still need help are on her task list (referrals' hook).
    registry(app).task_sections.append(incidents_needing_help)
    _register_contacts_and_alerts(app)


def _register_contacts_and_alerts(app: Flask) -> None:
    """Crisis contacts and alerts: admin links, the demo contacts, the expiry job, and how an
    alert's messages show in the SMS log (`alert_id`)."""
    from flask_babel import lazy_gettext as _l

    from core.registry import registry
    from notifications.services import SubjectType, register_subject_type
    from safety.seed import seed_crisis_contacts
    from safety.services.alerts import alert_id_of_subject

    harc = registry(app)
    harc.admin_links.append(("safety.crisis_contacts", _l("Crisis contacts")))
    harc.admin_links.append(("safety.alerts", _l("Safety alerts")))
    harc.seed_steps.append(seed_crisis_contacts)
    harc.add_job("safety.alerts_expire", _expire_alerts, seconds=300)
    register_subject_type(app, SubjectType("alert", "alert_id", alert_id_of_subject))


def _expire_alerts() -> int:
    """The job: alerts past their expiry stop (their pending messages are cancelled)."""
    from core.db import utcnow
    from core.web import unit_of_work
    from safety.services.alerts import expire_alerts

    with unit_of_work():
        return expire_alerts(utcnow())
