"""Services offered and the clinics that offer them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime, enum_column, utcnow
from core.extensions import db

clinic_services = sa.Table(
    "clinic_services",
    db.metadata,
    sa.Column("clinic_id", sa.ForeignKey("clinics.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("service_code", sa.ForeignKey("services.code"), primary_key=True, index=True),
)


class Service(db.Model):
    """An SRH or HIV service a member can be referred for (`hiv_testing`, `prep`, ...)."""

    __tablename__ = "services"

    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name_en: Mapped[str] = mapped_column(sa.String(80))
    name_bn: Mapped[str] = mapped_column(sa.String(80))
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=100)


class Clinic(db.Model):
    """A sex-worker-friendly clinic. `sms_alias` is the only name an SMS may use for it."""

    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    sms_alias: Mapped[str] = mapped_column(sa.String(20))
    district: Mapped[str] = mapped_column(sa.String(32), index=True)
    area: Mapped[str] = mapped_column(sa.String(80), default="")
    address: Mapped[str] = mapped_column(sa.String(255), default="")
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    # {"mon": [["09:00", "17:00"]], ..., "sun": []}: local times, see CONTRACT.md.
    hours: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Friendliness attribute codes, e.g. ["free_of_charge", "no_id_required"].
    attributes: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(
        enum_column("active", "inactive", name="clinic_status"), default="active", index=True
    )
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A user id; no foreign key, since users already point at clinics (no cycle in the schema).
    verified_by_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    services: Mapped[list[Service]] = relationship(secondary=clinic_services, lazy="selectin")

    @property
    def service_codes(self) -> list[str]:
        """The codes of the services offered, sorted."""
        return sorted(s.code for s in self.services)
