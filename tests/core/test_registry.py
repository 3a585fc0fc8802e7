"""Packages register on each app (core/registry.py), never in a process-wide list."""

from __future__ import annotations

import pytest

from core import create_app
from core.app import PACKAGES
from core.registry import registry


def test_every_package_contributes_to_its_app(app):
    harc = registry(app)
    assert set(harc.jobs) == {
        "retention.daily",
        "reminders.dispatch",
        "referrals_sweep",
        "safety.alerts_expire",
        "reports.summary",
    }
    assert [name for name, _ in harc.retention_steps] == [
        "form tokens and idempotency keys",
        "outbox",
        "inactive contact numbers",
        "webhook events",
        "sign-in sessions",
        "incident descriptions",
    ]
    assert len(harc.seed_steps) == 4 and harc.seed_guard is not None
    assert harc.token_loader is not None and harc.feedback_member_scope is not None
    assert set(harc.role_homes) == {"admin", "peer_educator", "clinic_partner", "viewer"}
    assert len(harc.api_routes) == len(PACKAGES)  # every package has API endpoints
    assert harc.admin_links[0] == ("clinics.clinic_create", harc.admin_links[0][1])


def test_a_second_app_shares_nothing_it_registered(app, app_config):
    """Two apps in one process (as in the tests) each hold their own registrations and their
    own `api` blueprint: adding to one does not reach the other."""
    other = create_app(app_config)
    registry(other).add_job("only.here", lambda: None, seconds=60)
    assert "only.here" not in registry(app).jobs
    assert registry(other).jobs.keys() - {"only.here"} == registry(app).jobs.keys()
    assert other.blueprints["api"] is not app.blueprints["api"]
    assert sorted(other.view_functions) == sorted(app.view_functions)


def test_a_retention_step_is_registered_once(app):
    with pytest.raises(ValueError, match="twice"):
        registry(app).add_retention_step("outbox", lambda now: {})
