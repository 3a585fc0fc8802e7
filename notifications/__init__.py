"""Notifications: discreet SMS to members, knowing nothing of referrals or clinics.

What it owns: the contact (the encrypted phone, its blind index, language, consent, opt-out,
safety hold, contact window), the outbox and its attempts, the templates, the dispatch engine
(`engine/`), the texts (`texts/`), the gateways and their webhooks, inbound replies, the SMS pages
(`routes/`, the log in `message_log`) and the message list of the API (`api`).

Its public door: other packages import `notifications.services` and nothing else from here
(tests/core/test_architecture.py holds it). A subject (e.g. "referral:K7P2QX9M") is opaque: the
package that plans messages builds and parses it.

Its hooks, filled by higher packages at their `init_app`:
- `services.register_subject_type`: how a subject shows in a message's JSON (`referral_code`)
  and which query parameter of the message list names one (`?referral=`), see `subjects`;
- `services.register_contact_scope`: whose messages a user may read in the API, see `scope`
  (without one nobody reads any);
- `core.registry.NameSource` in `registry(app).name_sources` ("clinic", "peer_educator"): the
  names the SMS log and the template check show, see `names` (in core because clinics and
  accounts may not import notifications);
- the `inbound_reply` signal (`signals`), published for each inbound reply.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the SMS tables, pages, webhooks, API, command, dispatch job, health check,
    retention steps and admin links."""
    from core.extensions import csrf
    from core.registry import registry
    from notifications import models  # noqa: F401 - the SMS tables
    from notifications.api import routes as api_routes
    from notifications.cli import reminders_cli, sms_cli
    from notifications.contacts import purge_inactive
    from notifications.engine import pause  # noqa: F401 - the dispatch pause's table
    from notifications.health import sms_health
    from notifications.jobs import dispatch_interval, dispatch_tick
    from notifications.labels import register_notification_labels
    from notifications.retention import purge_outbox
    from notifications.routes import (  # noqa: F401 - log and gateways add their pages to bp
        ADMIN_LINKS,
        bp,
        gateways,
        log,
    )
    from notifications.webhooks import bp as webhooks_bp
    from notifications.webhooks.events import purge_events

    app.register_blueprint(bp)
    csrf.exempt(webhooks_bp)  # Twilio and SMSGate sign their requests instead
    app.register_blueprint(webhooks_bp)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(sms_cli)
    harc = registry(app)
    harc.api_routes.append(api_routes)
    # Dispatch shares rows through SKIP LOCKED, so every scheduler process may run it at once.
    harc.add_job("reminders.dispatch", dispatch_tick, dispatch_interval(app), exclusive=False)
    harc.health_checks.append(sms_health)
    harc.add_retention_step("outbox", purge_outbox)
    harc.add_retention_step("inactive contact numbers", purge_inactive)
    harc.add_retention_step("webhook events", purge_events)
    harc.admin_links.extend(ADMIN_LINKS)
    register_notification_labels(app)
