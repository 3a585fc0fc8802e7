"""Services offered, the clinics that offer them, their opening hours and community feedback."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinics import geo  # noqa: F401 - registers the SQLite math functions
from clinics.reference import ATTRIBUTES
from core.crypto import EncryptedText
from core.db import UTCDateTime, enum_column, utcnow
from core.extensions import db

clinic_services = sa.Table(
    "clinic_services",
    db.metadata,
    sa.Column("clinic_id", sa.ForeignKey("clinics.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("service_code", sa.ForeignKey("services.code"), primary_key=True),
    # The search's "offers this service": an index-only scan (clinic ids by service).
    sa.Index("ix_clinic_services_service_clinic", "service_code", "clinic_id"),
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
    # {"mon": [["09:00", "17:00"]], ..., "sun": []}: local times, see CONTRACT.md. The search
    # reads `hour_ranges`, which the services rebuild from this on every change.
    hours: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Friendliness attributes, one column each so that the search filters them in SQL;
    # `attributes` below is their list of codes, as the API shows them.
    free_of_charge: Mapped[bool] = mapped_column(default=False)
    no_id_required: Mapped[bool] = mapped_column(default=False)
    female_provider: Mapped[bool] = mapped_column(default=False)
    kp_trained_staff: Mapped[bool] = mapped_column(
        default=False
    )  # trained to serve key populations
    night_hours: Mapped[bool] = mapped_column(default=False)
    walk_in: Mapped[bool] = mapped_column(default=False)
    private_entrance: Mapped[bool] = mapped_column(default=False)
    # Indexed with the name (below): the directory lists active clinics by name.
    status: Mapped[str] = mapped_column(
        enum_column("active", "inactive", name="clinic_status"), default="active"
    )
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A user id; no foreign key, since users already point at clinics (no cycle in the schema).
    verified_by_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    services: Mapped[list[Service]] = relationship(secondary=clinic_services, lazy="selectin")
    hour_ranges: Mapped[list[ClinicHours]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="select"
    )

    __table_args__ = (
        sa.Index("ix_clinics_position", "latitude", "longitude"),
        sa.Index("ix_clinics_status_name", "status", "name", "id"),
        # A district's active clinics by name, and the search's count, from the index alone.
        sa.Index("ix_clinics_status_district_name", "status", "district", "name", "id"),
    )

    @property
    def service_codes(self) -> list[str]:
        """The codes of the services offered, sorted."""
        return sorted(s.code for s in self.services)

    @property
    def attributes(self) -> list[str]:
        """The friendliness attribute codes that hold, in the fixed order of ATTRIBUTES."""
        return [code for code in ATTRIBUTES if getattr(self, code)]

    @attributes.setter
    def attributes(self, codes: list[str]) -> None:
        unknown = set(codes) - set(ATTRIBUTES)
        if unknown:
            raise ValueError(f"unknown attributes {sorted(unknown)}")
        for code in ATTRIBUTES:
            setattr(self, code, code in codes)


class ClinicHours(db.Model):
    """One opening range in minutes of the week (Monday 00:00 = 0, up to 10080), local time.

    Derived from `Clinic.hours` (an interval past midnight is stored as two ranges) so that
    "open at" is an indexed `start_minute <= m < end_minute` in SQL.
    """

    __tablename__ = "clinic_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(sa.ForeignKey("clinics.id", ondelete="CASCADE"))
    start_minute: Mapped[int] = mapped_column()
    end_minute: Mapped[int] = mapped_column()

    __table_args__ = (
        sa.Index("ix_clinic_hours_lookup", "clinic_id", "start_minute", "end_minute"),
        sa.CheckConstraint(
            "start_minute >= 0 AND end_minute <= 10080 AND start_minute < end_minute",
            name="range",
        ),
    )


class ClinicFeedback(db.Model):
    """A member's experience of a visit, recorded by her peer educator (community monitoring).

    No diagnosis or result is stored; the free text is encrypted and erased with the member.
    """

    __tablename__ = "clinic_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(
        sa.ForeignKey("clinics.id", ondelete="CASCADE"), index=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The member's id in the referrals package, when known (no foreign key: referrals depends on
    # clinics, not the other way round); used to erase the text when she is anonymised.
    member_id: Mapped[int | None] = mapped_column(index=True)
    visited_on: Mapped[date] = mapped_column(sa.Date)
    respectful: Mapped[bool] = mapped_column()
    refused_service: Mapped[bool] = mapped_column(default=False)
    refused_service_code: Mapped[str | None] = mapped_column(sa.String(32))
    waiting_minutes: Mapped[int | None] = mapped_column()
    # Optional questions (FEEDBACK_QUESTIONS): null when she was not asked.
    asked_for_id: Mapped[bool | None] = mapped_column()  # asked to show an ID card
    charged: Mapped[bool | None] = mapped_column()  # asked to pay for a free service
    kept_private: Mapped[bool | None] = mapped_column()  # her visit kept private
    comment: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
