"""A new referral or a new time asks before anything is saved or any SMS is queued: the clinic is
closed then, or she already has an open referral there for the same services. The API never
asks: it goes ahead and reports the same things as warnings (CONTRACT.md)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from core.extensions import db
from notifications.models import OutboxMessage
from referrals.models import Referral
from tests.support.clock import local_at


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def where_url(member, when=None, services=("hiv_testing",)) -> str:
    args = [("services", s) for s in services] + [("urgency", "routine")]
    if when is not None:
        args.append(("at", when.isoformat()))
    return f"/referrals/new/{member.id}/where?" + urlencode(args)


@pytest.fixture
def pe(login_as):
    return login_as("peer_educator")


def test_a_closed_clinic_is_asked_first_and_nothing_is_saved(client, pe, new_member, clinic):
    member = new_member(pe)
    late = local_at(3, 22)  # the clinic is open 08:00-20:00
    r = client.post(where_url(member, late), data={"clinic_id": clinic.id})
    page = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "closed at that time" in page and "08:00–20:00" in page
    assert "Keep this time anyway" in page and 'name="accept" value="clinic_closed"' in page
    assert count(Referral) == 0 and count(OutboxMessage) == 0
    r = client.post(
        where_url(member, late), data={"clinic_id": clinic.id, "accept": "clinic_closed"}
    )
    assert r.status_code == 302 and "/slip" in r.headers["Location"]
    assert count(Referral) == 1


def test_a_clinic_closed_all_day_says_so(client, pe, new_member, clinic_with):
    shut = clinic_with(hours={"mon": [["09:00", "17:00"]]})
    member = new_member(pe)
    sunday = next(local_at(d, 10) for d in range(1, 8) if local_at(d).weekday() == 6)
    r = client.post(where_url(member, sunday), data={"clinic_id": shut.id})
    assert r.status_code == 409
    assert "closed all day on Sunday" in r.get_data(as_text=True)
    assert count(Referral) == 0


def test_the_same_open_referral_is_shown_before_a_second(
    client, pe, new_member, new_referral, clinic
):
    member = new_member(pe)
    first = new_referral(pe, member, appointment_at=local_at(2))
    r = client.post(where_url(member, local_at(4)), data={"clinic_id": clinic.id})
    page = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "already has an open referral" in page and first.code[:3] in page
    assert f"/referrals/{first.code}/slip" in page and "Make a second referral anyway" in page
    assert count(Referral) == 1
    r = client.post(
        where_url(member, local_at(4)),
        data={"clinic_id": clinic.id, "accept": "duplicate_referral"},
    )
    assert r.status_code == 302 and count(Referral) == 2


def test_other_services_or_a_closed_referral_are_no_duplicate(
    client, pe, new_member, new_referral, clinic
):
    member = new_member(pe)
    new_referral(pe, member, services=("hiv_testing", "sti"))
    r = client.post(where_url(member, local_at(4)), data={"clinic_id": clinic.id})
    assert r.status_code == 302  # hiv_testing alone is not the same services
    assert count(Referral) == 2


def test_reschedule_onto_a_closed_hour_asks_before_saving(client, pe, new_member, new_referral):
    referral = new_referral(pe, new_member(pe), appointment_at=local_at(2))
    before = count(OutboxMessage)
    day = local_at(3).date().isoformat()
    r = client.post(f"/referrals/{referral.code}/reschedule", data={"day": day, "at": "21:30"})
    page = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "closed at that time" in page and "08:00–20:00" in page
    assert f'value="{day}"' in page and 'value="21:30"' in page  # the form, shown again
    assert "Keep this time anyway" in page
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).appointment_at == local_at(2)
    assert count(OutboxMessage) == before  # nothing queued, nothing cancelled
    r = client.post(
        f"/referrals/{referral.code}/reschedule",
        data={"day": day, "at": "21:30", "accept": "clinic_closed"},
    )
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).appointment_at == local_at(3, 21, 30)


def test_the_api_goes_ahead_and_warns(client, api_headers, pe, new_member, new_referral, clinic):
    h = api_headers(user=pe)
    member = new_member(pe)
    first = new_referral(pe, member, appointment_at=local_at(2))
    body = {
        "member_id": member.id,
        "clinic_id": clinic.id,
        "services": ["hiv_testing"],
        "appointment_at": local_at(3, 22).isoformat(),
    }
    r = client.post("/api/v1/referrals", json=body, headers=h)
    assert r.status_code == 201
    assert {w["code"] for w in r.json["warnings"]} == {"duplicate_referral", "clinic_closed"}
    duplicate = next(w for w in r.json["warnings"] if w["code"] == "duplicate_referral")
    assert duplicate["referral_code"] == first.code
    r = client.post(
        f"/api/v1/referrals/{first.code}/reschedule",
        json={"appointment_at": local_at(5, 21).isoformat()},
        headers=h,
    )
    assert r.status_code == 200
    assert [w["code"] for w in r.json["warnings"]] == ["clinic_closed"]
    assert "open 08:00–20:00" in r.json["warnings"][0]["message"]
    r = client.post(
        f"/api/v1/referrals/{first.code}/reschedule",
        json={"appointment_at": local_at(5, 10).isoformat()},
        headers=h,
    )
    assert r.status_code == 200 and "warnings" not in r.json


def test_the_question_is_asked_in_bangla(client, login_as, new_member, new_referral):
    pe = login_as("peer_educator", language="bn")
    referral = new_referral(pe, new_member(pe), appointment_at=local_at(2))
    day = local_at(3).date().isoformat()
    r = client.post(f"/referrals/{referral.code}/reschedule", data={"day": day, "at": "21:30"})
    page = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "ওই সময়ে ক্লিনিক বন্ধ থাকে" in page and "০৮:০০–২০:০০" in page
    assert "তবুও এই সময়টাই রাখুন" in page
    assert "The clinic is closed" not in page
