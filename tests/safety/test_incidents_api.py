"""Incidents through the API: CONTRACT.md's shapes, bad input, and every role on every endpoint."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from safety.models import Incident
from tests.support.factories import ALL_WEEK, DHAKA_POINT, default_catalogue, make_clinic
from tests.support.incidents import SECRET_DESCRIPTION, incident_body, record, register, today


@pytest.fixture
def pe(make_user):
    return make_user("peer_educator")


@pytest.fixture
def h(api_headers, pe):
    return api_headers(user=pe)


def count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Incident))


def endpoints(incident_id):
    return [
        ("post", "/api/v1/incidents", incident_body()),
        ("get", "/api/v1/incidents", None),
        ("get", f"/api/v1/incidents/{incident_id}", None),
        ("get", f"/api/v1/incidents/{incident_id}/help", None),
        ("post", f"/api/v1/incidents/{incident_id}/close", None),
    ]


def call(client, method, url, body, headers):
    return client.open(url, method=method.upper(), json=body, headers=headers)


def test_record_and_read_back(client, h, pe):
    member = register(pe)
    r = client.post("/api/v1/incidents", json=incident_body(member_id=member.id), headers=h)
    assert r.status_code == 201, r.json
    made = r.json
    assert made["member_id"] == member.id and made["peer_educator_id"] == pe.id
    assert made["status"] == "open" and made["needs_help_now"] is True
    assert made["perpetrators"] == ["police", "hotel_staff"]
    assert made["violations"] == ["physical", "extortion"]
    assert made["consent"] == {"advocacy": True, "alert": False, "legal": True}
    assert made["occurred_on"] == (today() - timedelta(days=1)).isoformat()
    assert made["created_at"].endswith("+06:00")  # APP_TIMEZONE's offset
    assert made["description"] == SECRET_DESCRIPTION
    one = client.get(f"/api/v1/incidents/{made['id']}", headers=h)
    assert one.status_code == 200 and one.json == made
    listed = client.get("/api/v1/incidents?status=open&needs_help=true", headers=h).json
    assert listed["total"] == 1 and listed["items"] == [made]
    assert listed["page"] == 1 and listed["per_page"] == 20


def test_close_then_close_again_is_a_conflict(client, h, pe):
    incident = record(pe)
    r = client.post(f"/api/v1/incidents/{incident.id}/close", headers=h)
    assert r.status_code == 200 and r.json["status"] == "closed" and r.json["closed_at"]
    again = client.post(f"/api/v1/incidents/{incident.id}/close", headers=h)
    assert again.status_code == 409


def test_roles_on_every_endpoint(client, api_headers, make_user, pe, h, catalogue):
    mine = record(pe)
    admins = api_headers("admin")
    other = api_headers("peer_educator")
    for method, url, body in endpoints(mine.id):
        assert call(client, method, url, body, admins).status_code in (200, 201), url
        for role in ("clinic_partner", "viewer"):
            refused = call(client, method, url, body, api_headers(role))
            assert refused.status_code == 403, (role, url)
            assert refused.json["error"]["code"] == "forbidden"
        if "/incidents/" in url:
            assert call(client, method, url, body, other).status_code == 404, url
    # Her own (the admin closed it above, so a second close is a conflict, not a refusal).
    assert client.get(f"/api/v1/incidents/{mine.id}", headers=h).status_code == 200
    assert client.get(f"/api/v1/incidents/{mine.id}/help", headers=h).status_code == 200
    assert client.post(f"/api/v1/incidents/{mine.id}/close", headers=h).status_code == 409
    assert client.get("/api/v1/incidents", headers=other).json["total"] == 0
    assert client.get("/api/v1/incidents", headers=h).json["total"] == 1
    assert client.get("/api/v1/incidents", headers=admins).json["total"] == 2  # + the admin's


def test_the_description_is_there_for_her_and_the_admin(client, h, pe, api_headers):
    incident = record(pe)
    admin = client.get(f"/api/v1/incidents/{incident.id}", headers=api_headers("admin")).json
    assert admin["description"] == SECRET_DESCRIPTION
    assert client.get(f"/api/v1/incidents/{incident.id}", headers=h).json["description"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (incident_body(occurred_on=(today() + timedelta(days=1)).isoformat()), 422, "occurred_on"),
        (incident_body(occurred_on="01/12/2026"), 400, "occurred_on"),
        (incident_body(district="Gotham"), 422, "district"),
        (incident_body(place_type="castle"), 422, "place_type"),
        (incident_body(perpetrators=[]), 422, "perpetrators"),
        (incident_body(violations=["nothing"]), 422, "violations"),
        (incident_body(needs_help_now="yes"), 422, "needs_help_now"),
        (incident_body(consent={"advocacy": True, "alert": False}), 422, "consent"),
        (incident_body(consent=None), 422, "consent"),
        (incident_body(description="x" * 4001), 422, "description"),
        (incident_body(member_id=999999), 422, "member_id"),
        (
            {k: v for k, v in incident_body().items() if k != "needs_help_now"},
            422,
            "needs_help_now",
        ),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(client, h, body, status, field):
    r = client.post("/api/v1/incidents", json=body, headers=h)
    assert r.status_code == status, r.json
    assert field in r.json["error"]["fields"]
    assert count() == 0


def test_a_missing_consent_is_named(client, h):
    body = incident_body(consent={"advocacy": True, "alert": False})
    r = client.post("/api/v1/incidents", json=body, headers=h)
    assert r.status_code == 422 and "legal" in r.json["error"]["fields"]["consent"]


def test_malformed_json_is_400(client, h):
    r = client.post(
        "/api/v1/incidents",
        data='{"district": "Dhaka",',
        headers={**h, "Content-Type": "application/json"},
    )
    assert r.status_code == 400 and count() == 0


@pytest.mark.parametrize(
    ("query", "status"),
    [("near=north", 400), ("near=51.5,-0.12", 422), ("district=Gotham", 422)],
)
def test_bad_help_queries(client, h, pe, catalogue, query, status):
    incident = record(pe)
    r = client.get(f"/api/v1/incidents/{incident.id}/help?{query}", headers=h)
    assert r.status_code == status, r.json


def test_help_answers_clinic_objects_and_contacts(client, h, pe, app):
    from safety.models import CrisisContact

    default_catalogue()
    place = make_clinic(
        offering=["gbv_care"],
        hours=ALL_WEEK,
        latitude=DHAKA_POINT[0] + 0.01,
        longitude=DHAKA_POINT[1],
    )
    db.session.add(
        CrisisContact(name="Legal aid desk", kind="legal", phone="+8801711000001", hours="24h")
    )
    db.session.commit()
    incident = record(pe)
    near = f"{DHAKA_POINT[0]},{DHAKA_POINT[1]}"
    r = client.get(f"/api/v1/incidents/{incident.id}/help?near={near}", headers=h)
    assert r.status_code == 200, r.json
    (found,) = r.json["places"]
    assert found["id"] == place.id and found["services"] == ["gbv_care"]
    assert found["distance_km"] == pytest.approx(1.11, abs=0.01)
    assert isinstance(found["open_now"], bool) and found["sms_alias"] == place.sms_alias
    assert r.json["contacts"] == [
        {
            "id": r.json["contacts"][0]["id"],
            "name": "Legal aid desk",
            "kind": "legal",
            "phone": "+8801711000001",
            "district": None,
            "hours": "24h",
            "active": True,
        }
    ]
    without = client.get(f"/api/v1/incidents/{incident.id}/help", headers=h).json
    assert "distance_km" not in without["places"][0]
