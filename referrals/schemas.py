"""Request and response models of members, referrals and follow-ups (CONTRACT.md); a referral's
messages are notifications' message objects."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from core.schemas import Body, DateIn, DateTimeIn, Id, Out, Paging, text
from notifications.services import Message
from referrals.models import (
    CHANNELS,
    FOLLOW_UP_STATUSES,
    REFERRAL_STATUSES,
    TRACE_OUTCOMES,
    URGENCIES,
)

Language = Literal["bn", "en"]
Status = Literal[REFERRAL_STATUSES]  # type: ignore[valid-type]
Urgency = Literal[URGENCIES]  # type: ignore[valid-type]
TraceOutcome = Literal[TRACE_OUTCOMES]  # type: ignore[valid-type]
FollowUpStatus = Literal[FOLLOW_UP_STATUSES]  # type: ignore[valid-type]
WINDOW_HELP = 'local "HH:MM-HH:MM", e.g. "20:00-06:00"; "" clears it'
DISTRICT_HELP = "the district she works in (one of the 64; older spellings accepted)"
ALERT_CONSENT_HELP = "she agreed to safety alerts (asked aloud); never sent to a shared phone"


class Member(Out):
    """CONTRACT.md's member object (the number masked only)."""

    id: Id
    uic: str
    nickname: str | None
    phone_masked: str | None
    language: Language
    sms_consent: bool
    shared_phone: bool
    contact_window: str | None
    safety_hold: bool
    opted_out: bool
    peer_educator_id: Id | None
    district: str | None = Field(description="the district she works in (safety alerts)")
    alert_consent: bool = Field(description="she agreed to safety alerts")
    anonymised: bool
    created_at: datetime


class MemberCreate(Body):
    """A new member; a number already registered is 409 unless `shared_phone`."""

    phone: str | None = text(32, default=None, examples=["01712-345678"])
    language: Language = "bn"
    sms_consent: bool = False
    shared_phone: bool = False
    uic: str | None = text(32, default=None)
    nickname: str | None = text(40, default=None)
    contact_window: str | None = text(11, default=None, description=WINDOW_HELP)
    district: str | None = text(40, default=None, description=DISTRICT_HELP, examples=["Dhaka"])
    alert_consent: bool = Field(default=False, description=ALERT_CONSENT_HELP)
    peer_educator_id: Id | None = Field(default=None, description="admins only")


class MemberChange(Body):
    """Her language, contact window, nickname, district and alert consent; `peer_educator_id`
    (admins) reassigns her."""

    language: Language | None = None
    contact_window: str | None = text(11, default=None, description=WINDOW_HELP)
    nickname: str | None = text(40, default=None)
    district: str | None = text(40, default=None, description=DISTRICT_HELP + '; "" clears it')
    alert_consent: bool | None = Field(default=None, description=ALERT_CONSENT_HELP)
    peer_educator_id: Id | None = Field(default=None, description="admins only")


class MemberSearch(Body):
    """A referral code, a UIC or a phone number: in the body, never in a URL."""

    q: str = text(64)


class Event(Out):
    """One status change."""

    from_: Status | None = Field(alias="from")
    to: Status
    at: datetime
    by: Id | None
    channel: Literal[CHANNELS]  # type: ignore[valid-type]
    kind: Literal["status", "clinic_changed"] = Field(
        default="status", description="clinic_changed: the visit was recorded at another clinic"
    )
    trace_outcome: TraceOutcome | None = Field(
        default=None, description="set when the event records the outcome of tracing"
    )


class ReferralWarning(Out):
    """Something a page would have asked first; the API went ahead (CONTRACT.md)."""

    code: Literal["clinic_closed", "duplicate_referral"]
    message: str
    referral_code: str | None = Field(
        default=None, description="duplicate_referral: the open referral already there"
    )


class Referral(Out):
    """CONTRACT.md's referral; for a clinic partner `member_id`, `notes`, `trace_outcome` and
    `messages` are absent."""

    id: Id
    code: str
    code_display: str = Field(examples=["K7P-2QX-9MA"])
    status: Status
    clinic_id: Id
    services: list[str]
    services_delivered: list[str] | None
    linked_to_care: bool | None
    urgency: Urgency
    appointment_at: datetime | None
    created_at: datetime
    attended_at: datetime | None
    events: list[Event]
    member_id: Id | None = None
    notes: str | None = None
    trace_outcome: TraceOutcome | None = None
    messages: list[Message] | None = None
    warnings: list[ReferralWarning] | None = None


class MemberFound(Out):
    """What a search found: members, or the referral of a code."""

    members: list[Member]
    referral: Referral | None


class ReferralCreate(Body):
    """A new referral."""

    member_id: Id
    clinic_id: Id
    services: list[str]
    appointment_at: DateTimeIn | None = None
    urgency: Urgency = "routine"
    notes: str | None = text(2000, default=None)
    from_follow_up_id: Id | None = None


class Reschedule(Body):
    """The new appointment."""

    appointment_at: DateTimeIn


class Cancel(Body):
    """Why it is cancelled."""

    reason: str = text(255)


class Confirm(Body):
    """What the clinic did."""

    services_delivered: list[str]
    linked_to_care: bool | None = None


class Trace(Body):
    """The outcome of tracing a missed appointment; `rescheduled` needs the new time."""

    outcome: TraceOutcome
    appointment_at: DateTimeIn | None = Field(
        default=None, description="required with outcome rescheduled"
    )


class ReferralQuery(Paging):
    """Filters of the referral list."""

    status: Status | None = None
    clinic_id: Id | None = None
    from_: DateTimeIn | None = Field(default=None, alias="from", description="created from")
    to: DateTimeIn | None = Field(default=None, description="created before")


class FollowUp(Out):
    """CONTRACT.md's follow-up object."""

    id: Id
    referral_code: str
    member_id: Id
    service: str
    due_on: date
    status: FollowUpStatus


class FollowUpQuery(Paging):
    """Filters of the follow-up list."""

    due_before: DateIn | None = None
    status: FollowUpStatus | None = None


class FollowUpDone(Body):
    """Done by a note."""

    note: str = text(500)
