"""Notifications: contacts, outbox, templates, dispatch, gateways, webhooks."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the SMS tables, pages, webhooks, API, command, dispatch job, health check,
    retention steps and admin links."""
    from core.extensions import csrf
    from core.registry import registry
    from notifications import models, state, template_models  # noqa: F401 - the SMS tables
    from notifications.api import routes as api_routes
    from notifications.cli import reminders_cli
    from notifications.contacts import purge_inactive
    from notifications.health import sms_health
    from notifications.jobs import dispatch_interval, dispatch_tick
    from notifications.retention import purge_outbox
    from notifications.routes import ADMIN_LINKS, bp, log  # noqa: F401 - log adds its pages to bp
    from notifications.webhooks import bp as webhooks_bp

    app.register_blueprint(bp)
    csrf.exempt(webhooks_bp)  # Twilio signs its requests instead
    app.register_blueprint(webhooks_bp)
    app.cli.add_command(reminders_cli)
    harc = registry(app)
    harc.api_routes.append(api_routes)
    # Dispatch shares rows through SKIP LOCKED, so every scheduler process may run it at once.
    harc.add_job("reminders.dispatch", dispatch_tick, dispatch_interval(app), exclusive=False)
    harc.health_checks.append(sms_health)
    harc.add_retention_step("outbox", purge_outbox)
    harc.add_retention_step("inactive contact numbers", purge_inactive)
    harc.admin_links.extend(ADMIN_LINKS)
