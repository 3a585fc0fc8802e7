"""The seeded world of the API fuzzing (tests/api/test_api_fuzz.py): clinics, a user of each role
(and a second admin, so that alerts can be approved), members, referrals, incidents, crisis
contacts, safety alerts and delivered messages, with the ids and values a generated request
may take so that it reaches real records instead of a 404 or a 422."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.db import utcnow
from core.extensions import db
from tests.support import factories
from tests.support.alerts import TEXT_BN, TEXT_EN, alert_body, alert_member
from tests.support.incidents import incident_body

ROLES = ("admin", "peer_educator", "clinic_partner", "viewer")
ALL_WEEK = {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
DHAKA = ZoneInfo("Asia/Dhaka")
CODES = ("hiv_testing", "prep", "sti", "gbv_care", "legal_aid")


def local(days: int, hour: int) -> datetime:
    """A local (Dhaka) time `days` from today at `hour`."""
    day = utcnow().astimezone(DHAKA).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=DHAKA)


def _directory(make_clinic) -> list:
    from clinics.models import Service
    from clinics.services import set_hours
    from referrals.services import followups

    for i, code in enumerate(CODES):
        db.session.add(Service(code=code, name_en=code, name_bn=code, sort_order=i))
    db.session.flush()
    followups.seed_rules()
    clinics = [make_clinic(district=d) for d in ("Dhaka", "Chattogram", "Khulna")]
    for clinic in clinics:
        set_hours(clinic, ALL_WEEK)
        clinic.services = [db.session.get(Service, c) for c in CODES]
    db.session.commit()
    return clinics


def _referrals(pe, admin, people: list, clinic) -> list:
    from referrals.services import lifecycle

    referrals = []
    for n, member in enumerate(people * 2):
        referral, _ = lifecycle.create_referral(
            actor=pe,
            member_id=member.id,
            clinic_id=clinic.id,
            services=["hiv_testing"],
            appointment_at=local(3 + n, 11) if n % 2 else None,
            channel="api",
        )
        referrals.append(referral)
    lifecycle.confirm(referrals[-1].code, ["hiv_testing"], actor=admin, channel="api")
    db.session.commit()
    return referrals


def _incidents(pe, admin, people: list) -> list[int]:
    """Incidents of the peer educator (one about a member) and of the admin, all with alert
    consent (so an alert can be drafted from each)."""
    from safety.services.incidents import record_incident

    consent = {"advocacy": True, "alert": True, "legal": False}
    made = [
        record_incident(incident_body(consent=consent), pe),
        record_incident(incident_body(consent=consent, member_id=people[0].id), pe),
        record_incident(
            incident_body(consent=consent, needs_help_now=False, peer_educator_id=pe.id), admin
        ),
    ]
    db.session.commit()
    return [incident.id for incident in made]


def _crisis_contacts(admin) -> list[int]:
    from safety.services.crisis_contacts import create_contact

    made = [
        create_contact(
            {
                "name": "Legal aid desk",
                "kind": "legal",
                "phone": "01711000001",
                "district": "Dhaka",
            },
            admin,
        ),
        create_contact({"name": "National helpline", "kind": "hotline", "phone": "109"}, admin),
    ]
    db.session.commit()
    return [contact.id for contact in made]


def _alerts(admin, second_admin, incident_ids: list[int]) -> list[int]:
    """Drafts by the second admin (the fuzzed admin may approve them) and one of the fuzzed
    admin's own (which she may never approve)."""
    from safety.models import Incident
    from safety.services.alerts import draft_alert

    now = utcnow()
    made = []
    for actor in (second_admin, admin, second_admin):
        incident = db.session.get(Incident, incident_ids[len(made) % len(incident_ids)])
        made.append(draft_alert(alert_body(incident, now=now), actor, now))
    db.session.commit()
    return [alert.id for alert in made]


def _messages() -> None:
    """Messages of this month that went out (delivered, failed) for the SMS reports."""
    from notifications.models import MessageAttempt

    at = utcnow() - timedelta(days=1)
    for n, (status, gateway) in enumerate(
        [("delivered", "twilio"), ("delivered", "smsgate"), ("failed", "twilio")]
    ):
        message = factories.make_message(
            factories.make_contact(), status=status, send_at=at, sent_at=at, segments=1
        )
        db.session.add(
            MessageAttempt(
                message_id=message.id,
                number=1,
                gateway=gateway,
                reference=f"fuzz-{n}",
                status=status,
            )
        )
    db.session.commit()


def build_world(make_user, make_clinic, api_headers) -> dict:
    """Seed everything; returns each role's headers and the known values of ids and fields."""
    from referrals.services import followups, members

    clinics = _directory(make_clinic)
    users = {role: make_user(role) for role in ROLES if role != "clinic_partner"}
    users["clinic_partner"] = make_user("clinic_partner", clinic_id=clinics[0].id)
    pe, admin = users["peer_educator"], users["admin"]
    second_admin = make_user("admin")
    people = [
        members.register_member(actor=pe, phone=f"0171234567{n}", language="bn", sms_consent=True)
        for n in range(3)
    ]
    referrals = _referrals(pe, admin, people, clinics[0])
    due = followups.list_follow_ups(admin, status="due", page=1, per_page=10)[0]
    assert due, "the seed needs a follow-up"
    incident_ids = _incidents(pe, admin, people)
    contact_ids = _crisis_contacts(admin)
    alert_member(pe)  # a consenting member of Dhaka: an approved alert plans a message
    alert_ids = _alerts(admin, second_admin, incident_ids)
    _messages()
    today = utcnow().astimezone(DHAKA).date()
    return {
        # identity: schemathesis's WSGI transport hands over the body as sent, undecoded.
        "headers": {
            role: {**api_headers(user=user), "Accept-Encoding": "identity"}
            for role, user in users.items()
        },
        "known": {
            "clinic_id": [c.id for c in clinics],
            "member_id": [m.id for m in people],
            "code": [r.code for r in referrals],
            "follow_up_id": [f.id for f in due],
            "incident_id": incident_ids,
            "contact_id": contact_ids,
            "alert_id": alert_ids,
            "services": [["hiv_testing"], ["prep", "sti"]],
            "services_delivered": [["hiv_testing"]],
            "appointment_at": [local(2, 10).isoformat(), local(5, 15).isoformat()],
            "phone": ["01811111111", "+8801922222222", "01712345670"],
            "district": ["Dhaka", "Comilla", "Cox's Bazar"],
            "districts": [["Dhaka"], ["Khulna", "Chattogram"]],
            "from_follow_up_id": [None],
            "alert_consent": [True, False],
            "occurred_on": [(today - timedelta(days=1)).isoformat()],
            "consent": [{"advocacy": True, "alert": True, "legal": False}],
            "perpetrators": [["police"], ["client", "hotel_staff"]],
            "violations": [["physical"], ["extortion", "threat"]],
            "peer_educator_id": [pe.id, None],
            "text_en": [TEXT_EN],
            "text_bn": [TEXT_BN],
            "expires_at": [(utcnow() + timedelta(days=2)).isoformat()],
        },
        # Query values that reach the data (reports over this year; help near Dhaka).
        "query": {
            "from": [(today - timedelta(days=200)).isoformat()],
            "to": [today.isoformat()],
            "near": ["23.81,90.41"],
        },
    }
