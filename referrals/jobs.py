"""The referrals package's periodic work: the sweep (referrals.init_app registers it)."""

from __future__ import annotations

from core.web import unit_of_work


def run_sweep() -> dict[str, int]:
    """Mark missed and expired referrals and missed follow-ups; commits (the job is the edge)."""
    from referrals.services import lifecycle

    with unit_of_work():
        return lifecycle.sweep()
