"""Inbound SMS replies (where the channel allows them) raise a task for the peer educator."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from core.extensions import db
from notifications.signals import inbound_reply
from referrals.models import Referral


@inbound_reply.connect
def on_inbound_reply(
    _sender: object,
    *,
    contact_id: int,
    keyword: str,
    subject: str | None,
    received_at: datetime,
    **_extra: object,
) -> None:
    """ "yes"/"no" about a live referral is kept on it; "no" puts it on her task list."""
    if keyword not in ("yes", "no") or not subject or not subject.startswith("referral:"):
        return
    referral = db.session.scalar(
        sa.select(Referral).where(Referral.code == subject.split(":", 1)[1])
    )
    if referral is None or referral.member.contact_id != contact_id:
        return
    if referral.status in ("referred", "scheduled", "missed"):
        referral.reply, referral.replied_at = keyword, received_at
        db.session.flush()
