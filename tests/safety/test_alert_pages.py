"""The alert pages (admins): the draft form from an incident (its district ticked, the banned
words on the fields, the segment counts), the alert page without Approve for its drafter (the
reason in words) and with it for a second admin, withdraw; Bangla pages show words, not codes.
The pages read the real clock, so these alerts are drafted at the real time too."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db
from safety.models import SafetyAlert
from safety.services import alerts
from tests.support.alerts import TEXT_BN, TEXT_EN, alert_body, alert_incident
from tests.support.visible_text import problems, raw_codes, typed_data


def _form(**changes):
    data = {"text_bn": TEXT_BN, "text_en": TEXT_EN, "expires_in": "24", "districts": ["Dhaka"]}
    data.update(changes)
    return data


def test_draft_form_from_an_incident(client, login_as):
    admin = login_as("admin")
    incident = alert_incident(admin, district="Chattogram")
    html = client.get(f"/safety/alerts/new?incident={incident.id}").get_data(as_text=True)
    read = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "incident.read"))
    assert read is not None and read.entity_id == str(incident.id)  # the form shows it: a read
    ticked = re.findall(
        r'<input checked id="districts-\d+" name="districts" [^>]*value="([^"]+)"', html
    )
    assert ticked == ["Chattogram"]  # hers, shown first; the others behind "Other districts"
    assert html.index('value="Chattogram"') < html.index("<details") < html.index('value="Dhaka"')
    response = client.post(f"/safety/alerts/new?incident={incident.id}", data=_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    alert = db.session.scalar(sa.select(SafetyAlert))
    assert response.headers["Location"].endswith(f"/safety/alerts/{alert.id}")
    assert alert.status == "draft" and alert.districts == ["Dhaka"]
    assert alert.text_bn == TEXT_BN and alert.drafted_by_id == admin.id


def test_banned_words_are_shown_on_the_fields(client, login_as):
    admin = login_as("admin")
    incident = alert_incident(admin)
    response = client.post(
        f"/safety/alerts/new?incident={incident.id}",
        data=_form(text_en="Police raid near Green Point", text_bn="আজ রাতে পুলিশ আসবে"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="field-error"' in html
    assert "police" in html.lower() and "পুলিশ" in html
    assert "SMS (at most 2)" in html  # each text's size is shown
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SafetyAlert)) == 0


def test_no_form_without_alert_consent(client, login_as):
    admin = login_as("admin")
    incident = alert_incident(admin, consent=False)
    response = client.get(f"/safety/alerts/new?incident={incident.id}")
    assert response.status_code == 422 and "<textarea" not in response.get_data(as_text=True)
    posted = client.post(f"/safety/alerts/new?incident={incident.id}", data=_form())
    assert posted.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SafetyAlert)) == 0
    assert client.get("/safety/alerts/new?incident=999999").status_code == 404
    huge = client.get("/safety/alerts/new?incident=99999999999999")  # no id: as if none named
    assert huge.status_code == 200 and "<textarea" not in huge.get_data(as_text=True)
    assert client.get("/safety/alerts/new").status_code == 200  # says how to start


def test_the_drafter_sees_why_she_cannot_approve(client, login_as):
    first = login_as("admin")
    alert = alerts.draft_alert(alert_body(alert_incident(first), now=utcnow()), first, utcnow())
    db.session.commit()
    html = client.get(f"/safety/alerts/{alert.id}").get_data(as_text=True)
    assert "the admin who drafted it cannot" in html
    assert f"/safety/alerts/{alert.id}/approve" not in html
    refused = client.post(f"/safety/alerts/{alert.id}/approve", data={}, follow_redirects=True)
    assert "the admin who drafted it cannot" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert alert.status == "draft"


def test_a_second_admin_approves_then_withdraws(client, login_as, make_user):
    first = make_user("admin")
    alert = alerts.draft_alert(alert_body(alert_incident(first), now=utcnow()), first, utcnow())
    db.session.commit()
    second = login_as("admin")
    html = client.get(f"/safety/alerts/{alert.id}").get_data(as_text=True)
    assert f"/safety/alerts/{alert.id}/approve" in html
    approved = client.post(f"/safety/alerts/{alert.id}/approve", data={}, follow_redirects=True)
    assert "messages planned" in approved.get_data(as_text=True)
    db.session.expire_all()
    assert alert.status == "approved" and alert.approved_by_id == second.id
    client.post(f"/safety/alerts/{alert.id}/withdraw", data={})
    db.session.expire_all()
    assert alert.status == "withdrawn"
    page = client.get(f"/safety/alerts/{alert.id}").get_data(as_text=True)
    assert "Withdraw</button>" not in page and "withdrawn" in page


def test_list_puts_drafts_waiting_first(client, login_as, make_user):
    first = login_as("admin")
    incident = alert_incident(first)
    older = alerts.draft_alert(alert_body(incident, now=utcnow()), first, utcnow())
    newer = alerts.draft_alert(alert_body(incident, now=utcnow()), first, utcnow())
    db.session.commit()
    alerts.approve_alert(newer.id, make_user("admin"), utcnow())
    db.session.commit()
    html = client.get("/safety/alerts").get_data(as_text=True)
    assert html.index(f"/safety/alerts/{older.id}") < html.index(f"/safety/alerts/{newer.id}")
    assert "waiting for a second admin" in html


@pytest.mark.parametrize("role", ["peer_educator", "clinic_partner", "viewer"])
def test_only_admins_reach_the_alert_pages(client, login_as, make_user, role):
    admin = make_user("admin")
    alert = alerts.draft_alert(alert_body(alert_incident(admin), now=utcnow()), admin, utcnow())
    db.session.commit()
    login_as(role)
    for url in ("/safety/alerts", "/safety/alerts/new", f"/safety/alerts/{alert.id}"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/safety/alerts/{alert.id}/approve", data={}).status_code == 403


def test_bangla_pages_show_words_not_codes(app, client, login_as, make_user):
    admin = login_as("admin", language="bn")
    incident = alert_incident(admin)
    drafted = alerts.draft_alert(alert_body(incident, now=utcnow()), admin, utcnow())
    other = make_user("admin")
    approved = alerts.draft_alert(alert_body(incident, now=utcnow()), other, utcnow())
    db.session.commit()
    alerts.approve_alert(approved.id, admin, utcnow())
    db.session.commit()
    codes, data = raw_codes(app), typed_data()
    for url in (
        "/safety/alerts",
        "/safety/alerts/new",
        f"/safety/alerts/new?incident={incident.id}",
        f"/safety/alerts/{drafted.id}",
        f"/safety/alerts/{approved.id}",
    ):
        html = client.get(url).get_data(as_text=True)
        assert problems(html, bangla=True, codes=codes, data=data) == [], url
    html = client.get(f"/safety/alerts/{drafted.id}").get_data(as_text=True)
    assert "দ্বিতীয় অ্যাডমিনের অনুমোদনের অপেক্ষায়" in html  # the status in words
    posted = client.post(
        f"/safety/alerts/new?incident={incident.id}", data=_form(text_bn="আজ রাতে পুলিশ আসবে")
    )
    assert problems(posted.get_data(as_text=True), bangla=True, codes=codes, data=data) == []
