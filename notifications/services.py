"""The one door into notifications: other packages import this module and nothing else from it.

What a caller can do here (DESIGN.md, "Dependencies point one way"):
- contacts: create one, change how she may be messaged (consent, opt-out, safety hold, window,
  language), find contacts by number, erase a number; `Contact` is exported for type hints;
- the outbox: plan a message for an opaque subject, cancel a subject's pending messages, read a
  subject's plan (`OutboxMessage` is exported for type hints), a contact's message list, the
  CONTRACT.md message object, and erase a contact's messages (anonymisation);
- subjects: a package that plans messages registers its subject type (`register_subject_type`)
  at `init_app`; notifications never parses a subject;
- scope: the package that knows who is responsible for a contact registers the hook that says
  whose messages a user may read (`register_contact_scope`);
- `Message`, the API's model of the message object (a referral's answer nests it);
- the `inbound_reply` signal (notifications.signals documents its arguments);
- read-only selectables of the outbox, the attempts and the contacts (no number, no text) for
  reports to join, each gateway's price per segment and its currency, and the meaning of a
  provider error code;
- safety alerts (issue 13): her alert consent and district (`set_alert_preferences`), the check
  of an alert's text (`alert_text_problems`), one `safety_alert` per member it may reach
  (`plan_alert` → `AlertPlan`); withdrawal is `cancel_pending(subject, reason="withdrawn")`;
- `count_segments`, the carrier's count of a text's encoding and segments (alert drafts show it);
- the stored code lists `MESSAGE_KINDS` and `MESSAGE_STATUSES`.
Names keep the names they have inside the package, so each function has one name.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app

from core.extensions import db
from notifications import gateway_status
from notifications.alerts import (
    AlertPlan,
    alert_text_problems,
    plan_alert,
    set_alert_preferences,
)
from notifications.contacts import (
    LANGUAGES,
    can_message,
    create_contact,
    erase,
    find_by_phone,
    hold,
    looks_like_phone,
    normalise_phone,
    opt_in,
    opt_out,
    parse_window,
    release,
    set_language,
    set_window,
    touch,
    window_text,
)
from notifications.engine.planning import cancel_pending, message_json, plan_message, planned_for
from notifications.errors_catalog import describe_error
from notifications.message_log import messages_for_contact
from notifications.models import (
    MESSAGE_KINDS,
    MESSAGE_STATUSES,
    Contact,
    MessageAttempt,
    OutboxMessage,
)
from notifications.retention import erase_contact_messages
from notifications.schemas import Message
from notifications.scope import register_contact_scope
from notifications.signals import inbound_reply
from notifications.subjects import SubjectType, register_subject_type
from notifications.texts.segments import count_segments

__all__ = [
    "LANGUAGES",
    "MESSAGE_KINDS",
    "MESSAGE_STATUSES",
    "AlertPlan",
    "Contact",
    "Message",
    "OutboxMessage",
    "SubjectType",
    "alert_text_problems",
    "attempts_table",
    "can_message",
    "cancel_pending",
    "contacts_table",
    "count_segments",
    "create_contact",
    "describe_error",
    "erase",
    "erase_contact_messages",
    "find_by_phone",
    "hold",
    "inbound_reply",
    "list_messages",
    "looks_like_phone",
    "message_json",
    "messages_for_contact",
    "normalise_phone",
    "opt_in",
    "opt_out",
    "outbox_table",
    "parse_window",
    "plan_alert",
    "plan_message",
    "planned_for",
    "price_currency",
    "price_per_segment",
    "register_contact_scope",
    "register_subject_type",
    "release",
    "set_alert_preferences",
    "set_language",
    "set_window",
    "touch",
    "unusable_contact_ids",
    "window_text",
]


def unusable_contact_ids() -> sa.Select[int]:
    """Ids of contacts whose carrier said the number cannot receive SMS (not erased)."""
    return sa.select(Contact.id).where(
        Contact.unusable_reason.is_not(None), Contact.erased_at.is_(None)
    )


def outbox_table() -> sa.Subquery:
    """The outbox for reports to join, read-only: no text, number or parameters."""
    m = OutboxMessage
    return sa.select(
        m.id, m.contact_id, m.kind, m.status, m.subject, m.target_at, m.send_at,
        m.peer_educator_id, m.clinic_id, m.segments, m.attempts, m.sent_at, m.delivered_at,
        m.final_at, m.error_code, m.created_at,
    ).subquery("outbox")  # fmt: skip


def attempts_table() -> sa.Subquery:
    """The message attempts for reports to join, read-only: which gateway tried which message,
    how it ended and its error code (no provider id or text)."""
    a = MessageAttempt
    return sa.select(
        a.id, a.message_id, a.number, a.gateway, a.status, a.error_code, a.created_at,
        a.sent_at, a.final_at,
    ).subquery("attempt")  # fmt: skip


def price_per_segment(gateway: str | None) -> float:
    """A gateway's configured price per segment (CONTRACT.md), the one the gateways page shows;
    0 for a gateway without a price setting (the console) or none recorded."""
    return gateway_status._price(gateway or "")  # one reading of the setting, not two


# The setting that names the currency of each gateway's price per segment.
_PRICE_CURRENCIES = {"smsgate": "SMSGATE_PRICE_CURRENCY", "twilio": "SMS_PRICE_CURRENCY"}


def price_currency(gateway: str | None) -> str | None:
    """The currency code of a gateway's price per segment (`USD`, `BDT`); None for a gateway
    without a price setting (the console) or none recorded."""
    setting = _PRICE_CURRENCIES.get(gateway or "")
    return None if setting is None else str(current_app.config[setting]).strip().upper()


def contacts_table() -> sa.Subquery:
    """The contacts for reports to join, read-only: how each may be messaged, never a number."""
    c = Contact
    return sa.select(
        c.id, c.language, c.sms_consent, c.opted_out, c.safety_hold, c.shared_phone,
        c.unusable_reason, c.erased_at, c.created_at,
    ).subquery("contact")  # fmt: skip


def list_messages(
    *,
    contact_ids: sa.Select[Any] | None = None,
    subject: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """One page of message objects (newest send time first) and the total, filtered by a select
    of contact ids (the caller's scope; None: every contact), subject, status and kind."""
    query = sa.select(OutboxMessage)
    if contact_ids is not None:
        query = query.where(OutboxMessage.contact_id.in_(contact_ids.scalar_subquery()))
    if subject is not None:
        query = query.where(OutboxMessage.subject == subject)
    if status:
        query = query.where(OutboxMessage.status == status)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(OutboxMessage.send_at.desc(), OutboxMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return [message_json(m) for m in rows], total
