"""Imports every package's models so that SQLAlchemy and Alembic see the whole schema."""

import accounts.models  # noqa: F401
import clinics.models  # noqa: F401
import core.audit
import core.scheduler  # noqa: F401
import notifications.models
import notifications.state  # noqa: F401 - the dispatch pause (dispatch_state)
import referrals.models  # noqa: F401
from notifications import template_models  # noqa: F401 - sms_templates, inbound_messages
