"""Safety alerts (issue 13), the notifications side: a member's alert consent and district, the
check of an alert's text, and the plan of one `safety_alert` message per member it may reach.

The safety package drafts, approves and withdraws alerts; here an alert is an opaque subject
(e.g. "alert:7") with a text per language, the districts it is for and an expiry. Who gets it is
decided from the contacts alone (DESIGN.md): her alert consent, her district among the alert's,
SMS consent, not opted out, not a shared phone, not on safety hold, a number that can receive SMS;
at most SAFETY_ALERTS_PER_MEMBER_PER_WEEK alerts in 7 days; inside her contact window (or outside
the quiet hours) and before the alert expires. Withdrawal is `cancel_pending(subject, ...)`; the
dispatcher looks again before each send (notifications.engine.alerts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from core.extensions import db
from notifications.contacts import touch
from notifications.engine import planning, timing
from notifications.engine.alerts import ALERT_KIND, CONSENT_WITHDRAWN, alert_params
from notifications.models import LIVE_STATUSES, Contact, OutboxMessage
from notifications.texts.discretion import forbidden_words

WEEK = timedelta(days=7)
DEFAULT_WEEKLY_CAP = 2
ALERT_LANGUAGES = ("bn", "en")


@dataclass(frozen=True)
class AlertPlan:
    """What planning an alert did: messages written, and members left out by a rule of timing."""

    planned: int = 0
    capped: int = 0  # she already had the week's number of alerts
    too_late: int = 0  # no allowed hour of hers before the alert expires
    already: int = 0  # she already has this alert's message (planned twice)


def set_alert_preferences(
    contact: Contact,
    *,
    district: str | None,
    alert_consent: bool,
    actor_id: int | None,
    now: datetime,
) -> None:
    """Her district (already normalised by the caller; None clears it) and her consent to
    safety alerts; a change of consent records who asked her and when. Withdrawing it cancels
    the alerts still waiting for her."""
    contact.district = district or None
    consent = bool(alert_consent)
    if consent != bool(contact.alert_consent):
        contact.alert_consent = consent
        contact.alert_consent_at = now
        contact.alert_consent_by_id = actor_id
    if not consent and contact.id is not None:
        planning.cancel_for_contact(contact.id, CONSENT_WITHDRAWN, kinds=[ALERT_KIND])
    touch(contact, now)
    db.session.flush()


def alert_text_problems(text: str, lang: str) -> list[str]:
    """The banned words an alert text holds, each once ([] = fine): the health words of the
    discretion check and the words of violence, police and sex work, in both languages (a Bangla
    text may hold English words and the other way round)."""
    if lang not in ALERT_LANGUAGES:
        raise ValueError(f"unknown alert language {lang!r}; expected one of {ALERT_LANGUAGES}")
    return forbidden_words(text or "", alert=True)


def weekly_cap() -> int:
    """SAFETY_ALERTS_PER_MEMBER_PER_WEEK (default 2; 0: no alert reaches anyone)."""
    value = current_app.config.get("SAFETY_ALERTS_PER_MEMBER_PER_WEEK")
    try:
        return DEFAULT_WEEKLY_CAP if value is None or value == "" else max(int(value), 0)
    except (TypeError, ValueError):
        return DEFAULT_WEEKLY_CAP


def eligible_contacts(districts: Sequence[str]) -> sa.Select[Any]:
    """Contacts an alert for these districts may reach (the rules of the module docstring)."""
    return sa.select(Contact).where(
        Contact.alert_consent.is_(True),
        Contact.district.in_(list(districts)),
        Contact.sms_consent.is_(True),
        Contact.opted_out.is_(False),
        Contact.shared_phone.is_(False),
        Contact.safety_hold.is_(False),
        Contact.phone_index.is_not(None),
        Contact.erased_at.is_(None),
        Contact.unusable_reason.is_(None),
    )


def _already(subject: str) -> set[int]:
    """Contacts that have a message of this alert in any status (each member gets it once)."""
    rows = db.session.scalars(
        sa.select(OutboxMessage.contact_id).where(
            OutboxMessage.subject == subject, OutboxMessage.kind == ALERT_KIND
        )
    )
    return set(rows)


def _recent(ids: sa.Select, since: datetime) -> dict[int, int]:
    """Each contact's alerts that went, or will go, since `since` (live statuses)."""
    rows = db.session.execute(
        sa.select(OutboxMessage.contact_id, sa.func.count())
        .where(
            OutboxMessage.kind == ALERT_KIND,
            OutboxMessage.status.in_(LIVE_STATUSES),
            OutboxMessage.send_at > since,
            OutboxMessage.contact_id.in_(ids.scalar_subquery()),
        )
        .group_by(OutboxMessage.contact_id)
    )
    return {contact_id: int(count) for contact_id, count in rows}


def _check(texts: Mapping[str, str], districts: Sequence[str], expires_at: datetime) -> None:
    missing = [lang for lang in ALERT_LANGUAGES if not str(texts.get(lang) or "").strip()]
    if missing:
        raise ValueError(f"an alert needs its text in every language; missing: {missing}")
    if isinstance(districts, str) or not districts:
        raise ValueError("an alert needs a list of districts")
    if expires_at.utcoffset() is None:
        raise ValueError("expires_at must be timezone-aware")


def plan_alert(
    subject: str,
    *,
    districts: Sequence[str],
    texts: Mapping[str, str],
    expires_at: datetime,
    now: datetime,
) -> AlertPlan:
    """One pending `safety_alert` message per member the alert may reach (flushes; the caller
    commits). Planning again adds only members not planned before; a member capped for the week
    or with no allowed hour before `expires_at` gets no message."""
    _check(texts, districts, expires_at)
    if expires_at <= now:
        return AlertPlan()
    eligible = eligible_contacts(districts)
    ids = eligible.with_only_columns(Contact.id)
    done = _already(subject)
    cap = weekly_cap()
    recent = _recent(ids, now - WEEK)
    tz = ZoneInfo(current_app.config["APP_TIMEZONE"])
    params = alert_params(texts, districts, expires_at)
    planned = capped = too_late = already = 0
    for contact in db.session.scalars(eligible.order_by(Contact.id)):
        if contact.id in done:
            already += 1
            continue
        if recent.get(contact.id, 0) >= cap:
            capped += 1
            continue
        window = timing.allowed_window(contact, current_app.config)
        when, _reason = timing.plan_send_time(now, window, tz, now=now, deadline=expires_at)
        if when is None:
            too_late += 1
            continue
        db.session.add(_row(contact.id, subject, params, when))
        planned += 1
    db.session.flush()
    return AlertPlan(planned=planned, capped=capped, too_late=too_late, already=already)


def _row(contact_id: int, subject: str, params: dict, when: datetime) -> OutboxMessage:
    return OutboxMessage(
        contact_id=contact_id,
        kind=ALERT_KIND,
        subject=subject,
        # Her contact is in the key: one live row per member and alert, even if planned twice.
        dedupe_key=f"{subject}|{ALERT_KIND}|contact:{contact_id}",
        params=dict(params),
        target_at=None,
        send_at=when,
        peer_educator_id=None,
        clinic_id=None,
        status="pending",
    )
