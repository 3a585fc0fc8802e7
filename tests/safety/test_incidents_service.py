"""Incidents through the service: recorded and read back, every field checked, the roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.errors import BadInput, Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from safety.models import Incident
from safety.services import incidents
from tests.support.clock import NOW
from tests.support.incidents import (
    SECRET_AREA,
    SECRET_DESCRIPTION,
    incident_body,
    record,
    register,
    today,
)


@pytest.fixture
def pe(make_user):
    return make_user("peer_educator")


@pytest.fixture
def other_pe(make_user):
    return make_user("peer_educator")


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def audit_rows(action):
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Incident))


def test_recorded_and_read_back(pe):
    member = register(pe)
    made = record(
        pe,
        member_id=member.id,
        district="Comilla",  # an older spelling: stored as the current name
        perpetrators=["hotel_staff", "police", "police"],
        violations=["extortion", "physical"],
    )
    db.session.expire_all()
    incident = incidents.get_incident(made.id, pe)
    assert incident.member_id == member.id and incident.peer_educator_id == pe.id
    assert incident.recorded_by_id == pe.id and incident.status == "open"
    assert incident.district == "Cumilla" and incident.place_type == "hotel"
    assert incident.perpetrators == ["police", "hotel_staff"]  # deduped, vocabulary order
    assert incident.violations == ["physical", "extortion"]
    assert incident.occurred_on == today() - timedelta(days=1)
    assert (incident.area, incident.description) == (SECRET_AREA, SECRET_DESCRIPTION)
    assert (incident.consent_advocacy, incident.consent_alert, incident.consent_legal) == (
        True,
        False,
        True,
    )
    assert incident.needs_help_now is True
    body = incidents.incident_json(incident, pe)
    assert body["consent"] == {"advocacy": True, "alert": False, "legal": True}
    assert body["description"] == SECRET_DESCRIPTION and body["area"] == SECRET_AREA
    assert body["referrals"] == [] and body["description_erased"] is False
    (recorded,) = audit_rows("incident.record")
    assert recorded.entity_id == str(made.id) and recorded.actor_id == pe.id
    (read,) = audit_rows("incident.read")
    assert read.entity_id == str(made.id)


def test_blank_texts_are_not_kept_and_the_local_date_counts(pe):
    # 20:30 UTC is already the next day in Dhaka: that day is "today", the one after is not.
    late = datetime(2026, 12, 1, 20, 30, tzinfo=UTC)
    incident = record(pe, now=late, occurred_on="2026-12-02", area="  ", description="")
    assert incident.occurred_on.isoformat() == "2026-12-02"
    assert incident.area is None and incident.description is None
    with pytest.raises(ValidationFailed) as refused:
        record(pe, now=late, occurred_on="2026-12-03")
    assert set(refused.value.fields) == {"occurred_on"}


FIVE_YEARS_AGO = today().replace(year=today().year - 5)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"occurred_on": None}, "occurred_on"),
        ({"occurred_on": (today() + timedelta(days=1)).isoformat()}, "occurred_on"),
        ({"occurred_on": (FIVE_YEARS_AGO - timedelta(days=1)).isoformat()}, "occurred_on"),
        ({"occurred_on": 20261130}, "occurred_on"),
        ({"district": None}, "district"),
        ({"district": "Atlantis"}, "district"),
        ({"district": 7}, "district"),
        ({"area": "x" * 121}, "area"),
        ({"area": 5}, "area"),
        ({"place_type": None}, "place_type"),
        ({"place_type": "castle"}, "place_type"),
        ({"perpetrators": []}, "perpetrators"),
        ({"perpetrators": ["police", "dragon"]}, "perpetrators"),
        ({"perpetrators": "police"}, "perpetrators"),
        ({"perpetrators": None}, "perpetrators"),
        ({"violations": []}, "violations"),
        ({"violations": ["nothing"]}, "violations"),
        ({"violations": [1]}, "violations"),
        ({"needs_help_now": None}, "needs_help_now"),
        ({"needs_help_now": "yes"}, "needs_help_now"),
        ({"description": "x" * 4001}, "description"),
        ({"consent": None}, "consent"),
        ({"consent": {"advocacy": True, "alert": True}}, "consent.legal"),
        ({"consent": {"advocacy": "yes", "alert": True, "legal": False}}, "consent.advocacy"),
        ({"consent": {"advocacy": True, "alert": None, "legal": False}}, "consent.alert"),
        ({"member_id": "1"}, "member_id"),
        ({"member_id": 999999}, "member_id"),
    ],
)
def test_every_bad_field_is_refused_by_name_and_nothing_is_kept(pe, change, field):
    with pytest.raises(ValidationFailed) as refused:
        incidents.record_incident(incident_body(**change), pe)
    assert field in refused.value.fields, refused.value.fields
    assert refused.value.status == 422
    db.session.rollback()
    assert count() == 0


def test_the_oldest_date_allowed_is_five_years_back(pe):
    assert record(pe, occurred_on=FIVE_YEARS_AGO.isoformat()).occurred_on == FIVE_YEARS_AGO


def test_a_malformed_date_is_bad_input(pe):
    with pytest.raises(BadInput):
        incidents.record_incident(incident_body(occurred_on="yesterday"), pe)


def test_several_problems_are_named_together(pe):
    with pytest.raises(ValidationFailed) as refused:
        incidents.record_incident(incident_body(district="Nowhere", violations=[], consent={}), pe)
    assert {"district", "violations", "consent.advocacy", "consent.alert", "consent.legal"} <= set(
        refused.value.fields
    )


def test_member_must_be_hers_and_not_anonymised(pe, other_pe, admin):
    theirs = register(other_pe)
    with pytest.raises(ValidationFailed) as refused:
        record(pe, member_id=theirs.id)
    assert "member_id" in refused.value.fields
    db.session.rollback()
    from referrals.services import members

    gone = register(pe)
    members.anonymise(gone, actor=pe)
    db.session.commit()
    for actor in (pe, admin):
        with pytest.raises(ValidationFailed) as refused:
            record(actor, member_id=gone.id)
        assert "member_id" in refused.value.fields
        db.session.rollback()
    assert count() == 0


def test_who_is_responsible(pe, other_pe, admin):
    member = register(pe)
    assert record(admin).peer_educator_id == admin.id  # no member, nobody named
    assert record(admin, member_id=member.id).peer_educator_id == pe.id  # the member's
    named = record(admin, peer_educator_id=other_pe.id)
    assert named.peer_educator_id == other_pe.id and named.recorded_by_id == admin.id
    assert incidents.get_incident(named.id, other_pe).id == named.id  # hers to follow
    assert record(pe, peer_educator_id=pe.id).peer_educator_id == pe.id


@pytest.mark.parametrize("who", ["other_pe_by_pe", "admin_as_pe", "not_members_pe", "unknown"])
def test_naming_the_responsible_peer_educator_is_checked(pe, other_pe, admin, who):
    member = register(pe)
    actor, change = {
        "other_pe_by_pe": (pe, {"peer_educator_id": other_pe.id}),
        "admin_as_pe": (admin, {"peer_educator_id": admin.id}),
        "not_members_pe": (admin, {"peer_educator_id": other_pe.id, "member_id": member.id}),
        "unknown": (admin, {"peer_educator_id": 999999}),
    }[who]
    with pytest.raises(ValidationFailed) as refused:
        record(actor, **change)
    assert "peer_educator_id" in refused.value.fields


@pytest.mark.parametrize("role", ["clinic_partner", "viewer"])
def test_clinic_partners_and_viewers_are_refused_everything(make_user, pe, role):
    incident = record(pe)
    user = make_user(role)
    with pytest.raises(Forbidden):
        incidents.record_incident(incident_body(), user)
    with pytest.raises(Forbidden):
        incidents.get_incident(incident.id, user)
    with pytest.raises(Forbidden):
        incidents.list_incidents(user)
    with pytest.raises(Forbidden):
        incidents.close_incident(incident, user)
    assert audit_rows("incident.read") == [] and audit_rows("incident.list") == []


def test_another_peer_educators_incident_does_not_exist_for_her(pe, other_pe, admin):
    incident = record(pe)
    with pytest.raises(NotFound):
        incidents.get_incident(incident.id, other_pe)
    with pytest.raises(NotFound):
        incidents.close_incident(incident, other_pe)
    assert incidents.list_incidents(other_pe) == ([], 0)
    assert incidents.get_incident(incident.id, admin).id == incident.id
    assert incidents.list_incidents(admin)[1] == 1


def test_list_filters_orders_and_audits_with_the_count(pe):
    member = register(pe)
    old = record(pe, occurred_on=(today() - timedelta(days=9)).isoformat(), needs_help_now=False)
    new = record(pe, member_id=member.id)
    closed = record(pe, occurred_on=(today() - timedelta(days=3)).isoformat())
    incidents.close_incident(closed, pe)
    db.session.commit()
    rows, total = incidents.list_incidents(pe)
    assert [r.id for r in rows] == [new.id, closed.id, old.id] and total == 3
    assert [r.id for r in incidents.list_incidents(pe, status="open")[0]] == [new.id, old.id]
    assert [r.id for r in incidents.list_incidents(pe, needs_help=False)[0]] == [old.id]
    assert [r.id for r in incidents.list_incidents(pe, member_id=member.id)[0]] == [new.id]
    rows, total = incidents.list_incidents(pe, page=2, per_page=2)
    assert [r.id for r in rows] == [old.id] and total == 3
    assert audit_rows("incident.list")[-1].details == {"count": 1, "page": 2}
    with pytest.raises(ValidationFailed):
        incidents.list_incidents(pe, status="lost")


def test_close_once_and_what_still_needs_help(pe, other_pe):
    first = record(pe)
    second = record(pe, needs_help_now=False)
    third = record(pe)
    record(other_pe)
    assert [i.id for i in incidents.open_needing_help(pe.id)] == [third.id, first.id]
    incidents.close_incident(third, pe, now=NOW)
    db.session.commit()
    assert third.status == "closed" and third.closed_by_id == pe.id and third.closed_at == NOW
    assert [i.id for i in incidents.open_needing_help(pe.id)] == [first.id]
    with pytest.raises(Conflict):
        incidents.close_incident(third, pe)
    assert second.status == "open"
    (closed,) = audit_rows("incident.close")
    assert closed.entity_id == str(third.id)
