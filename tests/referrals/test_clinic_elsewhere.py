"""A referral made for another clinic, brought to this clinic's desk: the visit is recorded
here (the referral moves, with an event and an audit row), only while the referral is open and
only for the services this clinic offers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from referrals.models import Referral
from referrals.services import lifecycle, visit_elsewhere
from tests.support.clock import local_at


@pytest.fixture
def world(make_user, new_member, new_referral, clinic, clinic_with):
    """A referral made at `clinic` for HIV testing and PrEP; another clinic offering HIV
    testing and STI care, with its partner."""
    pe = make_user("peer_educator")
    member = new_member(pe)
    referral = new_referral(
        pe, member, appointment_at=local_at(1), services=("hiv_testing", "prep")
    )
    here = clinic_with(codes=("hiv_testing", "sti"), name="Here Place")
    partner = make_user("clinic_partner", clinic_id=here.id)
    return {"pe": pe, "referral": referral, "other": clinic, "here": here, "partner": partner}


def test_the_partner_of_another_clinic_sees_what_can_be_done_here(world):
    referral, offer = visit_elsewhere.get(world["referral"].code.lower(), world["partner"])
    assert referral.id == world["referral"].id
    assert offer.here == ["hiv_testing"] and offer.not_here == ["prep"]
    assert offer.open and offer.possible
    # Its own clinic's partner, a peer educator and an admin never see it as "elsewhere".
    own = db.session.get(type(world["partner"]), world["partner"].id)
    assert visit_elsewhere.find(referral.code, world["pe"]) is None
    own.clinic_id = world["other"].id
    assert visit_elsewhere.find(referral.code, own) is None


def test_recording_the_visit_here_moves_the_referral_with_an_event_and_an_audit_row(world):
    code = world["referral"].code
    visit_elsewhere.record_visit_here(
        code, ["hiv_testing"], actor=world["partner"], linked_to_care=True
    )
    db.session.commit()
    db.session.expire_all()
    referral = db.session.scalar(sa.select(Referral).where(Referral.code == code))
    assert referral.clinic_id == world["here"].id
    assert referral.status == "attended" and referral.services_delivered == ["hiv_testing"]
    assert referral.confirmed_by_id == world["partner"].id
    steps = [(e.from_status, e.to_status) for e in referral.events]
    assert steps == [
        (None, "scheduled"),
        ("scheduled", "clinic_changed"),
        ("scheduled", "attended"),
    ]
    move = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "referral.move"))
    assert move.entity_id == code and move.actor_id == world["partner"].id
    assert move.details == {"from_clinic_id": world["other"].id, "to_clinic_id": world["here"].id}
    # Her peer educator still sees it, with the move in its history.
    assert lifecycle.get_referral(code, world["pe"]).clinic_id == world["here"].id


def test_the_api_shows_the_move_as_an_event_of_its_own(world, client, api_headers):
    code = world["referral"].code
    visit_elsewhere.record_visit_here(code, ["hiv_testing"], actor=world["partner"])
    db.session.commit()
    for user in (world["pe"], world["partner"]):
        body = client.get(f"/api/v1/referrals/{code}", headers=api_headers(user=user)).get_json()
        steps = [(e["from"], e["to"], e["kind"]) for e in body["events"]]
        assert steps == [
            (None, "scheduled", "status"),
            ("scheduled", "scheduled", "clinic_changed"),
            ("scheduled", "attended", "status"),
        ]
        assert body["clinic_id"] == world["here"].id


def test_only_the_services_offered_here_and_asked_for(world):
    code = world["referral"].code
    for services in (["prep"], ["sti"], [], "hiv_testing"):
        with pytest.raises(ValidationFailed):
            visit_elsewhere.record_visit_here(code, services, actor=world["partner"])
    db.session.rollback()
    assert db.session.get(Referral, world["referral"].id).clinic_id == world["other"].id


def test_a_closed_referral_does_not_move(world):
    code = world["referral"].code
    lifecycle.cancel(code, "she moved away", actor=world["pe"])
    db.session.commit()
    _, offer = visit_elsewhere.get(code, world["partner"])
    assert not offer.open and not offer.possible
    with pytest.raises(Conflict):
        visit_elsewhere.record_visit_here(code, ["hiv_testing"], actor=world["partner"])
    db.session.rollback()
    assert db.session.get(Referral, world["referral"].id).clinic_id == world["other"].id


def test_nothing_offered_here_is_refused(world, clinic_with, make_user):
    elsewhere = clinic_with(codes=("contraception",))
    partner = make_user("clinic_partner", clinic_id=elsewhere.id)
    _, offer = visit_elsewhere.get(world["referral"].code, partner)
    assert offer.here == [] and not offer.possible
    with pytest.raises(Conflict) as refused:
        visit_elsewhere.record_visit_here(world["referral"].code, ["prep"], actor=partner)
    assert refused.value.code == "not_offered_here"


def test_a_code_nobody_has_is_not_found(world):
    with pytest.raises(NotFound):
        visit_elsewhere.get("000000000", world["partner"])
    with pytest.raises(NotFound):
        visit_elsewhere.get("not a code", world["partner"])


def test_a_move_that_lost_a_race_changes_nothing(world):
    referral = visit_elsewhere.find(world["referral"].code, world["partner"])
    db.session.execute(
        sa.update(Referral)
        .where(Referral.id == referral.id)
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )  # cancelled by her peer educator just after the page was read
    with pytest.raises(Conflict):
        visit_elsewhere.move(
            referral, world["here"], actor=world["partner"], channel="web", now=local_at(0)
        )
    db.session.rollback()
