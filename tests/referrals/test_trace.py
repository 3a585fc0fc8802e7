"""Tracing a missed appointment: "rescheduled" takes the new time in the same form (so the
referral is scheduled again, with its SMS), and every outcome is in the referral's history."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.extensions import db
from notifications.models import OutboxMessage
from referrals.models import Referral
from referrals.services import lifecycle, tasks
from tests.support.clock import local_at


@pytest.fixture
def pe(login_as):
    return login_as("peer_educator")


@pytest.fixture
def missed(pe, new_member, new_referral):
    referral = new_referral(pe, new_member(pe), appointment_at=local_at(1))
    lifecycle.sweep(local_at(2, 12))
    db.session.commit()
    assert referral.status == "missed"
    return referral


def fresh(referral) -> Referral:
    db.session.expire_all()
    return db.session.get(Referral, referral.id)


def test_rescheduled_takes_the_new_time_in_the_same_form(client, pe, missed):
    day = local_at(4).date().isoformat()
    r = client.post(
        f"/referrals/{missed.code}/trace",
        data={"outcome": "rescheduled", "day": day, "at": "10:30"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/tasks")
    referral = fresh(missed)
    assert referral.status == "scheduled" and referral.appointment_at == local_at(4, 10, 30)
    last = referral.events[-1]
    assert (last.from_status, last.to_status, last.trace_outcome) == (
        "missed",
        "scheduled",
        "rescheduled",
    )
    kinds = db.session.scalars(
        sa.select(OutboxMessage.kind).where(OutboxMessage.status == "pending")
    ).all()
    assert "appointment_changed" in kinds
    # Off the tracing list, and on her list of scheduled referrals.
    assert tasks.task_list(pe).to_trace == []
    rows, _ = lifecycle.list_referrals(pe, status="scheduled")
    assert [r.id for r in rows] == [missed.id]


def test_rescheduled_without_a_time_shows_the_form_again(client, pe, missed):
    r = client.post(f"/referrals/{missed.code}/trace", data={"outcome": "rescheduled"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Choose the day and the time." in page and 'id="tracing"' in page
    referral = fresh(missed)
    assert referral.status == "missed" and referral.trace_outcome is None
    assert len(referral.events) == 2


def test_rescheduled_onto_a_closed_hour_asks_first(client, pe, missed):
    day = local_at(4).date().isoformat()
    data = {"outcome": "rescheduled", "day": day, "at": "22:00"}
    r = client.post(f"/referrals/{missed.code}/trace", data=data)
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and "closed at that time" in page
    assert 'value="22:00"' in page and "Keep this time anyway" in page
    assert fresh(missed).status == "missed"
    r = client.post(f"/referrals/{missed.code}/trace", data={**data, "accept": "clinic_closed"})
    assert r.status_code == 302
    assert fresh(missed).appointment_at == local_at(4, 22)


def test_every_outcome_is_in_the_history(client, pe, missed):
    client.post(f"/referrals/{missed.code}/trace", data={"outcome": "unreachable"})
    client.post(f"/referrals/{missed.code}/trace", data={"outcome": "reached"})
    referral = fresh(missed)
    assert [(e.from_status, e.to_status, e.trace_outcome) for e in referral.events[2:]] == [
        ("missed", "missed", "unreachable"),
        ("missed", "missed", "reached"),
    ]
    page = client.get(f"/referrals/{missed.code}").get_data(as_text=True)
    assert "Traced" in page and "Unreachable" in page and "Reached" in page


def test_the_api_traces_with_a_new_time(client, api_headers, pe, missed, make_user):
    h = api_headers(user=pe)
    url = f"/api/v1/referrals/{missed.code}/trace"
    r = client.post(url, json={"outcome": "rescheduled"}, headers=h)
    assert r.status_code == 422 and "appointment_at" in r.json["error"]["fields"]
    r = client.post(
        url,
        json={"outcome": "rescheduled", "appointment_at": local_at(3, 12).isoformat()},
        headers=h,
    )
    assert r.status_code == 200 and r.json["status"] == "scheduled"
    assert r.json["events"][-1]["trace_outcome"] == "rescheduled"
    partner = make_user("clinic_partner", clinic_id=missed.clinic_id)
    seen = client.get(f"/api/v1/referrals/{missed.code}", headers=api_headers(user=partner)).json
    assert all("trace_outcome" not in e for e in seen["events"])


def test_a_clinic_partner_sees_no_tracing(client, api_headers, pe, missed, make_user):
    lifecycle.record_trace(missed.code, "declined", actor=pe)
    db.session.commit()
    partner = make_user("clinic_partner", clinic_id=missed.clinic_id)
    seen = client.get(f"/api/v1/referrals/{missed.code}", headers=api_headers(user=partner)).json
    assert [(e["from"], e["to"]) for e in seen["events"]] == [
        (None, "scheduled"),
        ("scheduled", "missed"),
    ]


def test_an_old_rescheduled_without_a_time_is_back_on_the_list(pe, missed):
    # Recorded before "rescheduled" took the new time: still missed, so still hers to trace.
    db.session.execute(
        sa.update(Referral).where(Referral.id == missed.id).values(trace_outcome="rescheduled")
    )
    db.session.commit()
    assert [r.id for r in tasks.task_list(pe).to_trace] == [missed.id]
