"""Imports every package's models so that SQLAlchemy and Alembic see the whole schema."""

import accounts.models  # noqa: F401
import clinics.models  # noqa: F401
import core.audit
import core.scheduler  # noqa: F401
import notifications.models  # noqa: F401
import referrals.models  # noqa: F401
