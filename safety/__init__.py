"""Safety: incidents of violence, help now, crisis contacts and community safety alerts.

Depends on referrals (members, urgent referrals, the task list's hook), clinics (the places that
help after violence), notifications (through `notifications.services` only: alert consent and the
`safety_alert` messages), accounts and core; never on reports. It fills referrals' hooks: the task
list's open incidents and the `member_anonymised` signal (her incidents' descriptions are erased).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the safety models, their words, and (as they land) pages, API, jobs and hooks."""
    from core.registry import registry
    from safety import models  # noqa: F401 - incidents, crisis contacts, alerts
    from safety.api import routes as api_routes
    from safety.labels import register_safety_labels

    register_safety_labels(app)
    registry(app).api_routes.append(api_routes)
