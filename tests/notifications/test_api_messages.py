"""The message list of the API (/api/v1/messages): scoped by the contact-scope hook referrals
registers, filtered by a referral code through the subject type referrals registers."""

from __future__ import annotations

import pytest

from core.extensions import db
from tests.support import factories
from tests.support.clock import local_at
from tests.support.factories import ALL_WEEK, SERVICE_CODES


@pytest.fixture
def pe(make_user):
    return make_user("peer_educator")


@pytest.fixture
def h(api_headers, pe):
    return api_headers(user=pe)


@pytest.fixture
def clinic(app):
    factories.add_services(SERVICE_CODES, follow_up_rules=True)
    return factories.make_clinic(offering=SERVICE_CODES, hours=ALL_WEEK)


@pytest.fixture
def member(app, pe):
    from referrals.services import members

    member = members.register_member(
        actor=pe, phone="01712-345678", language="bn", sms_consent=True
    )
    db.session.commit()
    return member


def body(member, clinic):
    return {
        "member_id": member.id,
        "clinic_id": clinic.id,
        "services": ["hiv_testing"],
        "appointment_at": local_at(3, 11).isoformat(),
        "urgency": "routine",
    }


def test_messages_endpoint_is_scoped(client, h, member, clinic, api_headers):
    code = client.post("/api/v1/referrals", json=body(member, clinic), headers=h).json["code"]
    r = client.get(f"/api/v1/messages?referral={code.lower()}", headers=h)
    assert r.status_code == 200 and r.json["total"] == 3
    assert {m["referral_code"] for m in r.json["items"]} == {code}
    assert client.get("/api/v1/messages", headers=api_headers("peer_educator")).json["total"] == 0
    assert client.get("/api/v1/messages", headers=api_headers("admin")).json["total"] == 3
    assert client.get("/api/v1/messages", headers=api_headers("clinic_partner")).status_code == 403
    assert client.get("/api/v1/messages?kind=nope", headers=h).status_code == 422


def test_a_referral_filter_that_is_no_code_is_a_400_naming_the_field(client, h):
    r = client.get("/api/v1/messages?referral=not!a!code", headers=h)
    assert r.status_code == 400
    assert r.json["error"]["fields"] == {"referral": "Not a referral code."}


def test_the_list_keeps_its_operation_id(client):
    operation = client.get("/api/v1/openapi.json").json["paths"]["/messages"]["get"]
    assert operation["operationId"] == "referrals_messages_list"
