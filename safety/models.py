"""Incidents of violence, the crisis contacts admins keep, and community safety alerts.

The most dangerous data in the service (DESIGN.md, "Privacy and safety rules"): the description and
the area are encrypted; the description is erased after 24 months and when the member is
anonymised. Perpetrators and violations are rows of their own so the evidence report counts them
with GROUP BY in the database.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.crypto import EncryptedText
from core.db import UTCDateTime, enum_column, utcnow
from core.extensions import Model

PLACE_TYPES = (
    "hotel",
    "residence",
    "street",
    "police_station",
    "client_place",
    "online",
    "other",
)
PERPETRATORS = (
    "police",
    "client",
    "hotel_staff",
    "local_thugs",
    "partner",
    "family",
    "health_worker",
    "other",
)
VIOLATIONS = (
    "physical",
    "sexual",
    "extortion",
    "detention",
    "raid",
    "eviction",
    "threat",
    "coerced_testing",
    "denied_service",
    "other",
)
INCIDENT_STATUSES = ("open", "closed")
CRISIS_CONTACT_KINDS = ("legal", "shelter", "hotline", "escort", "community")
ALERT_STATUSES = ("draft", "approved", "withdrawn", "expired")
# The directory's services that help after violence (help now lists clinics offering any of them).
HELP_SERVICES = ("gbv_care", "legal_aid", "mental_health")


class Incident(Model):
    """One incident of violence or rights abuse, recorded with the member's consent."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optional: an incident can be reported for someone who is not a registered member.
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"), index=True)
    # The peer educator responsible for it (who recorded it, or whom an admin recorded it for).
    peer_educator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    occurred_on: Mapped[date] = mapped_column(sa.Date, index=True)
    district: Mapped[str] = mapped_column(sa.String(32), index=True)
    area: Mapped[str | None] = mapped_column(EncryptedText)  # a place name can identify her
    place_type: Mapped[str] = mapped_column(enum_column(*PLACE_TYPES, name="incident_place_type"))
    needs_help_now: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str | None] = mapped_column(EncryptedText)
    description_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Three separate consents, each asked aloud: counted for advocacy, used for an alert to
    # others, shared with a legal partner.
    consent_advocacy: Mapped[bool] = mapped_column(default=False)
    consent_alert: Mapped[bool] = mapped_column(default=False)
    consent_legal: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(
        enum_column(*INCIDENT_STATUSES, name="incident_status"), default="open", index=True
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    perpetrator_rows: Mapped[list[IncidentPerpetrator]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="IncidentPerpetrator.code"
    )
    violation_rows: Mapped[list[IncidentViolation]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="IncidentViolation.code"
    )

    @property
    def perpetrators(self) -> list[str]:
        """The perpetrator codes, in the vocabulary's order."""
        codes = {row.code for row in self.perpetrator_rows}
        return [code for code in PERPETRATORS if code in codes]

    @property
    def violations(self) -> list[str]:
        """The violation codes, in the vocabulary's order."""
        codes = {row.code for row in self.violation_rows}
        return [code for code in VIOLATIONS if code in codes]


class IncidentPerpetrator(Model):
    """One kind of perpetrator of an incident (an incident may name several)."""

    __tablename__ = "incident_perpetrators"

    incident_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(
        enum_column(*PERPETRATORS, name="incident_perpetrator"), primary_key=True
    )


class IncidentViolation(Model):
    """One kind of violation in an incident (an incident may name several)."""

    __tablename__ = "incident_violations"

    incident_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(
        enum_column(*VIOLATIONS, name="incident_violation"), primary_key=True
    )


class IncidentReferral(Model):
    """An urgent referral made from an incident's "help now" (the referral lives in referrals)."""

    __tablename__ = "incident_referrals"

    incident_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CrisisContact(Model):
    """A legal aid lawyer, shelter, hotline or community escort: shown to peer educators with a
    tap-to-call link, never put in an SMS."""

    __tablename__ = "crisis_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(
        enum_column(*CRISIS_CONTACT_KINDS, name="crisis_contact_kind")
    )
    # Encrypted like every phone number we keep (a stolen backup should not list HARC's lawyers).
    phone: Mapped[str] = mapped_column(EncryptedText)
    district: Mapped[str | None] = mapped_column(sa.String(32), index=True)  # None: every district
    hours: Mapped[str | None] = mapped_column(sa.String(120))  # as people say it, e.g. "24 hours"
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class SafetyAlert(Model):
    """A warning to other members (the "ugly mugs" practice): drafted by one admin from an incident
    whose alert consent was given, approved by another, sent as `safety_alert` messages."""

    __tablename__ = "safety_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id"), index=True)
    districts: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Written by admins in the community's own code phrases; checked for discretion before saving.
    text_en: Mapped[str] = mapped_column(sa.Text)
    text_bn: Mapped[str] = mapped_column(sa.Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(
        enum_column(*ALERT_STATUSES, name="alert_status"), default="draft", index=True
    )
    drafted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many messages approval planned (after the consent, district, hold and weekly-cap rules).
    recipients: Mapped[int | None] = mapped_column()
