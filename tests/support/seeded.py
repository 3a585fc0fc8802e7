"""One of everything a page can show, made through the services (committed): a user of each role,
a clinic offering the default catalogue, a member with a referral in each status (one missed
appointment traced), a follow-up, the clinic's feedback reports, and SMS of every kind and status.

For the tests that look at every page (words not codes, untranslated text, dates and digits).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from tests.support import factories
from tests.support.clock import DHAKA

ALL_DAY = {d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _referral(result: Any):
    """create_referral / reschedule return the referral, or (referral, notices)."""
    return result[0] if isinstance(result, tuple) else result


def _local(days: int, hour: int = 11) -> datetime:
    day = utcnow().astimezone(DHAKA).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=DHAKA)


def seed_everything() -> dict[str, Any]:
    """The world described above; returns its rows by name (users by role)."""
    from notifications.models import MESSAGE_KINDS, MESSAGE_STATUSES, Contact
    from referrals.models import Referral
    from referrals.services import followups, lifecycle, members, sweep

    factories.default_catalogue()
    followups.seed_rules()
    db.session.commit()
    offered = ("hiv_testing", "prep", "sti", "general")
    clinic = factories.make_clinic(
        name="Shapla Centre", sms_alias="Shapla Point", district="Chattogram",
        address="12 Lake Road", area="Agrabad", hours=ALL_DAY, offering=offered,
        latitude=22.3419, longitude=91.8132,
    )  # fmt: skip
    users = {
        "admin": factories.make_user("admin", display_name="Rina Admin"),
        "peer_educator": factories.make_user("peer_educator", display_name="Amina"),
        "clinic_partner": factories.make_user("clinic_partner", clinic_id=clinic.id),
        "viewer": factories.make_user("viewer"),
    }
    pe, partner = users["peer_educator"], users["clinic_partner"]
    past = utcnow() - timedelta(days=40)
    member = members.register_member(
        actor=pe, phone="01711-000777", language="bn", sms_consent=True, uic="SEED-001", now=past
    )
    db.session.commit()

    def make(services=("hiv_testing",), at=None, now=None):
        made = lifecycle.create_referral(
            actor=pe, member_id=member.id, clinic_id=clinic.id, services=list(services),
            appointment_at=at, now=now or utcnow(),
        )  # fmt: skip
        db.session.commit()
        return _referral(made)

    expired = make(services=("general",), now=past)
    missed = make(services=("prep",), at=_local(-4), now=utcnow() - timedelta(days=5))
    sweep.sweep(now=utcnow())
    db.session.commit()
    lifecycle.record_trace(missed.code, "unreachable", actor=pe)
    db.session.commit()
    attended = make(services=("hiv_testing",), at=_local(1))
    lifecycle.confirm(attended.code, ["hiv_testing"], actor=partner, linked_to_care=True)
    db.session.commit()
    cancelled = make(services=("sti",), at=_local(2))
    lifecycle.cancel(cancelled.code, "She moved away", actor=pe)
    db.session.commit()
    scheduled = make(services=("hiv_testing", "prep"), at=_local(3))
    referred = make(services=("sti",))
    from clinics.services.feedback import record_feedback

    for i in range(5):  # enough reports for the clinic's summary to show
        record_feedback(
            clinic.id, pe, visited_on=(utcnow() - timedelta(days=i + 1)).date(),
            respectful=i != 0, refused_service=i == 0,
            refused_service_code="prep" if i == 0 else None, waiting_minutes=30 + i,
            comment="ভালো ব্যবহার করেছে" if i else None,
        )  # fmt: skip
    db.session.commit()
    contact = db.session.get(Contact, member.contact_id)
    for i, status in enumerate(MESSAGE_STATUSES):
        kind = MESSAGE_KINDS[i % len(MESSAGE_KINDS)]
        factories.make_message(contact, kind, status=status, code=scheduled.code)
    for kind in MESSAGE_KINDS:
        factories.make_message(contact, kind, status="delivered", code=attended.code)
    _more_members(pe, attended, member)
    incident = _incidents(pe, member, clinic)
    crisis_contact, alert = _contacts_and_alerts(users["admin"], incident)
    mine = sa.select(Referral).where(Referral.member_id == member.id).order_by(Referral.id)
    referrals = {r.status: r for r in db.session.scalars(mine)}
    assert set(referrals) == {"referred", "scheduled", "attended", "missed", "cancelled",
                              "expired"}, set(referrals)  # fmt: skip
    return {
        "users": users,
        "clinic": clinic,
        "member": member,
        "referrals": referrals,
        "scheduled": scheduled,
        "referred": referred,
        "expired": expired,
        "incident": incident,
        "crisis_contact": crisis_contact,
        "alert": alert,
    }


def _more_members(pe, attended, member) -> None:
    """A follow-up due this week, her replies (no; help), a member on safety hold, one who
    stopped SMS: what the task list, the member pages and the console show."""
    from notifications.inbound import handle_inbound
    from referrals.models import FollowUp
    from referrals.services import members

    due = utcnow().astimezone(DHAKA).date() + timedelta(days=2)
    db.session.add(
        FollowUp(member_id=member.id, referral_id=attended.id, service_code="hiv_testing",
                 due_on=due)
    )  # fmt: skip
    for n, body in enumerate(("2", "HELP")):
        handle_inbound("+8801711000777", body, f"SMseed{n}", now=utcnow())
    for uic, action in (("SEED-002", "safety_hold"), ("SEED-003", "opt_out")):
        other = members.register_member(
            actor=pe, phone=f"01711-000{uic[-1]}88", language="en", sms_consent=True, uic=uic
        )
        members.change_contact(other, action, actor=pe)
    db.session.commit()


def _incidents(pe, member, clinic) -> Any:
    """An open incident of the member that needs help (every consent, an urgent referral made
    from it) and a closed one reported for someone not registered; returns the open one."""
    from safety.services import help as help_now
    from safety.services.incidents import close_incident, record_incident

    today = utcnow().astimezone(DHAKA).date()
    incident = record_incident(
        {
            "member_id": member.id, "occurred_on": today.isoformat(), "district": "Chattogram",
            "area": "Agrabad", "place_type": "hotel", "perpetrators": ["police", "hotel_staff"],
            "violations": ["physical", "extortion"], "needs_help_now": True,
            "description": "ভয় দেখিয়ে টাকা নিয়েছে",
            "consent": {"advocacy": True, "alert": True, "legal": True},
        },
        pe,
    )  # fmt: skip
    db.session.flush()
    help_now.urgent_referral(
        incident, clinic_id=clinic.id, services=["hiv_testing"], actor=pe, now=utcnow()
    )
    closed = record_incident(
        {
            "occurred_on": (today - timedelta(days=30)).isoformat(), "district": "Chattogram",
            "place_type": "police_station", "perpetrators": ["police"], "violations": ["detention"],
            "needs_help_now": False,
            "consent": {"advocacy": True, "alert": False, "legal": False},
        },
        pe,
    )  # fmt: skip
    close_incident(closed, pe)
    db.session.commit()
    return incident


def _contacts_and_alerts(admin, incident) -> tuple[Any, Any]:
    """A crisis contact for every district and a draft safety alert from the incident (waiting
    for a second admin); returns both."""
    from safety.services.alerts import draft_alert
    from safety.services.crisis_contacts import create_contact

    contact = create_contact(
        {"name": "Asha Legal Aid", "kind": "legal", "phone": "109", "hours": "২৪ ঘণ্টা"}, admin
    )
    alert = draft_alert(
        {
            "incident_id": incident.id, "districts": ["Chattogram"],
            "text_en": "Apa, take care near Green Point tonight.",
            "text_bn": "আপা, আজ রাতে গ্রিন পয়েন্টের কাছে সাবধানে থাকুন।",
            "expires_at": utcnow() + timedelta(days=1),
        },
        admin,
        utcnow(),
    )  # fmt: skip
    db.session.commit()
    return contact, alert
