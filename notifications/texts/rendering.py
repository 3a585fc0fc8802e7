"""The last look at a claimed row before it is sent: the contact, the hour, the text.

Everything here runs inside the claim transaction, so the text is rendered at send time (in the
contact's language, "today"/"tomorrow" against the real send day) and stored before any send.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from flask import current_app

from notifications.engine import alerts, timing
from notifications.engine.planning import blocked_reason
from notifications.engine.supersede import SUPERSEDED, superseded_by
from notifications.models import Contact, OutboxMessage
from notifications.texts.catalog import (
    Lang,
    TemplateProblem,
    count_segments,
    discretion_problems,
    forbidden_words,
    format_code,
    render_sms,
    variant_for,
)

# Messages about an appointment that are pointless once it has begun.
BEFORE_APPOINTMENT = frozenset(
    {"referral_created", "appointment_changed", "reminder_24h", "reminder_2h"}
)
# Reasons from planning.blocked_reason that mean "she said no" (cancelled) rather than "cannot".
_CANCEL_REASONS = frozenset({"opted out", "safety hold", "no SMS consent", "no phone number"})


@dataclass(frozen=True)
class Verdict:
    """What to do with a claimed row: send it, or settle it without sending."""

    action: Literal["send", "cancelled", "skipped", "failed", "defer"]
    reason: str = ""
    send_at: datetime | None = None  # for `defer`


def template_source(kind: str, lang: str, variant: str) -> str:
    """The template text in force: the admin's override when there is one, else the file."""
    from notifications.texts.store import effective_template

    return effective_template(kind, lang, variant)


def zone() -> ZoneInfo:
    """APP_TIMEZONE: the zone members read times in."""
    return ZoneInfo(current_app.config["APP_TIMEZONE"])


def check(row: OutboxMessage, contact: Contact, now: datetime) -> Verdict:
    """May this row go now? (the contact again, the appointment, a later message about it that
    is due too, the allowed hours)."""
    reason = blocked_reason(contact)
    if reason is not None:
        return Verdict("cancelled" if reason in _CANCEL_REASONS else "skipped", reason)
    if not contact.phone:
        return Verdict("cancelled", "no phone number")
    late = "no allowed hour left before the appointment"
    if row.kind == alerts.ALERT_KIND:
        # Her alert consent, phone and district again, and the alert's expiry.
        refused = alerts.recheck(row, contact, now)
        if refused is not None:
            return Verdict(*refused)  # type: ignore[arg-type]
        deadline, late = alerts.expiry(row), alerts.NO_HOUR_BEFORE_EXPIRY
    else:
        # The appointment this row must go before, if any.
        deadline = row.target_at if row.kind in BEFORE_APPOINTMENT else None
    if deadline is not None and deadline <= now:
        return Verdict("skipped", "the appointment time has passed")
    # The scheduler was down: a later message about the same appointment is due too.
    if superseded_by(row, now) is not None:
        return Verdict("skipped", SUPERSEDED)
    # Planning put send_at in her allowed hours; a dispatcher that runs late must not send at
    # night anyway: the row moves to the next allowed minute.
    tz = zone()
    window = timing.allowed_window(contact, current_app.config)
    if not timing.is_allowed(now.astimezone(tz), window):
        later = timing.next_allowed(now, window, tz)
        if deadline is not None and later >= deadline:
            return Verdict("skipped", late)
        return Verdict("defer", "outside the allowed hours", later)
    return Verdict("send")


@dataclass(frozen=True)
class Rendered:
    """The text that will be sent and what it costs."""

    body: str
    segments: int


def render(row: OutboxMessage, contact: Contact, now: datetime) -> Rendered | str:
    """The text in her language and case (with or without an appointment; the bare text when she
    shares a phone), or why it cannot be sent (a text problem, or words that could expose her)."""
    lang: Lang = "en" if contact.language == "en" else "bn"
    if row.kind == alerts.ALERT_KIND:
        return _render_alert(row, lang)
    params = dict(row.params or {})
    try:
        variant = variant_for(row.kind, params, bool(contact.shared_phone))
        source = template_source(row.kind, lang, variant)
        body = render_sms(source, params, lang=lang, send_at=now, tz=zone())
    except (TemplateProblem, ValueError, OSError) as exc:
        return f"cannot render the text: {exc}"
    if not body.strip():
        return "the rendered text is empty"
    code = str(params.get("code") or "")
    # Clinic names are not known here; the words are. A random code ("K7TB…") must not trip it.
    problems = discretion_problems(body, ignore=[format_code(code), code] if code else [])
    if problems:
        return "not discreet: " + "; ".join(problems)
    return Rendered(body, count_segments(body).segments)


def _render_alert(row: OutboxMessage, lang: Lang) -> Rendered | str:
    """A safety alert's own text in her language, checked again: the health words and the words
    of violence, police and sex work (notifications.texts.discretion)."""
    body = unicodedata.normalize("NFC", alerts.alert_text(row, lang))
    if not body:
        return "the rendered text is empty"
    words = forbidden_words(body, alert=True)
    if words:
        return "not discreet: " + ", ".join(f'"{word}"' for word in words)
    return Rendered(body, count_segments(body).segments)
