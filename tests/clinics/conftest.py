"""Fixtures of the clinic tests: the seeded catalogue and a clinic factory through the services.

A plugin that the test modules load (`pytest_plugins`) rather than a conftest.py: some tests
import the root `conftest` by name, and a second module called conftest on sys.path would
shadow it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core.extensions import db


@pytest.fixture
def catalogue(app) -> None:
    """The default service catalogue, committed."""
    from clinics.services import ensure_default_services

    ensure_default_services()
    db.session.commit()


@pytest.fixture
def clinic(app, catalogue) -> Callable:
    """Create a clinic through the services (validated, hours ranges built), committed."""
    from clinics.services import create_clinic

    counter = iter(range(1, 10_000))

    def make(**fields):
        n = next(counter)
        values = {
            "name": f"Test Centre {n}",
            "sms_alias": f"Kadam {n}",
            "district": "Dhaka",
            "services": ["general"],
            "hours": {},
        }
        values.update(fields)
        created = create_clinic(values, None)
        db.session.commit()
        return created

    return make
