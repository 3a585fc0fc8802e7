"""Members, referrals, their events, follow-up rules and follow-ups."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.crypto import EncryptedText
from core.db import UTCDateTime, enum_column, utcnow
from core.extensions import db

REFERRAL_STATUSES = ("referred", "scheduled", "attended", "missed", "cancelled", "expired")
URGENCIES = ("routine", "urgent")
CHANNELS = ("web", "api", "sms", "system")
TRACE_OUTCOMES = ("reached", "rescheduled", "unreachable", "declined")
FOLLOW_UP_STATUSES = ("due", "done", "missed")


class Member(db.Model):
    """A member known by a code (UIC), never by a legal name; her phone lives in her contact."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    uic: Mapped[str] = mapped_column(sa.String(32), unique=True)
    nickname: Mapped[str | None] = mapped_column(EncryptedText)
    peer_educator_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact = relationship("Contact", lazy="joined")
    peer_educator = relationship("User", foreign_keys=[peer_educator_id])


class Referral(db.Model):
    """A referral of a member to a clinic for services; `code` is read aloud and put in the QR."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Normalised (upper-case Crockford base32, no hyphens): 8 random symbols + 1 check symbol.
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    clinic_id: Mapped[int] = mapped_column(sa.ForeignKey("clinics.id"), index=True)
    # Codes of the services requested / delivered (no diagnosis, no result: DESIGN.md).
    services: Mapped[list] = mapped_column(sa.JSON, default=list)
    services_delivered: Mapped[list | None] = mapped_column(sa.JSON)
    linked_to_care: Mapped[bool | None] = mapped_column()
    urgency: Mapped[str] = mapped_column(enum_column(*URGENCIES, name="referral_urgency"))
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(
        enum_column(*REFERRAL_STATUSES, name="referral_status"), index=True
    )
    notes: Mapped[str | None] = mapped_column(EncryptedText)
    cancel_reason: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The follow-up this referral was made from (a follow-up is done by a new referral). No
    # foreign key: follow_ups already points at referrals, and a cycle would complicate deletes.
    from_follow_up_id: Mapped[int | None] = mapped_column(index=True)
    # Tracing a missed appointment: the peer educator's outcome.
    trace_outcome: Mapped[str | None] = mapped_column(
        enum_column(*TRACE_OUTCOMES, name="trace_outcome")
    )
    traced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Her SMS reply where the channel allows one ("yes" she will come, "no" she needs a new time).
    reply: Mapped[str | None] = mapped_column(sa.String(8))
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship(lazy="joined")
    clinic = relationship("Clinic", lazy="joined")
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral", order_by="ReferralEvent.id", lazy="selectin"
    )


class ReferralEvent(db.Model):
    """One status change of a referral: from, to, who, when, through which channel."""

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(enum_column(*CHANNELS, name="event_channel"))
    # Set when the event records the outcome of tracing a missed appointment (one of
    # TRACE_OUTCOMES): `missed -> missed`, or `missed -> scheduled` with the new time.
    trace_outcome: Mapped[str | None] = mapped_column(sa.String(16))

    referral: Mapped[Referral] = relationship(back_populates="events")

    # The cascade's "ever scheduled" per referral (reports).
    __table_args__ = (sa.Index("ix_referral_events_referral_status", "referral_id", "to_status"),)


class FollowUpRule(db.Model):
    """After a visit that delivered `service_code`: a follow-up in `first_after_days`, and for
    follow-ups of follow-ups `repeat_every_days` (e.g. PrEP: 30, then every 90)."""

    __tablename__ = "follow_up_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_code: Mapped[str] = mapped_column(sa.ForeignKey("services.code"), unique=True)
    first_after_days: Mapped[int] = mapped_column()
    repeat_every_days: Mapped[int | None] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)


class FollowUp(db.Model):
    """A visit due again for a service; done by a new referral from it or by a note."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    service_code: Mapped[str] = mapped_column(sa.ForeignKey("services.code"))
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)
    status: Mapped[str] = mapped_column(
        enum_column(*FOLLOW_UP_STATUSES, name="follow_up_status"), default="due", index=True
    )
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    done_note: Mapped[str | None] = mapped_column(EncryptedText)
    done_referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    referral: Mapped[Referral] = relationship(foreign_keys=[referral_id], lazy="joined")
    member: Mapped[Member] = relationship(lazy="joined")

    # The cascade's "follow-up done" per referral (and service) (reports).
    __table_args__ = (
        sa.Index("ix_follow_ups_referral_status", "referral_id", "status", "service_code"),
    )
