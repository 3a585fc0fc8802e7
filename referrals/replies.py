"""Inbound SMS replies (where the channel allows them) raise a task for the peer educator."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from core.extensions import db
from notifications.services import inbound_reply
from referrals.models import Referral
from referrals.services.messaging import code_of


def subscribe() -> None:
    """Receive notifications' inbound_reply signal (a blinker signal is process-wide and keeps a
    receiver once, so every app's init_app may call this)."""
    inbound_reply.connect(on_inbound_reply)


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
    code = code_of(subject)
    if keyword not in ("yes", "no") or code is None:
        return
    referral = db.session.scalar(sa.select(Referral).where(Referral.code == code))
    if referral is None or referral.member.contact_id != contact_id:
        return
    if referral.status in ("referred", "scheduled", "missed"):
        referral.reply, referral.replied_at = keyword, received_at
        db.session.flush()
