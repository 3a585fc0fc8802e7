"""The referrals package's periodic work: the sweep, and its retention step.

Imported from `referrals/__init__.py`, so that registering happens whenever the package loads
(the factory imports it through the models registry).
"""

from __future__ import annotations

from datetime import datetime

from core.cli import RETENTION_STEPS
from core.scheduler import register_job


def run_sweep() -> dict[str, int]:
    """Mark missed and expired referrals and missed follow-ups; commits (the job is the edge)."""
    from core.extensions import db
    from referrals.services import lifecycle

    counts = lifecycle.sweep()
    db.session.commit()
    return counts


def purge_inactive_numbers(now: datetime) -> dict[str, int]:
    """Retention: phone numbers of contacts with no activity for 12 months are erased."""
    from notifications.contacts import purge_inactive

    return purge_inactive(now)


register_job("referrals_sweep", run_sweep, seconds=300)
if not any(name == "inactive contact numbers" for name, _ in RETENTION_STEPS):
    RETENTION_STEPS.append(("inactive contact numbers", purge_inactive_numbers))
