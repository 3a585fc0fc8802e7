"""JSON objects of CONTRACT.md: member, referral (narrowed for clinic partners), follow-up."""

from __future__ import annotations

from typing import Any

from core.api import iso_local
from core.security import Actor
from notifications import services as notifications
from referrals.models import FollowUp, Member, Referral
from referrals.services import codes, messaging
from referrals.services.scope import is_partner
from referrals.services.visit_elsewhere import CLINIC_CHANGED


def member_json(member: Member) -> dict[str, Any]:
    """The member object (masked phone only)."""
    contact = member.contact
    return {
        "id": member.id,
        "uic": member.uic,
        "nickname": member.nickname,
        "phone_masked": contact.phone_masked or None,
        "language": contact.language,
        "sms_consent": contact.sms_consent,
        "shared_phone": contact.shared_phone,
        "contact_window": notifications.window_text(contact),
        "safety_hold": contact.safety_hold,
        "opted_out": contact.opted_out,
        "peer_educator_id": member.peer_educator_id,
        "district": contact.district,
        "alert_consent": contact.alert_consent,
        "anonymised": member.anonymised_at is not None,
        "created_at": iso_local(member.created_at),
    }


def referral_json(
    referral: Referral, viewer: Actor, warnings: list[dict[str, str]] | None = None
) -> dict:
    """The referral object; a clinic partner gets no member_id, messages or notes."""
    body: dict[str, Any] = {
        "id": referral.id,
        "code": referral.code,
        "code_display": codes.display(referral.code),
        "status": referral.status,
        "clinic_id": referral.clinic_id,
        "services": list(referral.services or []),
        "services_delivered": referral.services_delivered,
        "linked_to_care": referral.linked_to_care,
        "urgency": referral.urgency,
        "appointment_at": iso_local(referral.appointment_at),
        "created_at": iso_local(referral.created_at),
        "attended_at": iso_local(referral.attended_at),
        "events": _events(referral, partner=is_partner(viewer)),
    }
    if not is_partner(viewer):
        body["member_id"] = referral.member_id
        body["notes"] = referral.notes
        body["trace_outcome"] = referral.trace_outcome
        body["messages"] = [notifications.message_json(m) for m in messaging.messages_for(referral)]
    if warnings:
        body["warnings"] = warnings
    return body


def _events(referral: Referral, *, partner: bool) -> list[dict[str, Any]]:
    """The status changes; a clinic partner sees no tracing (its outcome nor its events)."""
    out = []
    for e in referral.events:
        if partner and e.trace_outcome and e.from_status == e.to_status:
            continue
        moved = e.to_status == CLINIC_CHANGED  # recorded at another clinic: status unchanged
        event = {
            "from": e.from_status,
            "to": e.from_status if moved else e.to_status,
            "kind": CLINIC_CHANGED if moved else "status",
            "at": iso_local(e.at),
            "by": e.by_id,
            "channel": e.channel,
        }
        if not partner:
            event["trace_outcome"] = e.trace_outcome
        out.append(event)
    return out


def follow_up_json(follow_up: FollowUp) -> dict[str, Any]:
    """The follow-up object."""
    return {
        "id": follow_up.id,
        "referral_code": follow_up.referral.code,
        "member_id": follow_up.member_id,
        "service": follow_up.service_code,
        "due_on": follow_up.due_on.isoformat(),
        "status": follow_up.status,
    }
