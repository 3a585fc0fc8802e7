"""What a referral asks the outbox for (the outbox itself decides how and when)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from core.errors import BadInput
from core.i18n import N_
from notifications import services as notifications
from referrals.models import FollowUp, Referral
from referrals.services import codes

# The configured offsets map, in order, onto the two reminder kinds.
REMINDER_KINDS = ("reminder_24h", "reminder_2h")
FOLLOW_UP_SEND_TIME = time(10, 0)  # local; moved by timing into her allowed hours
FOLLOW_UP_EARLY_DAYS = 3


_REFERRAL = "referral:"


def subject_for(code: str) -> str:
    """The outbox subject of the referral with this code (the one place it is built)."""
    return f"{_REFERRAL}{code}"


def code_of(subject: str | None) -> str | None:
    """The referral code of an outbox subject, or None when it is not a referral's (the one place
    a subject is parsed)."""
    if not subject or not subject.startswith(_REFERRAL):
        return None
    return subject[len(_REFERRAL) :]


def subject(referral: Referral) -> str:
    """The opaque outbox subject of a referral."""
    return subject_for(referral.code)


def _message_referral_code(subject: str, params: Mapping[str, Any]) -> Any:
    """A message's `referral_code`: the code it carries (follow-ups carry their referral's), else
    its subject's."""
    code = params.get("code")
    if code:
        return str(code).replace("-", "")
    from_subject = code_of(subject)
    return code if from_subject is None else from_subject


def _subject_of_query(value: str) -> str:
    """The subject a `?referral=CODE` filter names (any case, spaces or hyphens); 400 otherwise."""
    code = codes.parse(value)
    if code is None:
        raise BadInput(N_("Not a referral code."), fields={"referral": N_("Not a referral code.")})
    return subject_for(code)


def register_referral_subjects(app: Flask) -> None:
    """Tell notifications how a message shows its referral (`referral_code` in its JSON) and how
    the message list's `referral` filter names one."""
    notifications.register_subject_type(
        app,
        notifications.SubjectType(
            name="referral",
            json_field="referral_code",
            value_of=_message_referral_code,
            query_param="referral",
            subject_of_query=_subject_of_query,
        ),
    )


def follow_up_subject(follow_up: FollowUp) -> str:
    """The opaque outbox subject of a follow-up."""
    return f"followup:{follow_up.id}"


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["APP_TIMEZONE"])


def _params(referral: Referral) -> dict:
    """Only the code, the clinic's neutral alias and the time: no personal data."""
    params = {"code": codes.display(referral.code), "place": referral.clinic.sms_alias}
    if referral.appointment_at is not None:
        params["appointment_at"] = referral.appointment_at.astimezone(_zone()).isoformat()
    return params


def _plan(referral: Referral, kind: str, now: datetime, **kw) -> notifications.OutboxMessage | None:
    return notifications.plan_message(
        contact=referral.member.contact,
        kind=kind,
        subject=subject(referral),
        params=_params(referral),
        now=now,
        peer_educator_id=referral.member.peer_educator_id,
        clinic_id=referral.clinic_id,
        **kw,
    )


def reminder_offsets() -> list[tuple[str, timedelta]]:
    """(kind, offset before the appointment) from REMINDER_OFFSETS_HOURS (default 24, 2)."""
    hours = current_app.config.get("REMINDER_OFFSETS_HOURS") or (24, 2)
    return [
        (kind, timedelta(hours=float(h))) for kind, h in zip(REMINDER_KINDS, hours, strict=False)
    ]


def plan_reminders(referral: Referral, now: datetime) -> None:
    """The reminders before the appointment; one whose time has passed is not planned."""
    if referral.appointment_at is None:
        return
    for kind, offset in reminder_offsets():
        desired = referral.appointment_at - offset
        if desired < now:
            continue
        _plan(referral, kind, now, target_at=referral.appointment_at, send_at=desired)


def on_created(referral: Referral, now: datetime) -> None:
    """`referral_created` at once, then the reminders."""
    _plan(referral, "referral_created", now, target_at=referral.appointment_at)
    plan_reminders(referral, now)


def on_rescheduled(referral: Referral, now: datetime) -> None:
    """Old reminders cancelled; `appointment_changed` at once and new reminders."""
    notifications.cancel_pending(subject(referral), reason="appointment changed")
    _plan(referral, "appointment_changed", now, target_at=referral.appointment_at)
    plan_reminders(referral, now)


def cancel_all(referral: Referral, reason: str) -> int:
    """Everything pending for the referral (cancellation, confirmation)."""
    return notifications.cancel_pending(subject(referral), reason=reason)


def on_missed(referral: Referral, now: datetime) -> None:
    """`missed_appointment` the day after the missed visit (the sweep runs after 24 h)."""
    notifications.cancel_pending(subject(referral), reason="appointment missed")
    _plan(referral, "missed_appointment", now, target_at=referral.appointment_at)


def plan_follow_up(follow_up: FollowUp, referral: Referral, now: datetime) -> None:
    """`follow_up_due` three days before the due day and on it (past ones are not planned)."""
    contact = referral.member.contact
    zone = _zone()
    params = {"code": codes.display(referral.code), "due_on": follow_up.due_on.isoformat()}
    for days_before in (FOLLOW_UP_EARLY_DAYS, 0):
        day: date = follow_up.due_on - timedelta(days=days_before)
        desired = datetime.combine(day, FOLLOW_UP_SEND_TIME, tzinfo=zone)
        if desired < now:
            continue
        notifications.plan_message(
            contact=contact,
            kind="follow_up_due",
            subject=follow_up_subject(follow_up),
            params=params,
            target_at=None,
            now=now,
            peer_educator_id=referral.member.peer_educator_id,
            clinic_id=referral.clinic_id,
            send_at=desired,
        )


def messages_for(referral: Referral) -> list[notifications.OutboxMessage]:
    """The referral's plan (every row of its subject)."""
    return notifications.planned_for(subject(referral))
