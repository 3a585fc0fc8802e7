"""Members through the API: registration, duplicates, shared phones, controls, rights."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.extensions import db
from referrals.models import Member


@pytest.fixture
def pe(make_user):
    return make_user("peer_educator")


@pytest.fixture
def h(api_headers, pe):
    return api_headers(user=pe)


def register(client, h, **kw):
    data = {"phone": "01712-345678", "language": "bn", "sms_consent": True, "shared_phone": False}
    data.update(kw)
    return client.post("/api/v1/members", json=data, headers=h)


def test_register_generates_a_short_unambiguous_uic(client, h, pe):
    r = register(client, h, contact_window="20:00-06:00", nickname="Moni")
    assert r.status_code == 201, r.json
    m = r.json
    assert set(m) >= {
        "id",
        "uic",
        "nickname",
        "phone_masked",
        "language",
        "sms_consent",
        "shared_phone",
        "contact_window",
        "safety_hold",
        "opted_out",
        "peer_educator_id",
    }
    assert len(m["uic"]) == 7 and not set(m["uic"]) & set("01ILOU")
    assert m["contact_window"] == "20:00-06:00" and m["peer_educator_id"] == pe.id
    assert m["phone_masked"] == "+880•••••••678"


def test_typed_uic_is_kept_and_unique(client, h):
    assert register(client, h, uic="dha-123-ab").json["uic"] == "DHA-123-AB"
    r = register(client, h, phone="01812345678", uic="DHA-123-AB")
    assert r.status_code == 422 and "uic" in r.json["error"]["fields"]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"phone": "12345"}, 422, "phone"),
        ({"phone": "not a number"}, 422, "phone"),
        ({"language": "fr"}, 422, "language"),
        ({"sms_consent": "yes"}, 422, "sms_consent"),
        ({"contact_window": "evenings"}, 422, "contact_window"),
        ({"nickname": "x" * 100}, 422, "nickname"),
    ],
)
def test_bad_member_input(client, h, change, status, field):
    r = register(client, h, **change)
    assert r.status_code == status and field in r.json["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def test_known_number_is_409_then_shared_phone_registers_a_second(
    client, h, make_user, api_headers
):
    first = register(client, h).json
    r = register(client, h, phone="+8801712345678")
    assert r.status_code == 409 and r.json["error"]["code"] == "phone_registered"
    assert r.json["error"]["member_id"] == first["id"]
    other = api_headers("peer_educator")
    r = register(client, other)
    assert r.status_code == 409 and "member_id" not in r.json["error"]
    r = register(client, h, shared_phone=True)
    assert r.status_code == 201 and r.json["shared_phone"] is True
    again = client.get(f"/api/v1/members/{first['id']}", headers=h).json
    assert again["shared_phone"] is True  # the phone is shared: both get the barest texts


def test_controls_and_audit(client, h):
    m = register(client, h).json
    for path, key, value in (
        ("opt-out", "opted_out", True),
        ("opt-in", "opted_out", False),
        ("safety-hold", "safety_hold", True),
        ("safety-release", "safety_hold", False),
    ):
        r = client.post(f"/api/v1/members/{m['id']}/{path}", headers=h)
        assert r.status_code == 200 and r.json[key] is value
    client.get(f"/api/v1/members/{m['id']}", headers=h)
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"member.create", "member.read", "member.opt_out", "member.safety_hold"} <= actions
    details = " ".join(str(d) for d in db.session.scalars(sa.select(AuditEvent.details)))
    assert "345678" not in details


def test_patch_window_and_admin_reassign(client, h, make_user, api_headers):
    m = register(client, h).json
    r = client.patch(
        f"/api/v1/members/{m['id']}", json={"contact_window": "19:00-23:00"}, headers=h
    )
    assert r.status_code == 200 and r.json["contact_window"] == "19:00-23:00"
    r = client.patch(f"/api/v1/members/{m['id']}", json={"peer_educator_id": 1}, headers=h)
    assert r.status_code == 403
    other = make_user("peer_educator")
    admin = api_headers("admin")
    r = client.patch(
        f"/api/v1/members/{m['id']}", json={"peer_educator_id": other.id}, headers=admin
    )
    assert r.status_code == 200 and r.json["peer_educator_id"] == other.id
    assert client.get(f"/api/v1/members/{m['id']}", headers=h).status_code == 404


def test_search_by_phone_uic_and_code_in_a_post_body(client, h, clinic):
    from tests.support.clock import local_at

    m = register(client, h, uic="ABC-77").json
    r = client.post("/api/v1/members/search", json={"q": "01712 345678"}, headers=h)
    assert [x["id"] for x in r.json["members"]] == [m["id"]]
    r = client.post("/api/v1/members/search", json={"q": "abc-77"}, headers=h)
    assert [x["id"] for x in r.json["members"]] == [m["id"]]
    ref = client.post(
        "/api/v1/referrals",
        json={
            "member_id": m["id"],
            "clinic_id": clinic.id,
            "services": ["sti"],
            "appointment_at": local_at(2).isoformat(),
        },
        headers=h,
    ).json
    r = client.post("/api/v1/members/search", json={"q": ref["code"].lower()}, headers=h)
    assert r.json["referral"]["code"] == ref["code"]


def test_anonymise_erases_personal_data_but_keeps_counts(client, h, clinic):
    from notifications.models import Contact, OutboxMessage
    from referrals.models import Referral
    from tests.support.clock import local_at

    m = register(client, h, nickname="Moni").json
    code = client.post(
        "/api/v1/referrals",
        json={
            "member_id": m["id"],
            "clinic_id": clinic.id,
            "services": ["sti"],
            "appointment_at": local_at(2).isoformat(),
            "notes": "very private",
        },
        headers=h,
    ).json["code"]
    db.session.execute(
        sa.update(OutboxMessage).values(body="Text with code", to_phone="+8801712345678")
    )
    db.session.commit()
    r = client.post(f"/api/v1/members/{m['id']}/anonymise", headers=h)
    assert r.status_code == 200
    assert r.json["nickname"] is None and r.json["phone_masked"] is None and r.json["anonymised"]
    db.session.expire_all()
    contact = db.session.scalar(sa.select(Contact))
    assert contact.phone is None and contact.phone_index is None
    referral = db.session.scalar(sa.select(Referral))
    assert referral.code == code and referral.notes is None and referral.status == "scheduled"
    rows = db.session.scalars(sa.select(OutboxMessage)).all()
    assert rows and all(x.body is None and x.to_phone is None for x in rows)
    assert all(x.status != "pending" for x in rows)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 1
    r = client.post(f"/api/v1/members/{m['id']}/opt-in", headers=h)
    assert r.status_code == 409
