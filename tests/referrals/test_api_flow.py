"""The whole loop through the JSON API."""

from __future__ import annotations

from tests.support.clock import local_at


def test_register_refer_confirm_follow_up(client, api_headers, make_user, clinic):
    pe = make_user("peer_educator")
    h = api_headers(user=pe)
    r = client.post(
        "/api/v1/members",
        json={
            "phone": "01712-345678",
            "language": "bn",
            "sms_consent": True,
            "shared_phone": False,
        },
        headers=h,
    )
    assert r.status_code == 201, r.json
    member = r.json
    assert member["phone_masked"].endswith("678") and "01712" not in member["phone_masked"]
    assert member["uic"]
    when = local_at(3, 11)
    r = client.post(
        "/api/v1/referrals",
        json={
            "member_id": member["id"],
            "clinic_id": clinic.id,
            "services": ["hiv_testing", "prep"],
            "appointment_at": when.replace(tzinfo=None).isoformat(),
            "urgency": "routine",
            "notes": "private",
        },
        headers=h,
    )
    assert r.status_code == 201, r.json
    ref = r.json
    assert ref["status"] == "scheduled"
    assert ref["events"][0]["from"] is None
    kinds = sorted(m["kind"] for m in ref["messages"])
    assert kinds == ["referral_created", "reminder_24h", "reminder_2h"]
    partner = make_user("clinic_partner", clinic_id=clinic.id)
    ph = api_headers(user=partner)
    code = ref["code"]
    spaced = code[:3].lower() + " " + code[3:6] + "-" + code[6:]
    r = client.post(
        f"/api/v1/referrals/{spaced}/confirm",
        json={"services_delivered": ["hiv_testing", "prep"], "linked_to_care": True},
        headers=ph,
    )
    assert r.status_code == 200, r.json
    assert r.json["status"] == "attended"
    assert "member_id" not in r.json and "messages" not in r.json and "notes" not in r.json
    r = client.post(
        f"/api/v1/referrals/{code}/confirm", json={"services_delivered": ["prep"]}, headers=ph
    )
    assert r.status_code == 409
    r = client.get("/api/v1/follow-ups", headers=h)
    assert r.status_code == 200
    services = sorted(f["service"] for f in r.json["items"])
    assert services == ["hiv_testing", "prep"]
    r = client.get(f"/api/v1/referrals/{code}", headers=h)
    assert all(
        m["status"] == "cancelled" for m in r.json["messages"] if m["kind"] != "referral_created"
    )
