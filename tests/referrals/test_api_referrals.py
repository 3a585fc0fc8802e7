"""Referrals through the API: bad input, conflicts, planned messages, nothing half-written."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from referrals.models import Referral, ReferralEvent
from tests.support.clock import local_at


@pytest.fixture
def pe(make_user):
    return make_user("peer_educator")


@pytest.fixture
def h(api_headers, pe):
    return api_headers(user=pe)


@pytest.fixture
def member(new_member, pe):
    return new_member(pe, phone="01712-345678")


def body(member, clinic, **kw):
    data = {
        "member_id": member.id,
        "clinic_id": clinic.id,
        "services": ["hiv_testing"],
        "appointment_at": local_at(3, 11).isoformat(),
        "urgency": "routine",
    }
    data.update(kw)
    return data


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"member_id": 999999}, 422, "member_id"),
        ({"clinic_id": 999999}, 422, "clinic_id"),
        ({"services": ["art", "no_such"]}, 422, "services"),
        ({"services": []}, 422, "services"),
        ({"services": "hiv_testing"}, 422, "services"),
        ({"urgency": "now"}, 422, "urgency"),
        ({"appointment_at": "yesterday"}, 400, "appointment_at"),
        ({"notes": "x" * 3000}, 422, "notes"),
    ],
)
def test_bad_referral_input_is_a_clear_error_and_writes_nothing(
    client, h, member, clinic, change, status, field
):
    r = client.post("/api/v1/referrals", json=body(member, clinic, **change), headers=h)
    assert r.status_code == status, r.json
    assert field in r.json["error"]["fields"]
    assert count(Referral) == 0 and count(ReferralEvent) == 0


def test_service_not_offered_and_past_appointment(client, h, member, clinic_with):
    small = clinic_with(codes=("contraception",))
    r = client.post("/api/v1/referrals", json=body(member, small, services=["prep"]), headers=h)
    assert r.status_code == 422 and "services" in r.json["error"]["fields"]
    past = (utcnow() - timedelta(hours=1)).isoformat()
    r = client.post(
        "/api/v1/referrals",
        json=body(member, small, services=["contraception"], appointment_at=past),
        headers=h,
    )
    assert r.status_code == 422 and "appointment_at" in r.json["error"]["fields"]
    assert count(Referral) == 0


def test_malformed_body_is_400(client, h):
    r = client.post("/api/v1/referrals", data="not json", headers=h)
    assert r.status_code == 400


def test_closed_clinic_gives_a_warning_not_an_error(client, h, member, clinic):
    r = client.post(
        "/api/v1/referrals",
        json=body(member, clinic, appointment_at=local_at(3, 22).isoformat()),
        headers=h,
    )
    assert r.status_code == 201  # the API never asks: it goes ahead and says so
    [warning] = r.json["warnings"]
    assert warning["code"] == "clinic_closed" and "closed" in warning["message"]


def test_reminder_already_passed_is_not_planned(client, h, member, clinic):
    soon = utcnow() + timedelta(hours=5)
    r = client.post(
        "/api/v1/referrals",
        json=body(member, clinic, appointment_at=soon.isoformat()),
        headers=h,
    )
    assert r.status_code == 201
    kinds = {m["kind"] for m in r.json["messages"]}
    assert "reminder_24h" not in kinds
    assert "referral_created" in kinds


def test_no_appointment_is_referred_then_scheduled_with_appointment_changed(
    client, h, member, clinic
):
    r = client.post("/api/v1/referrals", json=body(member, clinic, appointment_at=None), headers=h)
    assert r.status_code == 201 and r.json["status"] == "referred"
    assert [m["kind"] for m in r.json["messages"]] == ["referral_created"]
    code = r.json["code"]
    r = client.post(
        f"/api/v1/referrals/{code}/reschedule",
        json={"appointment_at": local_at(4, 10).isoformat()},
        headers=h,
    )
    assert r.status_code == 200 and r.json["status"] == "scheduled"
    live = sorted(m["kind"] for m in r.json["messages"] if m["status"] == "pending")
    assert "appointment_changed" in live and "reminder_24h" in live
    assert r.json["events"][-1] == {**r.json["events"][-1], "from": "referred", "to": "scheduled"}


def test_reschedule_cancels_old_reminders(client, h, member, clinic):
    r = client.post("/api/v1/referrals", json=body(member, clinic), headers=h)
    code = r.json["code"]
    r = client.post(
        f"/api/v1/referrals/{code}/reschedule",
        json={"appointment_at": local_at(5, 15).isoformat()},
        headers=h,
    )
    assert r.status_code == 200
    by_status = {}
    for m in r.json["messages"]:
        by_status.setdefault(m["kind"], []).append(m["status"])
    assert sorted(by_status["reminder_24h"]) == ["cancelled", "pending"]
    assert by_status["appointment_changed"] == ["pending"]


def test_cancel_then_reschedule_is_409_and_changes_nothing(client, h, member, clinic):
    code = client.post("/api/v1/referrals", json=body(member, clinic), headers=h).json["code"]
    r = client.post(f"/api/v1/referrals/{code}/cancel", json={}, headers=h)
    assert r.status_code == 422 and "reason" in r.json["error"]["fields"]
    r = client.post(f"/api/v1/referrals/{code}/cancel", json={"reason": "moved away"}, headers=h)
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert all(m["status"] != "pending" for m in r.json["messages"])
    r = client.post(
        f"/api/v1/referrals/{code}/reschedule",
        json={"appointment_at": local_at(6).isoformat()},
        headers=h,
    )
    assert r.status_code == 409 and "cancelled" in r.json["error"]["message"]
    referral = db.session.scalar(sa.select(Referral))
    db.session.refresh(referral)
    assert referral.appointment_at == local_at(3, 11)
    assert [e.to_status for e in referral.events] == ["scheduled", "cancelled"]


def test_mistyped_code_is_not_found_not_another_referral(client, h, member, clinic):
    code = client.post("/api/v1/referrals", json=body(member, clinic), headers=h).json["code"]
    wrong = ("1" if code[0] != "1" else "2") + code[1:]
    assert client.get(f"/api/v1/referrals/{wrong}", headers=h).status_code == 404
    swapped = code[1] + code[0] + code[2:]
    if swapped != code:
        assert client.get(f"/api/v1/referrals/{swapped}", headers=h).status_code == 404
    grouped = f"{code[:3]}-{code[3:6]}-{code[6:]}".lower()
    assert client.get(f"/api/v1/referrals/{grouped}", headers=h).json["code"] == code


def test_confirm_by_another_clinic_is_not_found(
    client, h, member, clinic, make_user, api_headers, clinic_with
):
    code = client.post("/api/v1/referrals", json=body(member, clinic), headers=h).json["code"]
    other = make_user("clinic_partner", clinic_id=clinic_with().id)
    r = client.post(
        f"/api/v1/referrals/{code}/confirm",
        json={"services_delivered": ["hiv_testing"]},
        headers=api_headers(user=other),
    )
    assert r.status_code == 404
    assert db.session.scalar(sa.select(Referral.status)) == "scheduled"


def test_confirm_validates_services_delivered(client, h, member, clinic, make_user, api_headers):
    code = client.post("/api/v1/referrals", json=body(member, clinic), headers=h).json["code"]
    ph = api_headers(user=make_user("clinic_partner", clinic_id=clinic.id))
    r = client.post(
        f"/api/v1/referrals/{code}/confirm", json={"services_delivered": ["x"]}, headers=ph
    )
    assert r.status_code == 422
    r = client.post(
        f"/api/v1/referrals/{code}/confirm", json={"services_delivered": []}, headers=ph
    )
    assert r.status_code == 422
    assert db.session.scalar(sa.select(Referral.status)) == "scheduled"


def test_list_filters(client, h, member, clinic):
    client.post("/api/v1/referrals", json=body(member, clinic), headers=h)
    client.post("/api/v1/referrals", json=body(member, clinic, appointment_at=None), headers=h)
    r = client.get("/api/v1/referrals?status=referred", headers=h)
    assert r.json["total"] == 1
    r = client.get(f"/api/v1/referrals?clinic_id={clinic.id}", headers=h)
    assert r.json["total"] == 2
    assert client.get("/api/v1/referrals?status=bogus", headers=h).status_code == 422
    assert client.get("/api/v1/referrals?from=notadate", headers=h).status_code == 400


def test_opted_out_member_gets_no_messages(client, h, member, clinic):
    assert client.post(f"/api/v1/members/{member.id}/opt-out", headers=h).status_code == 200
    r = client.post("/api/v1/referrals", json=body(member, clinic), headers=h)
    assert r.status_code == 201 and r.json["messages"] == []


def test_safety_hold_cancels_everything_pending(client, h, member, clinic):
    code = client.post("/api/v1/referrals", json=body(member, clinic), headers=h).json["code"]
    r = client.post(f"/api/v1/members/{member.id}/safety-hold", headers=h)
    assert r.status_code == 200 and r.json["safety_hold"] is True
    messages = client.get(f"/api/v1/referrals/{code}", headers=h).json["messages"]
    assert messages and all(m["status"] == "cancelled" for m in messages)
    assert {m["error_message"] for m in messages} == {"safety hold"}


def test_openapi_documents_every_referrals_endpoint(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path, method in (
        ("/members", "post"),
        ("/members/{member_id}", "get"),
        ("/members/{member_id}/opt-out", "post"),
        ("/members/{member_id}/safety-hold", "post"),
        ("/referrals", "post"),
        ("/referrals", "get"),
        ("/referrals/{code}", "get"),
        ("/referrals/{code}/reschedule", "post"),
        ("/referrals/{code}/cancel", "post"),
        ("/referrals/{code}/confirm", "post"),
        ("/follow-ups", "get"),
        ("/messages", "get"),
    ):
        assert method in paths[path], (path, method)


def test_release_plans_the_reminders_still_ahead(client, h, member, clinic):
    code = client.post("/api/v1/referrals", json=body(member, clinic), headers=h).json["code"]
    client.post(f"/api/v1/members/{member.id}/safety-hold", headers=h)
    client.post(f"/api/v1/members/{member.id}/safety-release", headers=h)
    messages = client.get(f"/api/v1/referrals/{code}", headers=h).json["messages"]
    pending = sorted(m["kind"] for m in messages if m["status"] == "pending")
    assert pending == ["reminder_24h", "reminder_2h"]
    client.post(f"/api/v1/members/{member.id}/safety-release", headers=h)  # twice: no duplicates
    messages = client.get(f"/api/v1/referrals/{code}", headers=h).json["messages"]
    assert len([m for m in messages if m["status"] == "pending"]) == 2


def test_a_hold_covers_every_member_on_a_shared_phone(client, h, member, clinic, new_member, pe):
    second = new_member(pe, phone="+8801712345678", shared_phone=True)
    client.post("/api/v1/referrals", json=body(second, clinic), headers=h)
    r = client.post(f"/api/v1/members/{member.id}/safety-hold", headers=h)
    assert r.status_code == 200
    other = client.get(f"/api/v1/members/{second.id}", headers=h).json
    assert other["safety_hold"] is True
    r = client.get("/api/v1/messages?status=pending", headers=h)
    assert r.json["total"] == 0


@pytest.mark.parametrize("appointment", [True, False])
def test_creation_lists_the_first_event_once(client, h, member, clinic, appointment):
    data = body(member, clinic) if appointment else body(member, clinic, appointment_at=None)
    r = client.post("/api/v1/referrals", json=data, headers=h)
    assert r.status_code == 201, r.json
    status = "scheduled" if appointment else "referred"
    assert [(e["from"], e["to"]) for e in r.json["events"]] == [(None, status)]
    assert count(ReferralEvent) == 1
    # A later change adds exactly one event, in the answer as in the database.
    r = client.post(
        f"/api/v1/referrals/{r.json['code']}/cancel", json={"reason": "moved away"}, headers=h
    )
    assert r.status_code == 200, r.json
    assert [(e["from"], e["to"]) for e in r.json["events"]] == [
        (None, status),
        (status, "cancelled"),
    ]
    assert count(ReferralEvent) == 2
