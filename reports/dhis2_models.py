"""The DHIS2 mapping admins edit on /admin/dhis2: one row per mapped thing and its DHIS2 UID."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, utcnow
from core.extensions import Model

# What a row maps (`kind`) and what its `key` holds.
KINDS = (
    "data_set",  # key "" : the data set
    "data_element",  # key a measure: referred, attended, linked_to_care
    "category_option_combo",  # key a service code
    "district",  # key a district (its org unit)
    "clinic",  # key a clinic id (its org unit)
)


class Dhis2Mapping(Model):
    """One DHIS2 UID for a data set, measure, service, district or clinic (over the config)."""

    __tablename__ = "dhis2_mappings"
    __table_args__ = (sa.UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    key: Mapped[str] = mapped_column(sa.String(64))
    uid: Mapped[str] = mapped_column(sa.String(11))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
