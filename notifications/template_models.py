"""Tables of the admin side of SMS: template overrides and the inbound replies already handled."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, utcnow
from core.extensions import Model


class SmsTemplate(Model):
    """An admin's text for one (kind, language, shared-phone variant); overrides the file default.

    No row means the default from templates/sms/ applies; "reset to default" deletes the row.
    """

    __tablename__ = "sms_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    lang: Mapped[str] = mapped_column(sa.String(2))
    shared_phone: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(sa.Text)  # a sandboxed Jinja text; checked before saving
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        sa.UniqueConstraint("kind", "lang", "shared_phone", name="uq_sms_templates_variant"),
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
