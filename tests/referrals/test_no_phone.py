"""A member without a phone (many share one or have none): registered without a number, referred
with a slip, no SMS planned, and her page says why."""

from __future__ import annotations

import sqlalchemy as sa

from core.extensions import db
from notifications.models import OutboxMessage
from referrals.models import Member, Referral
from tests.support.clock import local_at


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_api_registers_and_refers_her_without_a_phone(client, api_headers, clinic):
    h = api_headers("peer_educator")
    absent = client.post("/api/v1/members", json={"language": "bn", "sms_consent": True}, headers=h)
    assert absent.status_code == 201, absent.json
    assert absent.json["phone_masked"] is None
    null = client.post(
        "/api/v1/members", json={"phone": None, "language": "en", "shared_phone": True}, headers=h
    )
    assert null.status_code == 201 and null.json["shared_phone"] is False  # two without: no 409
    r = client.post(
        "/api/v1/referrals",
        json={
            "member_id": absent.json["id"],
            "clinic_id": clinic.id,
            "services": ["hiv_testing"],
            "appointment_at": local_at(2).isoformat(),
        },
        headers=h,
    )
    assert r.status_code == 201 and r.json["messages"] == []
    assert count(OutboxMessage) == 0
    r = client.post(
        f"/api/v1/referrals/{r.json['code']}/reschedule",
        json={"appointment_at": local_at(3).isoformat()},
        headers=h,
    )
    assert r.status_code == 200 and r.json["messages"] == [] and count(OutboxMessage) == 0


def test_a_blank_number_is_no_number_but_a_bad_one_is_refused(client, api_headers):
    h = api_headers("peer_educator")
    r = client.post("/api/v1/members", json={"phone": "  ", "language": "bn"}, headers=h)
    assert r.status_code == 201 and r.json["phone_masked"] is None
    r = client.post("/api/v1/members", json={"phone": "12", "language": "bn"}, headers=h)
    assert r.status_code == 422 and "phone" in r.json["error"]["fields"]


def test_the_pages_register_her_refer_her_and_say_why(client, login_as, clinic):
    login_as("peer_educator")
    r = client.post("/referrals/new/register", data={"phone": "", "language": "bn"})
    assert r.status_code == 200 and "She has no phone of her own" in r.get_data(as_text=True)
    assert count(Member) == 0  # an empty box is not a choice
    r = client.post(
        "/referrals/new/register", data={"phone": "", "no_phone": "y", "language": "bn"}
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    member = db.session.scalar(sa.select(Member))
    assert member.contact.phone is None and member.contact.phone_index is None
    when = local_at(2, 10)
    r = client.post(
        r.headers["Location"],
        data={"services": ["hiv_testing"], "day": when.date().isoformat(), "at": "10:00"},
    )
    r = client.post(r.headers["Location"], data={"clinic_id": clinic.id})
    assert r.status_code == 302 and "/slip" in r.headers["Location"]
    slip = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "no SMS will be sent" in slip
    assert count(Referral) == 1 and count(OutboxMessage) == 0
    code = r.headers["Location"].split("/")[-2]
    assert "no SMS will be sent" in client.get(f"/referrals/{code}").get_data(as_text=True)
    page = client.get(f"/members/{member.id}").get_data(as_text=True)
    assert 'id="no-phone"' in page and "no SMS is planned for her" in page
