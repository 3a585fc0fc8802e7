"""A member's district and safety-alert consent (issue 13): through the API (create, read,
change, 422s), the register step and the member page, the audit (never the phone), and an alert
reaching exactly the members registered with consent in its district."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db
from notifications import services as notifications
from referrals.models import Member
from tests.support.visible_text import problems, raw_codes, visible_nodes


def visible_text(html: str) -> str:
    """The page's text without tags (an English page: visible_nodes reads Bangla pages)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


TEXTS = {"bn": "আপা, আজ রাতে সাবধানে থাকুন।", "en": "Apa, take care tonight."}


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


def audit(action):
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_api_create_and_read_with_district_and_alert_consent(client, h, pe):
    r = register(client, h, district="Chittagong", alert_consent=True)  # the older spelling
    assert r.status_code == 201, r.json
    assert (r.json["district"], r.json["alert_consent"]) == ("Chattogram", True)
    again = client.get(f"/api/v1/members/{r.json['id']}", headers=h).json
    assert (again["district"], again["alert_consent"]) == ("Chattogram", True)
    contact = db.session.get(Member, r.json["id"]).contact
    assert contact.alert_consent_by_id == pe.id and contact.alert_consent_at is not None
    (event,) = audit("member.alert_consent")
    assert event.details == {"consent": True} and event.entity_id == str(r.json["id"])
    every_detail = " ".join(str(e.details) for e in db.session.scalars(sa.select(AuditEvent)))
    assert "1712" not in every_detail and "345678" not in every_detail


def test_api_members_start_without_district_or_consent(client, h):
    r = register(client, h)
    assert r.status_code == 201
    assert (r.json["district"], r.json["alert_consent"]) == (None, False)
    assert audit("member.alert_consent") == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"district": "Atlantis"}, "district"),
        ({"district": 7}, "district"),
        ({"alert_consent": "yes"}, "alert_consent"),
    ],
)
def test_api_refuses_an_unknown_district_or_a_consent_that_is_not_a_boolean(
    client, h, change, field
):
    r = register(client, h, **change)
    assert r.status_code == 422 and field in r.json["error"]["fields"], r.json
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def test_api_patch_withdraws_consent_and_cancels_her_waiting_alert(client, h):
    m = register(client, h, district="Dhaka", alert_consent=True).json
    plan = notifications.plan_alert(
        "alert:1", districts=["Dhaka"], texts=TEXTS, expires_at=utcnow() + timedelta(days=1),
        now=utcnow(),
    )  # fmt: skip
    db.session.commit()
    assert plan.planned == 1
    r = client.patch(f"/api/v1/members/{m['id']}", json={"alert_consent": False}, headers=h)
    assert r.status_code == 200, r.json
    assert (r.json["alert_consent"], r.json["district"]) == (False, "Dhaka")
    (row,) = notifications.planned_for("alert:1")
    assert (row.status, row.error_message) == ("cancelled", "alert consent withdrawn")
    assert [e.details for e in audit("member.alert_consent")] == [
        {"consent": True},
        {"consent": False},
    ]
    r = client.patch(f"/api/v1/members/{m['id']}", json={"district": ""}, headers=h)
    assert r.json["district"] is None
    r = client.patch(f"/api/v1/members/{m['id']}", json={"district": "Atlantis"}, headers=h)
    assert r.status_code == 422 and "district" in r.json["error"]["fields"]


def test_an_alert_reaches_only_the_members_registered_with_consent_in_its_district(
    app, pe, new_member
):
    yes = new_member(pe, district="Dhaka", alert_consent=True)
    new_member(pe, district="Dhaka")  # asked, said no
    new_member(pe, district="Sylhet", alert_consent=True)
    new_member(pe)  # never asked
    shared = new_member(pe, district="Dhaka", alert_consent=True)
    from referrals.services import members

    members.register_member(actor=pe, phone=None, district="Dhaka", alert_consent=True)
    # A second member on her phone: both are now a shared phone.
    members.register_member(
        actor=pe,
        phone=shared.contact.phone,
        shared_phone=True,
        sms_consent=True,
        district="Dhaka",
        alert_consent=True,
    )
    db.session.commit()
    result = notifications.plan_alert(
        "alert:9", districts=["Dhaka"], texts=TEXTS, expires_at=utcnow() + timedelta(days=1),
        now=utcnow(),
    )  # fmt: skip
    assert result.planned == 1
    assert [m.contact_id for m in notifications.planned_for("alert:9")] == [yes.contact_id]


def test_the_register_step_asks_for_district_and_alert_consent(client, login_as):
    user = login_as("peer_educator")
    user.district = "Sylhet"  # her own district: the step starts there
    db.session.commit()
    page = client.get("/referrals/new").get_data(as_text=True)
    assert "District where she works" in page
    assert "may we send you a short SMS to warn you?" in page
    assert '<option selected value="Sylhet">' in page or 'value="Sylhet" selected' in page
    r = client.post(
        "/referrals/new/register",
        data={"phone": "01812-345678", "language": "bn", "sms_consent": "y",
              "district": "Cumilla", "alert_consent": "y"},
    )  # fmt: skip
    assert r.status_code == 302, r.get_data(as_text=True)
    member = db.session.scalar(sa.select(Member))
    assert (member.contact.district, member.contact.alert_consent) == ("Cumilla", True)


def test_the_register_step_refuses_an_unknown_district(client, login_as):
    login_as("peer_educator")
    r = client.post(
        "/referrals/new/register",
        data={"phone": "01812-345678", "language": "bn", "district": "Atlantis"},
    )
    assert r.status_code == 200
    assert "Choose one of the districts." in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def test_the_member_page_changes_them_and_says_who_recorded_the_answer(
    client, login_as, new_member
):
    pe = login_as("peer_educator", display_name="Amina")
    member = new_member(pe)
    url = f"/members/{member.id}"
    r = client.get(url)
    assert r.status_code == 200, r.headers
    page = visible_text(r.get_data(as_text=True))
    assert "Safety alerts: no" in page and "Answer recorded" not in page
    r = client.post(f"{url}/alerts", data={"district": "Dhaka", "alert_consent": "y"})
    assert r.status_code == 302
    page = visible_text(client.get(url).get_data(as_text=True))
    assert "Safety alerts: yes" in page and "by Amina" in page
    contact = db.session.get(Member, member.id).contact
    assert (contact.district, contact.alert_consent) == ("Dhaka", True)
    # An unknown district changes nothing.
    client.post(f"{url}/alerts", data={"district": "Atlantis"})
    db.session.expire_all()
    contact = db.session.get(Member, member.id).contact
    assert (contact.district, contact.alert_consent) == ("Dhaka", True)


def test_the_member_page_in_bangla_shows_words(app, client, login_as, new_member):
    pe = login_as("peer_educator", language="bn", display_name="আমিনা")
    member = new_member(pe, district="Dhaka", alert_consent=True)
    html = client.get(f"/members/{member.id}").get_data(as_text=True)
    page = " ".join(visible_nodes(html))
    assert "সতর্কবার্তা" in page and "ঢাকা" in page and "আমিনা" in page
    assert "Dhaka" not in page
    typed = (member.uic, member.contact.phone_masked)
    assert problems(html, bangla=True, codes=raw_codes(app), data=typed) == []


def test_anonymising_her_erases_district_and_consent(client, h, pe):
    m = register(client, h, district="Dhaka", alert_consent=True).json
    r = client.post(f"/api/v1/members/{m['id']}/anonymise", headers=h)
    assert r.status_code == 200
    assert (r.json["district"], r.json["alert_consent"]) == (None, False)
