"""The alerts API (admins only): draft → 201, the drafter's approval 409 always, a second admin's
approval plans the messages; end to end through the Twilio fake the alert reaches only the
consenting, non-shared, non-held members of its districts, once each, in her language and
discreet; a withdrawn alert sends nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from notifications import services as notifications
from notifications.models import OutboxMessage
from tests.support.alerts import TEXT_BN, TEXT_EN, alert_body, alert_incident, alert_member
from tests.support.clock import NOW
from tests.support.factories import phone

BANNED = ("police", "raid", "sex", "hiv", "clinic", "পুলিশ", "যৌন", "ক্লিনিক", "সহিংসতা")


def _body(incident, **changes):
    body = alert_body(incident, now=NOW, **changes)
    body["expires_at"] = body["expires_at"].isoformat()
    return body


@pytest.fixture
def world(app, make_user, api_headers):
    """Two admins (their headers), an incident with alert consent."""
    first, second = make_user("admin"), make_user("admin")
    return {
        "first": api_headers(user=first),
        "second": api_headers(user=second),
        "first_id": first.id,
        "incident": alert_incident(first),
    }


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    """The API takes its time from core.db.utcnow: NOW (11:00 in Dhaka) for these tests."""
    monkeypatch.setattr("safety.api.alerts.utcnow", lambda: NOW)


def test_draft_refused_to_its_author_approved_by_another(client, world):
    created = client.post("/api/v1/alerts", json=_body(world["incident"]), headers=world["first"])
    assert created.status_code == 201, created.json
    alert = created.json
    assert alert["status"] == "draft" and alert["drafted_by"] == world["first_id"]
    assert alert["incident_id"] == world["incident"].id and alert["districts"] == ["Dhaka"]
    assert alert["expires_at"].endswith("+06:00") and alert["recipients"] is None
    own = client.post(f"/api/v1/alerts/{alert['id']}/approve", headers=world["first"])
    assert own.status_code == 409 and own.json["error"]["code"] == "own_draft"
    approved = client.post(f"/api/v1/alerts/{alert['id']}/approve", headers=world["second"])
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approved" and approved.json["recipients"] == 0
    again = client.post(f"/api/v1/alerts/{alert['id']}/approve", headers=world["second"])
    assert again.status_code == 409


def test_422_without_alert_consent_and_naming_words(client, world, make_user):
    no_consent = alert_incident(make_user("peer_educator"), consent=False)
    response = client.post("/api/v1/alerts", json=_body(no_consent), headers=world["first"])
    assert response.status_code == 422 and response.json["error"]["code"] == "no_alert_consent"
    assert "incident_id" in response.json["error"]["fields"]
    words = client.post(
        "/api/v1/alerts",
        json=_body(world["incident"], text_en="Beware of the police tonight"),
        headers=world["first"],
    )
    assert words.status_code == 422 and words.json["error"]["code"] == "alert_words"
    assert "police" in words.json["error"]["fields"]["text_en"]
    assert "police" in words.json["error"]["message"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"incident_id": 1, "districts": "Dhaka"}, 422),
        ({"districts": ["Dhaka"], "text_en": "a", "text_bn": "b", "expires_at": "soon"}, 400),
    ],
)
def test_malformed_bodies(client, world, body, status):
    response = client.post("/api/v1/alerts", json=body, headers=world["first"])
    assert response.status_code == status
    assert client.post("/api/v1/alerts", data="{", headers=world["first"]).status_code == 400


def test_list_one_and_withdraw(client, world):
    first = client.post("/api/v1/alerts", json=_body(world["incident"]), headers=world["first"])
    second = client.post("/api/v1/alerts", json=_body(world["incident"]), headers=world["first"])
    a, b = first.json["id"], second.json["id"]
    client.post(f"/api/v1/alerts/{a}/approve", headers=world["second"])
    listed = client.get("/api/v1/alerts", headers=world["second"]).json
    assert [x["id"] for x in listed["items"]] == [b, a] and listed["total"] == 2  # drafts first
    drafts = client.get("/api/v1/alerts?status=draft", headers=world["second"]).json
    assert [x["id"] for x in drafts["items"]] == [b]
    assert client.get("/api/v1/alerts?status=bogus", headers=world["first"]).status_code == 422
    assert client.get(f"/api/v1/alerts/{a}", headers=world["first"]).json["status"] == "approved"
    assert client.get("/api/v1/alerts/999999", headers=world["first"]).status_code == 404
    withdrawn = client.post(f"/api/v1/alerts/{a}/withdraw", headers=world["first"])
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    again = client.post(f"/api/v1/alerts/{a}/withdraw", headers=world["first"])
    assert again.status_code == 409


@pytest.mark.parametrize("role", ["peer_educator", "clinic_partner", "viewer"])
def test_every_other_role_is_403(client, world, api_headers, role):
    created = client.post("/api/v1/alerts", json=_body(world["incident"]), headers=world["first"])
    alert_id = created.json["id"]
    headers = api_headers(role)
    assert (
        client.post("/api/v1/alerts", json=_body(world["incident"]), headers=headers).status_code
        == 403
    )
    assert client.get("/api/v1/alerts", headers=headers).status_code == 403
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=headers).status_code == 403
    for action in ("approve", "withdraw"):
        assert (
            client.post(f"/api/v1/alerts/{alert_id}/{action}", headers=headers).status_code == 403
        )


def _dispatch(app, at):
    result = app.test_cli_runner().invoke(args=["reminders", "dispatch", "--now", at.isoformat()])
    assert result.exit_code == 0, result.output
    return result


def test_end_to_end_through_twilio(twilio_app, fake_twilio, client, world, make_user):
    pe = make_user("peer_educator")
    numbers = {key: phone() for key in ("bn", "en", "no", "sylhet", "held", "shared")}
    alert_member(pe, language="bn", phone=numbers["bn"])
    alert_member(pe, language="en", phone=numbers["en"])
    alert_member(pe, consent=False, phone=numbers["no"])
    alert_member(pe, district="Sylhet", phone=numbers["sylhet"])
    alert_member(pe, held=True, phone=numbers["held"])
    alert_member(pe, shared=True, phone=numbers["shared"])
    alert_member(pe, shared=True, phone=numbers["shared"])
    created = client.post("/api/v1/alerts", json=_body(world["incident"]), headers=world["first"])
    alert_id = created.json["id"]
    approved = client.post(f"/api/v1/alerts/{alert_id}/approve", headers=world["second"])
    assert approved.json["recipients"] == 2
    _dispatch(twilio_app, NOW)
    _dispatch(twilio_app, NOW + timedelta(minutes=5))  # a second pass sends nothing again
    sent = fake_twilio.messages
    assert sorted((m.to[-10:], m.body) for m in sent) == sorted(
        [(_e164(numbers["bn"])[-10:], TEXT_BN), (_e164(numbers["en"])[-10:], TEXT_EN)]
    )
    for message in sent:
        for word in BANNED:
            assert word not in message.body.lower()
    listed = client.get("/api/v1/messages?kind=safety_alert", headers=world["first"]).json
    assert [m["alert_id"] for m in listed["items"]] == [alert_id, alert_id]  # the SMS log's link


def _e164(number: str) -> str:
    return "+880" + number.replace("-", "")[1:]


def test_a_withdrawn_alert_sends_nothing_more(twilio_app, fake_twilio, client, world, make_user):
    pe = make_user("peer_educator")
    alert_member(pe)
    night = alert_member(pe, language="en")
    notifications.set_window(night.contact, "20:00-23:00", now=NOW)  # hers comes tonight
    db.session.commit()
    created = client.post("/api/v1/alerts", json=_body(world["incident"]), headers=world["first"])
    alert_id = created.json["id"]
    client.post(f"/api/v1/alerts/{alert_id}/approve", headers=world["second"])
    _dispatch(twilio_app, NOW)
    assert len(fake_twilio.messages) == 1
    withdrawn = client.post(f"/api/v1/alerts/{alert_id}/withdraw", headers=world["first"])
    assert withdrawn.status_code == 200
    _dispatch(twilio_app, NOW + timedelta(hours=10))  # past 20:00 in Dhaka
    assert len(fake_twilio.messages) == 1
    statuses = db.session.scalars(
        sa.select(OutboxMessage.status).where(OutboxMessage.subject == f"alert:{alert_id}")
    ).all()
    assert sorted(statuses) == ["cancelled", "sent"]
