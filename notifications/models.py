"""The SMS tables: contacts (an encrypted phone and how she may be messaged), the outbox of every
message and its attempts, the admin's template texts, and the inbound replies already handled.
(The dispatch pause has its own table in notifications.engine.pause.)"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.crypto import EncryptedText
from core.db import UTCDateTime, enum_column, utcnow
from core.extensions import Model

MESSAGE_KINDS = (
    "referral_created",
    "appointment_changed",
    "reminder_24h",
    "reminder_2h",
    "missed_appointment",
    "follow_up_due",
    "safety_alert",
)
MESSAGE_STATUSES = (
    "pending",
    "sending",
    "unknown",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "cancelled",
    "skipped",
)
# Rows in these statuses hold the message's dedupe key; final failures and cancellations free it.
LIVE_STATUSES = ("pending", "sending", "unknown", "sent", "delivered")
_LIVE_SQL = "status IN ('pending','sending','unknown','sent','delivered')"
FINAL_STATUSES = ("delivered", "undelivered", "failed", "cancelled", "skipped")


class Contact(Model):
    """How a member can be reached. Members may share a phone, so the blind index is not unique."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str | None] = mapped_column(EncryptedText)  # E.164, encrypted; None once erased
    phone_index: Mapped[str | None] = mapped_column(sa.String(64), index=True)  # HMAC of E.164
    phone_masked: Mapped[str] = mapped_column(sa.String(24), default="")
    language: Mapped[str] = mapped_column(
        enum_column("bn", "en", name="contact_language"), default="bn"
    )
    sms_consent: Mapped[bool] = mapped_column(default=False)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    opted_out: Mapped[bool] = mapped_column(default=False)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    safety_hold: Mapped[bool] = mapped_column(default=False)
    safety_hold_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shared_phone: Mapped[bool] = mapped_column(default=False)
    # Her own window ("HH:MM" local, may cross midnight); when set it replaces the quiet hours.
    window_start: Mapped[str | None] = mapped_column(sa.String(5))
    window_end: Mapped[str | None] = mapped_column(sa.String(5))
    # Set when the carrier says the number cannot receive SMS (30005, 30006, 21211, 21614).
    unusable_reason: Mapped[str | None] = mapped_column(sa.String(64))
    # Safety alerts (issue 13): the district she works in (one of clinics.reference.DISTRICTS, set
    # by the caller) and her own consent to alerts, with who asked her and when; no consent and
    # no district until her peer educator asks (DESIGN.md, "Privacy and safety rules").
    district: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    alert_consent: Mapped[bool] = mapped_column(default=False)
    alert_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alert_consent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(Model):
    """One message that will be, or was, sent. Written in the transaction that caused it."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    kind: Mapped[str] = mapped_column(enum_column(*MESSAGE_KINDS, name="message_kind"))
    status: Mapped[str] = mapped_column(
        enum_column(*MESSAGE_STATUSES, name="message_status"), default="pending"
    )
    # Opaque to this package, e.g. "referral:K7P2QX9M"; pending messages are cancelled by subject.
    subject: Mapped[str] = mapped_column(sa.String(64), index=True)
    # (subject, kind, target time): one live row each, so a reminder cannot be written twice.
    dedupe_key: Mapped[str] = mapped_column(sa.String(160))
    # Template parameters only: code, place (the clinic's sms_alias), appointment_at, due_on.
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    target_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the appointment it is about
    send_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it will really go
    peer_educator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    clinic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clinics.id"), index=True)
    body: Mapped[str | None] = mapped_column(EncryptedText)  # rendered at send time
    to_phone: Mapped[str | None] = mapped_column(EncryptedText)  # the number it went to
    segments: Mapped[int | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_sid: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    final_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_code: Mapped[str | None] = mapped_column(sa.String(16))
    error_message: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contact: Mapped[Contact] = relationship()

    __table_args__ = (
        sa.Index(
            "uq_outbox_live_dedupe",
            "dedupe_key",
            unique=True,
            postgresql_where=sa.text(_LIVE_SQL),
            sqlite_where=sa.text(_LIVE_SQL),
        ),
        # The dispatcher's due query: pending rows by send time (and leases to recover).
        sa.Index("ix_outbox_due", "status", "send_at"),
        # A referral's reminders and their outcome (the SMS effect report), index-only.
        sa.Index("ix_outbox_subject_kind_status", "subject", "kind", "status", "delivered_at"),
    )


class SmsTemplate(Model):
    """An admin's text for one (kind, variant, language); overrides the file default.

    No row means the default from templates/sms/ applies; "reset to default" deletes the row.
    """

    __tablename__ = "sms_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    lang: Mapped[str] = mapped_column(sa.String(2))
    # The case it is for (notifications.texts.catalog.VARIANTS): "appointment", "no_appointment",
    # "follow_up", and the same with "shared_" for a shared phone.
    variant: Mapped[str] = mapped_column(sa.String(32))
    # Plain text with {code}, {place}, {day}, {time}, {due_day}; checked before saving.
    source: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        sa.UniqueConstraint("kind", "variant", "lang", name="uq_sms_templates_variant"),
    )


class InboundMessage(Model):
    """An inbound SMS already handled, by its provider sid (so a repeated webhook acts once).

    The body is not kept: the keyword is all the service acts on.
    """

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The contact it was acted on (for 1/2 the one with the latest message); None: unknown number.
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    # yes, no, stop, start, help or other.
    keyword: Mapped[str] = mapped_column(sa.String(16))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


ATTEMPT_STATUSES = (
    "sending",
    "unknown",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "cancelled",
)
# An attempt in one of these may still reach her phone: no other gateway may send the message.
OPEN_ATTEMPT_STATUSES = ("sending", "unknown")


class MessageAttempt(Model):
    """One try at sending a message through one gateway; the message's status derives from these.

    `reference` is our id of the attempt (notifications.engine.gateways.attempt_reference), which
    SMSGate keeps as its message id; `provider_id` is the gateway's own id (Twilio's SID).
    """

    __tablename__ = "message_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox_messages.id"), index=True)
    number: Mapped[int] = mapped_column()
    gateway: Mapped[str] = mapped_column(sa.String(32))
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    provider_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    status: Mapped[str] = mapped_column(
        enum_column(*ATTEMPT_STATUSES, name="attempt_status"), default="sending"
    )
    error_code: Mapped[str | None] = mapped_column(sa.String(16))
    error_message: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    final_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    message: Mapped[OutboxMessage] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("message_id", "number", name="uq_message_attempts_number"),
        # Today's count per gateway (the daily limit) comes from here too.
        sa.Index("ix_message_attempts_gateway_created", "gateway", "created_at"),
        # The gateway of a message's last attempt (the delivery report), index-only.
        sa.Index("ix_message_attempts_last", "message_id", "number", "gateway"),
    )


class GatewayState(Model):
    """What the dispatchers know of one gateway: health, today's count, the last send (pacing).

    Shared by every dispatcher through the database; on PostgreSQL the row is locked while a send
    is paced and counted.
    """

    __tablename__ = "gateway_states"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    last_ping_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(255))
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    sent_today: Mapped[int] = mapped_column(default=0)
    day: Mapped[date | None] = mapped_column(sa.Date)  # the local day `sent_today` counts
    last_send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
