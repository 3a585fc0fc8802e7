"""Reports: the referral cascade, SMS effect and delivery, clinic experience, incidents, and
exports (CSV, DHIS2).

The top of the dependency order: nothing imports it. Its figures come from a materialised summary
(reports/summary/) that its scheduler job fills from the other packages' tables (the outbox
through the read-only selectables of `notifications.services`). Counts of 1–4 are suppressed for
every role but admin, and in everything that leaves the service.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the report pages, the report API, the viewer's home, the summary's job and
    its word in /healthz."""
    from flask_babel import lazy_gettext as _l

    from core.registry import registry
    from reports.api import routes as api_routes
    from reports.cli import reports_cli
    from reports.health import summary_health
    from reports.routes import bp
    from reports.summary.refresh import refresh_job

    app.register_blueprint(bp)
    harc = registry(app)
    harc.api_routes.append(api_routes)
    harc.role_homes["viewer"] = "reports.index"
    harc.add_job("reports.summary", refresh_job, seconds=app.config["REPORT_SUMMARY_SECONDS"])
    harc.health_checks.append(summary_health)
    harc.admin_links.append(("reports.dhis2_admin", _l("DHIS2")))
    app.cli.add_command(reports_cli)
