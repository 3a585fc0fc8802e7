"""Crisis contacts: admins add and change them, peer educators read them (with tap-to-call
links), clinic partners and viewers never; phones normalised (short codes too), encrypted at rest,
never in the audit log; the demo seed; pages in Bangla show words, not codes."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from core.audit import AuditEvent
from core.extensions import db
from core.labels import label
from safety.models import CrisisContact
from safety.seed import DEMO_CONTACTS, seed_crisis_contacts
from tests.support.visible_text import problems, raw_codes, typed_data

LAWYER = {"name": "Rahima Legal Aid", "kind": "legal", "phone": "01712-000111", "hours": "24/7"}


def _create(client, headers, **changes):
    return client.post("/api/v1/crisis-contacts", json={**LAWYER, **changes}, headers=headers)


def test_admin_adds_and_changes_a_contact(client, api_headers):
    admin = api_headers("admin")
    response = _create(client, admin, district="Chittagong")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["phone"] == "+8801712000111" and body["district"] == "Chattogram"
    assert body["kind"] == "legal" and body["active"] is True
    changed = client.patch(
        f"/api/v1/crisis-contacts/{body['id']}",
        json={"hours": "Sat–Thu 9–5", "district": None},
        headers=admin,
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["hours"] == "Sat–Thu 9–5" and changed.json["district"] is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("109", "109"), ("৯৯৯", "999"), ("16 430", "16430"), ("02-9123456", "+88029123456")],
)
def test_short_codes_and_landlines_are_phones_too(client, api_headers, typed, stored):
    response = _create(client, api_headers("admin"), phone=typed, kind="hotline")
    assert response.status_code == 201, response.json
    assert response.json["phone"] == stored


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "R"}, "name"),
        ({"kind": "police"}, "kind"),
        ({"phone": "12"}, "phone"),
        ({"phone": "not a number"}, "phone"),
        ({"district": "Atlantis"}, "district"),
        ({"hours": "x" * 121}, "hours"),
    ],
)
def test_bad_fields_are_422_naming_them(client, api_headers, changes, field):
    response = _create(client, api_headers("admin"), **changes)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CrisisContact)) == 0


def test_a_missing_field_and_an_unknown_one(client, api_headers):
    admin = api_headers("admin")
    missing = client.post("/api/v1/crisis-contacts", json={"name": "Shelter"}, headers=admin)
    assert missing.status_code == 422 and "kind" in missing.json["error"]["fields"]
    made = _create(client, admin).json
    unknown = client.patch(
        f"/api/v1/crisis-contacts/{made['id']}", json={"colour": "red"}, headers=admin
    )
    assert unknown.status_code == 422
    absent = client.patch("/api/v1/crisis-contacts/999999", json={"name": "X Y"}, headers=admin)
    assert absent.status_code == 404


def test_roles(client, api_headers):
    admin = api_headers("admin")
    made = _create(client, admin).json
    pe = api_headers("peer_educator")
    assert client.get("/api/v1/crisis-contacts", headers=pe).status_code == 200
    assert _create(client, pe).status_code == 403
    patch = client.patch(f"/api/v1/crisis-contacts/{made['id']}", json={}, headers=pe)
    assert patch.status_code == 403
    for role in ("clinic_partner", "viewer"):
        headers = api_headers(role)
        assert client.get("/api/v1/crisis-contacts", headers=headers).status_code == 403
        assert _create(client, headers).status_code == 403


def test_a_deactivated_contact_leaves_the_peer_educators_list(client, api_headers):
    admin, pe = api_headers("admin"), api_headers("peer_educator")
    made = _create(client, admin).json
    other = _create(client, admin, name="Asha Shelter", kind="shelter").json
    off = client.patch(
        f"/api/v1/crisis-contacts/{made['id']}", json={"active": False}, headers=admin
    )
    assert off.json["active"] is False
    listed = client.get("/api/v1/crisis-contacts", headers=pe).json
    assert [c["id"] for c in listed["items"]] == [other["id"]] and listed["total"] == 1
    asked = client.get("/api/v1/crisis-contacts?include_inactive=true", headers=pe).json
    assert asked["total"] == 1  # only admins see inactive ones
    everything = client.get("/api/v1/crisis-contacts?include_inactive=true", headers=admin).json
    assert everything["total"] == 2


def test_district_filter_keeps_contacts_for_every_district(client, api_headers):
    admin = api_headers("admin")
    dhaka = _create(client, admin, district="Dhaka").json
    everywhere = _create(client, admin, name="National Helpline", kind="hotline", phone="109").json
    _create(client, admin, name="Sylhet Shelter", kind="shelter", district="Sylhet")
    listed = client.get("/api/v1/crisis-contacts?district=dhaka", headers=admin).json
    assert [c["id"] for c in listed["items"]] == [dhaka["id"], everywhere["id"]]  # kind order
    bad = client.get("/api/v1/crisis-contacts?district=Atlantis", headers=admin)
    assert bad.status_code == 422 and "district" in bad.json["error"]["fields"]
    page = client.get("/api/v1/crisis-contacts?per_page=1&page=2", headers=admin).json
    assert page["total"] == 3 and len(page["items"]) == 1 and page["page"] == 2


def test_phone_encrypted_at_rest_and_never_audited(client, api_headers):
    admin = api_headers("admin")
    made = _create(client, admin).json
    client.patch(
        f"/api/v1/crisis-contacts/{made['id']}", json={"phone": "01812-000222"}, headers=admin
    )
    raw = db.session.execute(sa.text("SELECT phone FROM crisis_contacts")).scalar_one()
    assert "1812000222" not in raw and "1712000111" not in raw
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "crisis_contact")
    ).all()
    assert [e.action for e in events] == ["crisis_contact.create", "crisis_contact.update"]
    assert events[1].details == {"fields": ["phone"]}
    for event in events:
        text = json.dumps(event.details)
        assert "1812000222" not in text and "1712000111" not in text


# ---- pages ------------------------------------------------------------------------------------


def test_admin_pages_add_list_and_deactivate(client, login_as):
    login_as("admin")
    response = client.post(
        "/safety/crisis-contacts/new",
        data={"name": "Asha Shelter", "kind": "shelter", "phone": "01712-000333",
              "district": "Dhaka", "hours": "", "active": "y"},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    contact = db.session.scalar(sa.select(CrisisContact))
    html = client.get("/safety/crisis-contacts").get_data(as_text=True)
    assert 'href="tel:+8801712000333"' in html and "Asha Shelter" in html
    assert f"/safety/crisis-contacts/{contact.id}/edit" in html
    edit = client.post(
        f"/safety/crisis-contacts/{contact.id}/edit",
        data={"name": "Asha Shelter", "kind": "shelter", "phone": "01712-000333",
              "district": "", "hours": "২৪ ঘণ্টা"},
    )  # fmt: skip
    assert edit.status_code == 302
    db.session.expire_all()
    assert contact.active is False and contact.district is None and contact.hours == "২৪ ঘণ্টা"
    assert "Not shown in help now" in client.get("/safety/crisis-contacts").get_data(as_text=True)


def test_page_form_shows_the_services_refusal_on_the_field(client, login_as):
    login_as("admin")
    response = client.post(
        "/safety/crisis-contacts/new",
        data={"name": "Asha Shelter", "kind": "shelter", "phone": "12345678901234"},
    )
    assert response.status_code == 200
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CrisisContact)) == 0


def test_peer_educator_reads_and_cannot_edit(client, login_as, api_headers):
    _create(client, api_headers("admin"))
    login_as("peer_educator")
    html = client.get("/safety/crisis-contacts").get_data(as_text=True)
    assert 'href="tel:+8801712000111"' in html and "/edit" not in html
    assert "/safety/crisis-contacts/new" not in html
    assert client.get("/safety/crisis-contacts/new").status_code == 403


@pytest.mark.parametrize("role", ["clinic_partner", "viewer"])
def test_other_roles_get_403_pages(client, login_as, role):
    login_as(role)
    assert client.get("/safety/crisis-contacts").status_code == 403


def test_admin_home_links_to_crisis_contacts(client, login_as):
    login_as("admin")
    html = client.get("/admin").get_data(as_text=True)
    assert 'href="/safety/crisis-contacts"' in html and 'href="/safety/alerts"' in html


def test_bangla_pages_show_words_not_codes(app, client, login_as, api_headers):
    admin = login_as("admin", language="bn")
    headers = api_headers(user=admin)
    for kind in ("legal", "hotline", "community"):
        _create(client, headers, name=f"যোগাযোগ {kind}", kind=kind, hours="২৪ ঘণ্টা")
    made = db.session.scalars(sa.select(CrisisContact)).all()
    data = typed_data() + tuple(c.name for c in made)
    codes = raw_codes(app)
    for url in ("/safety/crisis-contacts", "/safety/crisis-contacts/new",
                f"/safety/crisis-contacts/{made[0].id}/edit"):  # fmt: skip
        html = client.get(url).get_data(as_text=True)
        assert problems(html, bangla=True, codes=codes, data=data) == [], url
    html = client.get("/safety/crisis-contacts").get_data(as_text=True)
    with app.test_request_context(), force_locale("bn"):
        assert label("crisis_contact_kind", "hotline") in html


def test_demo_seed_is_idempotent(app):
    first = seed_crisis_contacts()
    db.session.commit()
    again = seed_crisis_contacts()
    db.session.commit()
    assert "already" not in first[0] and "already" in again[0]
    rows = db.session.scalars(sa.select(CrisisContact)).all()
    assert len(rows) == len(DEMO_CONTACTS) and all(c.phone.startswith("+880170000") for c in rows)
