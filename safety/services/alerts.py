"""Community safety alerts (the "ugly mugs" practice): one admin drafts an alert from an incident
whose alert consent was given, a second admin approves it, and it goes as `safety_alert` messages
to the consenting members of its districts (notifications plans who, when and how often).

Two people always: the admin who drafted an alert can never approve it, so a site with one admin
cannot send alerts (CONTRACT.md). Withdrawing or the alert's expiry cancels what is still pending.
The texts pass the discretion check extended with words of violence, police and sex work.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, NoReturn

import sqlalchemy as sa

from clinics.reference import normalise_district
from core import audit
from core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.i18n import N_, Text, as_text
from core.security import ADMIN, Actor
from notifications import services as notifications
from safety.models import Incident, SafetyAlert

TEXT_MAX = 300
MAX_SEGMENTS = 2
MAX_DAYS = 14
LANGUAGES = ("en", "bn")
LIVE = ("draft", "approved")  # what withdrawing can still stop
NO_CONSENT = N_("She did not agree that this incident is used for an alert.")
NOT_THESE_WORDS = N_("An alert may not say: %(words)s. Use the community's own words.")


def sms_segments(text: str) -> int:
    """How many SMS segments a text costs (0 for an empty one), as notifications counts them."""
    return notifications.count_segments(text).segments if text else 0


def alert_subject(alert: SafetyAlert) -> str:
    """The opaque outbox subject of an alert's messages."""
    return f"alert:{alert.id}"


def alert_id_of_subject(subject: str, params: Mapping[str, Any] | None = None) -> int | None:
    """The alert id a message's subject names, or None (notifications' message JSON)."""
    kind, _, rest = subject.partition(":")
    return int(rest) if kind == "alert" and rest.isdigit() else None


def _require_admin(actor: Actor) -> None:
    if getattr(actor, "role", None) != ADMIN:
        raise Forbidden(N_("Only admins draft, approve and withdraw safety alerts."))


# --- validation -----------------------------------------------------------------------------


def _incident(value: object, errors: dict) -> Incident | None:
    if isinstance(value, bool) or not isinstance(value, int):
        errors["incident_id"] = N_("Required.") if value is None else N_("Must be a whole number.")
        return None
    incident = db.session.get(Incident, value) if 0 < value < 2**31 else None
    if incident is None:
        errors["incident_id"] = N_("No such incident.")
    elif not incident.consent_alert:
        errors["incident_id"] = NO_CONSENT
    return incident


def _districts(value: object, errors: dict) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        errors["districts"] = N_("Choose at least one district.")
        return []
    found = [normalise_district(v) if isinstance(v, str) else None for v in value]
    unknown = [str(v) for v, d in zip(value, found, strict=True) if d is None]
    if unknown:
        errors["districts"] = Text(
            N_("Unknown district %(name)r; use an official name."), {"name": ", ".join(unknown)}
        )
    return sorted({d for d in found if d})


def _text(value: object, lang: str, errors: dict, banned: list[str]) -> str:
    key = f"text_{lang}"
    if not isinstance(value, str) or not value.strip():
        errors[key] = N_("Required.") if value in (None, "") else N_("Must be text.")
        return ""
    text = " ".join(value.split())
    if len(text) > TEXT_MAX:
        errors[key] = Text(N_("At most %(count)s characters."), {"count": TEXT_MAX})
    elif sms_segments(text) > MAX_SEGMENTS:
        errors[key] = Text(N_("Too long for %(count)s SMS; make it shorter."), {"count": 2})
    else:
        words = notifications.alert_text_problems(text, lang)
        if words:
            banned.extend(w for w in words if w not in banned)
            errors[key] = Text(NOT_THESE_WORDS, {"words": ", ".join(words)})
    return text


def _expiry(value: object, now: datetime, errors: dict) -> datetime | None:
    if isinstance(value, str):
        from core.api import parse_datetime

        try:
            value = parse_datetime(value, "expires_at")
        except DomainError as exc:
            errors["expires_at"] = exc.field_texts.get("expires_at") or exc.text
            return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        errors["expires_at"] = N_("Required.") if value is None else N_("Not a date-time.")
        return None
    if value <= now:
        errors["expires_at"] = N_("Must be in the future.")
    elif value > now + timedelta(days=MAX_DAYS):
        errors["expires_at"] = Text(N_("At most %(count)s days ahead."), {"count": MAX_DAYS})
    return value


def _refuse(errors: dict, banned: list[str]) -> NoReturn:
    """Raise the fields' problems: banned words first (named in the message), then an incident
    without alert consent (its own code), else the first bad field."""
    params: dict[str, object]
    if banned:
        message, code, params = NOT_THESE_WORDS, "alert_words", {"words": ", ".join(banned)}
    elif errors.get("incident_id") == NO_CONSENT:
        message, code, params = NO_CONSENT, "no_alert_consent", {}
    else:
        first = next(iter(errors))
        message, code = N_("%(field)s: %(problem)s"), "invalid"
        params = {"field": first, "problem": as_text(errors[first])}
    raise ValidationFailed(message, code=code, params=params, fields=errors)


# --- the life of an alert -------------------------------------------------------------------


def draft_alert(data: Mapping[str, Any], actor: Actor, now: datetime) -> SafetyAlert:
    """A draft alert from an incident whose alert consent was given; nothing is sent until a
    second admin approves it. 422 naming each bad field (the banned words among them)."""
    _require_admin(actor)
    errors: dict[str, str | Text] = {}
    banned: list[str] = []
    incident = _incident(data.get("incident_id"), errors)
    districts = _districts(data.get("districts"), errors)
    texts = {lang: _text(data.get(f"text_{lang}"), lang, errors, banned) for lang in LANGUAGES}
    expires_at = _expiry(data.get("expires_at"), now, errors)
    if errors or incident is None or expires_at is None:
        _refuse(errors, banned)
    alert = SafetyAlert(
        incident_id=incident.id,
        districts=districts,
        text_en=texts["en"],
        text_bn=texts["bn"],
        expires_at=expires_at,
        status="draft",
        drafted_by_id=actor.id,
        drafted_at=now,
    )
    db.session.add(alert)
    db.session.flush()
    details = {"incident_id": incident.id, "districts": districts}
    audit.record(actor, "alert.draft", "safety_alert", alert.id, details)
    return alert


def get_alert(alert_id: int, actor: Actor) -> SafetyAlert:
    """One alert (admins), or NotFound."""
    _require_admin(actor)
    alert = db.session.get(SafetyAlert, alert_id)
    if alert is None:
        raise NotFound(N_("No such safety alert."))
    return alert


def list_alerts(
    actor: Actor, *, status: str | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[SafetyAlert], int]:
    """Alerts (admins): drafts waiting for a second admin first, then the newest."""
    _require_admin(actor)
    query = sa.select(SafetyAlert)
    if status:
        query = query.where(SafetyAlert.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    waiting = sa.case((SafetyAlert.status == "draft", 0), else_=1)
    rows = db.session.scalars(
        query.order_by(waiting, SafetyAlert.drafted_at.desc(), SafetyAlert.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total


def approval_refusal(alert: SafetyAlert, actor: Actor, now: datetime) -> Conflict | None:
    """Why this admin cannot approve the alert now (None: she can)."""
    if alert.drafted_by_id == actor.id:
        return Conflict(
            N_("A second admin must approve this alert: the admin who drafted it cannot."),
            code="own_draft",
        )
    if alert.status != "draft":
        return Conflict(N_("Only a draft can be approved."), code="not_a_draft")
    if alert.expires_at <= now:
        return Conflict(N_("This alert has expired; draft a new one."), code="expired")
    return None


def approve_alert(alert_id: int, actor: Actor, now: datetime) -> SafetyAlert:
    """A second admin approves a draft: its messages are planned for the consenting members of
    its districts (notifications applies consent, hold, shared phone, cap and timing)."""
    alert = get_alert(alert_id, actor)
    refusal = approval_refusal(alert, actor, now)
    if refusal is not None:
        raise refusal
    plan = notifications.plan_alert(
        alert_subject(alert),
        districts=list(alert.districts),
        texts={"en": alert.text_en, "bn": alert.text_bn},
        expires_at=alert.expires_at,
        now=now,
    )
    alert.status, alert.approved_by_id, alert.approved_at = "approved", actor.id, now
    alert.recipients = plan.planned
    db.session.flush()
    details = {"planned": plan.planned, "capped": plan.capped}
    audit.record(actor, "alert.approve", "safety_alert", alert.id, details)
    return alert


def withdraw_alert(alert_id: int, actor: Actor, now: datetime) -> SafetyAlert:
    """Withdraw a draft or an approved alert: whatever is still pending is cancelled."""
    alert = get_alert(alert_id, actor)
    if alert.status not in LIVE:
        raise Conflict(N_("This alert was already withdrawn or has expired."), code="not_live")
    alert.status, alert.withdrawn_by_id, alert.withdrawn_at = "withdrawn", actor.id, now
    cancelled = notifications.cancel_pending(alert_subject(alert), reason="withdrawn")
    db.session.flush()
    audit.record(actor, "alert.withdraw", "safety_alert", alert.id, {"cancelled": cancelled})
    return alert


def expire_alerts(now: datetime) -> int:
    """Drafts and approved alerts past their expiry → expired, their pending messages cancelled
    (the job; a draft past its expiry can no longer be approved). Returns how many expired."""
    due = db.session.scalars(
        sa.select(SafetyAlert)
        .where(SafetyAlert.status.in_(LIVE), SafetyAlert.expires_at <= now)
        .order_by(SafetyAlert.id)
    ).all()
    for alert in due:
        was = alert.status
        alert.status = "expired"
        cancelled = notifications.cancel_pending(alert_subject(alert), reason="expired")
        details = {"was": was, "cancelled": cancelled}
        audit.record(None, "alert.expire", "safety_alert", alert.id, details, channel="system")
    db.session.flush()
    return len(due)


def alert_json(alert: SafetyAlert) -> dict[str, Any]:
    """CONTRACT.md's alert object."""
    from core.api import iso_local

    return {
        "id": alert.id,
        "status": alert.status,
        "incident_id": alert.incident_id,
        "districts": list(alert.districts or []),
        "text_en": alert.text_en,
        "text_bn": alert.text_bn,
        "expires_at": iso_local(alert.expires_at),
        "drafted_by": alert.drafted_by_id,
        "drafted_at": iso_local(alert.drafted_at),
        "approved_by": alert.approved_by_id,
        "approved_at": iso_local(alert.approved_at),
        "withdrawn_by": alert.withdrawn_by_id,
        "withdrawn_at": iso_local(alert.withdrawn_at),
        "recipients": alert.recipients,
    }
