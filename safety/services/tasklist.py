"""The peer educator's task list section from safety: her open incidents that still need help
(filled into referrals' task list through core.registry `task_sections`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from core.labels import label, labels
from referrals.services.tasks import TaskItem, TaskSection
from safety.services.incidents import open_needing_help

LIMIT = 50


def incidents_needing_help(actor: Any, now: datetime) -> TaskSection | None:
    """Her open incidents that still need help, newest first: when, district and what happened
    in words, each to its page (never the description); None when there is none."""
    incidents = open_needing_help(actor.id)[:LIMIT]
    if not incidents:
        return None
    items = [
        TaskItem(
            endpoint="safety.incident_view",
            args={"incident_id": incident.id},
            day=incident.occurred_on,
            words=[label("district", incident.district), labels(incident.violations, "violation")],
            urgent=True,
        )
        for incident in incidents
    ]
    return TaskSection(title=str(_l("Incidents that still need help")), items=items)
