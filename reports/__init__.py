"""Reports: the referral cascade and exports (DHIS2).

The top of the dependency order: it reads the other packages' models for aggregates (SMS
figures are to come through the read-only selectables of `notifications.services`), and nothing
imports it.
Counts of 1–4 are suppressed for every role but admin, and in everything that leaves the service.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the report pages, the report API and the viewer's home."""
    from flask_babel import lazy_gettext as _l

    from core.registry import registry
    from reports.api import routes as api_routes
    from reports.cli import reports_cli
    from reports.routes import bp
    from reports.summary.refresh import refresh_job

    app.register_blueprint(bp)
    harc = registry(app)
    harc.api_routes.append(api_routes)
    harc.role_homes["viewer"] = "reports.index"
    harc.add_job("reports.summary", refresh_job, seconds=app.config["REPORT_SUMMARY_SECONDS"])
    harc.admin_links.append(("reports.dhis2_admin", _l("DHIS2")))
    app.cli.add_command(reports_cli)
