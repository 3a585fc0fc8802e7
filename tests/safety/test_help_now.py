"""Help now: which places (open now first, then nearest), which crisis contacts (her district's
and everyone's, by kind), and the urgent referral made from an incident."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.db import utcnow
from core.errors import Forbidden, NotFound, ValidationFailed
from core.extensions import db
from notifications.models import OutboxMessage
from safety.models import CrisisContact, IncidentReferral
from safety.services import help as help_now
from safety.services.crisis_contacts import contact_json
from safety.services.incidents import incident_json
from tests.support.clock import NOW
from tests.support.factories import ALL_WEEK, DHAKA_POINT, default_catalogue, make_clinic
from tests.support.incidents import record, register

LAT, LON = DHAKA_POINT
KM = 1 / 111.2  # a degree of latitude is about 111.2 km


@pytest.fixture
def pe(make_user):
    return make_user("peer_educator")


@pytest.fixture
def places(app):
    """Places around Dhaka's point; NOW (Tuesday 11:00 in Dhaka) is within ALL_WEEK's hours."""
    default_catalogue()

    def at(km):
        return {"latitude": LAT + km * KM, "longitude": LON}

    made = {
        "open_5km": make_clinic(offering=["gbv_care"], hours=ALL_WEEK, **at(5)),
        "closed_1km": make_clinic(offering=["legal_aid", "sti"], **at(1)),
        "open_20km": make_clinic(
            offering=["mental_health", "gbv_care"], hours=ALL_WEEK, district="Gazipur", **at(20)
        ),
        "open_unplaced": make_clinic(offering=["legal_aid"], hours=ALL_WEEK),
        # Never listed: no service that helps after violence; inactive.
        "other_service": make_clinic(offering=["hiv_testing"], hours=ALL_WEEK, **at(0.5)),
        "inactive": make_clinic(
            offering=["gbv_care"], hours=ALL_WEEK, status="inactive", **at(0.2)
        ),
    }
    return made


@pytest.fixture
def contacts(app):
    def add(name, kind, district=None, active=True):
        row = CrisisContact(name=name, kind=kind, phone="+8801711000099", district=district)
        row.active = active
        db.session.add(row)
        return row

    made = {
        "dhaka_legal": add("Lawyer in Dhaka", "legal", "Dhaka"),
        "dhaka_hotline": add("Dhaka line", "hotline", "Dhaka"),
        "chattogram_shelter": add("Port shelter", "shelter", "Chattogram"),
        "national_shelter": add("Safe house", "shelter"),
        "national_legal": add("Legal aid network", "legal"),
        "dhaka_escort_inactive": add("Escort", "escort", "Dhaka", active=False),
    }
    db.session.commit()
    return made


def names(found, made):
    by_id = {row.id: name for name, row in made.items()}
    return [by_id[p.clinic.id] for p in found.places]


def test_places_near_her_open_now_first_then_by_distance(pe, places):
    incident = record(pe)
    found = help_now.help_for(incident, pe, district=None, near=DHAKA_POINT, now=NOW)
    assert names(found, places) == ["open_5km", "open_20km", "open_unplaced", "closed_1km"]
    assert [p.open_now for p in found.places] == [True, True, True, False]
    distances = [p.distance_km for p in found.places]
    assert distances[0] == pytest.approx(5, abs=0.05) and distances[1] == pytest.approx(20, 0.01)
    assert distances[2] is None and distances[3] == pytest.approx(1, abs=0.05)


def test_without_her_location_the_districts_places_come_first(pe, places):
    incident = record(pe)  # in Dhaka
    found = help_now.help_for(incident, pe, district=None, near=None, now=NOW)
    assert names(found, places) == ["open_5km", "open_unplaced", "open_20km", "closed_1km"]
    assert all(p.distance_km is None for p in found.places)
    elsewhere = help_now.help_for(None, pe, district="Gazipur", near=None, now=NOW)
    assert names(elsewhere, places) == ["open_20km", "open_5km", "open_unplaced", "closed_1km"]
    assert elsewhere.district == "Gazipur"


def test_contacts_of_her_district_and_everyones_by_kind(pe, contacts):
    found = help_now.help_for(None, pe, district="Dhaka", near=None, now=NOW)
    by_id = {row.id: name for name, row in contacts.items()}
    assert [by_id[c.id] for c in found.contacts] == [
        "dhaka_legal",
        "national_legal",
        "national_shelter",
        "dhaka_hotline",
    ]
    nowhere = help_now.help_for(None, pe, district=None, near=None, now=NOW)
    assert [by_id[c.id] for c in nowhere.contacts] == ["national_legal", "national_shelter"]
    assert contact_json(found.contacts[0]) == {
        "id": contacts["dhaka_legal"].id,
        "name": "Lawyer in Dhaka",
        "kind": "legal",
        "phone": "+8801711000099",
        "district": "Dhaka",
        "hours": None,
        "active": True,
    }


def test_help_is_audited_and_scoped(pe, make_user, places):
    incident = record(pe)
    help_now.help_for(incident, pe, district=None, near=DHAKA_POINT, now=NOW)
    (row,) = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "incident.help"))
    assert row.entity_id == str(incident.id)
    assert row.details == {"district": "Dhaka", "near": True, "places": 4}
    with pytest.raises(NotFound):
        help_now.help_for(incident, make_user("peer_educator"), district=None, near=None, now=NOW)
    for role in ("clinic_partner", "viewer"):
        with pytest.raises(Forbidden):
            help_now.help_for(None, make_user(role), district="Dhaka", near=None, now=NOW)
    with pytest.raises(ValidationFailed):
        help_now.help_for(None, pe, district="Gotham", near=None, now=NOW)


def test_urgent_referral_from_an_incident(pe, places):
    member = register(pe)
    incident = record(pe, member_id=member.id)
    clinic = places["open_5km"]
    referral = help_now.urgent_referral(
        incident, clinic_id=clinic.id, services=["gbv_care"], actor=pe, now=utcnow()
    )
    db.session.commit()
    assert referral.urgency == "urgent" and referral.member_id == member.id
    assert referral.clinic_id == clinic.id and referral.services == ["gbv_care"]
    link = db.session.scalar(sa.select(IncidentReferral))
    assert (link.incident_id, link.referral_id) == (incident.id, referral.id)
    planned = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.subject == f"referral:{referral.code}")
    ).all()
    assert [m.kind for m in planned] == ["referral_created"]
    assert incident_json(incident, pe)["referrals"] == [referral.code]
    (row,) = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "incident.referral")
    )
    assert row.entity_id == str(incident.id) and row.details == {"referral_id": referral.id}


def test_urgent_referral_needs_a_member_an_offered_service_and_her_incident(pe, make_user, places):
    unnamed = record(pe)
    clinic = places["open_5km"]
    with pytest.raises(ValidationFailed) as refused:
        help_now.urgent_referral(
            unnamed, clinic_id=clinic.id, services=["gbv_care"], actor=pe, now=utcnow()
        )
    assert refused.value.status == 422 and "member_id" in refused.value.fields
    incident = record(pe, member_id=register(pe).id)
    with pytest.raises(ValidationFailed) as refused:
        help_now.urgent_referral(
            incident, clinic_id=clinic.id, services=["legal_aid"], actor=pe, now=utcnow()
        )
    assert "services" in refused.value.fields
    with pytest.raises(NotFound):
        help_now.urgent_referral(
            incident,
            clinic_id=clinic.id,
            services=["gbv_care"],
            actor=make_user("peer_educator"),
            now=utcnow(),
        )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IncidentReferral)) == 0
