"""Fixtures of the clinic tests: a clinic factory through the services."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support import factories


@pytest.fixture
def clinic(app, catalogue) -> Callable:
    """Create a clinic through the services (validated, hours ranges built), committed."""

    def make(**fields):
        return factories.make_clinic(validated=True, **fields)

    return make
