"""The peer educator's incident pages: record what happened (Bangla and English), errors at the
top with nothing saved, who may open what, one incident in words, closing it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from tests.safety.incident_pages_support import (
    clean,
    in_district,
    incident_form,
    make_places,
    new_member,
    record,
    recorded_for,
    saved_incidents,
    today,
)
from tests.support import factories
from tests.support.clock import DHAKA


@pytest.fixture
def places(app):
    """Places and crisis contacts in Chattogram (incident_pages_support.make_places)."""
    return make_places()


def test_recorded_in_english_with_help_needed_lands_on_help_now(app, client, login_as, places):
    from safety.models import IncidentReferral

    pe = in_district(login_as("peer_educator"))
    member = new_member(pe)
    page = client.get(f"/safety/incidents/new?member={member.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="_once"' in html
    assert f'value="{today()}"' in html  # today, by default
    assert re.search(r'<option selected value="Chattogram">|value="Chattogram" selected', html)
    assert "Read aloud" in html and html.count('class="read-aloud"') == 3
    response = record(client, member)
    assert response.status_code == 302, response.get_data(as_text=True)
    (incident,) = saved_incidents()
    assert response.headers["Location"].endswith(f"/safety/incidents/{incident.id}/help")
    assert incident.member_id == member.id and incident.peer_educator_id == pe.id
    assert incident.perpetrators == ["police", "hotel_staff"]
    assert incident.violations == ["physical", "extortion"]
    assert (incident.consent_advocacy, incident.consent_alert, incident.consent_legal) == (
        True, True, False,
    )  # fmt: skip
    assert incident.needs_help_now and incident.description == "He took her money and hit her."
    help_page = client.get(response.headers["Location"])
    html = help_page.get_data(as_text=True)
    assert help_page.status_code == 200
    assert "Asha Care" in html and "Nirapad Legal" in html and "Testing Only" not in html
    assert html.index("Asha Care") < html.index("Nirapad Legal")  # open now first
    assert "Lawyer Rahima" in html and "Night Hotline" in html and "Sylhet Shelter" not in html
    assert 'href="tel:01711-555000"' in html and "Legal aid" in html
    assert html.count("Urgent referral here") == 2
    assert not clean(app, html, bangla=False)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IncidentReferral)) == 0


def test_recorded_in_bangla_without_help_shows_the_incident_in_words(app, client, login_as):
    factories.default_catalogue()
    pe = in_district(login_as("peer_educator", language="bn"))
    form = client.get("/safety/incidents/new").get_data(as_text=True)
    assert "তাঁর সাথে কিছু ঘটেছে" in form and "জোরে পড়ে শোনান" in form
    assert not clean(app, form, bangla=True)
    response = record(client, needs_help_now="no", consent_legal="y", area=None)
    assert response.status_code == 302, response.get_data(as_text=True)
    (incident,) = saved_incidents()
    assert incident.member_id is None and incident.peer_educator_id == pe.id
    assert response.headers["Location"].endswith(f"/safety/incidents/{incident.id}")
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "He took her money and hit her." in html  # her peer educator reads it
    assert "hotel_staff" not in html and "extortion" not in html
    assert not clean(app, html, bangla=True)
    listing = client.get("/safety/incidents")
    assert listing.status_code == 200 and f"/safety/incidents/{incident.id}" in listing.text
    assert not clean(app, listing.get_data(as_text=True), bangla=True)


def test_errors_are_summarised_at_the_top_in_bangla_and_nothing_is_saved(app, client, login_as):
    factories.default_catalogue()
    login_as("peer_educator", language="bn")
    response = record(client, place_type=None, perpetrators=None, needs_help_now=None)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    summary = html[html.index('class="error-summary"') : html.index("</ul>")]
    assert "এই ঘরটি পূরণ করতে হবে।" in summary
    for anchor in ("#place_type", "#perpetrators", "#needs_help_now"):
        assert anchor in summary
    assert 'id="place_type"' in html and 'id="perpetrators"' in html
    assert html.index('class="error-summary"') < html.index('<form method="post"')
    assert not clean(app, html, bangla=True)
    tomorrow = (utcnow().astimezone(DHAKA).date() + timedelta(days=1)).isoformat()
    response = record(client, occurred_on=tomorrow)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="error-summary"' in html
    assert "#occurred_on" in html
    assert "Must be" not in html  # the service's words, in Bangla
    assert not clean(app, html, bangla=True)
    assert saved_incidents() == []


@pytest.mark.parametrize("role", ["clinic_partner", "viewer"])
def test_clinic_partners_and_viewers_open_no_incident_page(app, client, login_as, role):
    factories.default_catalogue()
    pe = factories.make_user("peer_educator")
    incident = recorded_for(pe)
    login_as(role)
    for url in (
        "/safety/incidents/new",
        "/safety/incidents",
        f"/safety/incidents/{incident.id}",
        f"/safety/incidents/{incident.id}/help",
        "/safety/help",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post("/safety/incidents/new", data=incident_form()).status_code == 403
    assert client.post(f"/safety/incidents/{incident.id}/close").status_code == 403
    assert len(saved_incidents()) == 1


def test_another_peer_educators_incident_is_not_found(app, client, login_as, places):
    other = factories.make_user("peer_educator")
    incident = recorded_for(other, new_member(other))
    login_as("peer_educator")
    for url in (f"/safety/incidents/{incident.id}", f"/safety/incidents/{incident.id}/help"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "private words" not in response.get_data(as_text=True)
    refer = f"/safety/incidents/{incident.id}/help/{places['open'].id}"
    prefix = f"place{places['open'].id}"
    assert client.post(refer, data={f"{prefix}-services": ["gbv_care"]}).status_code == 404
    assert client.post(f"/safety/incidents/{incident.id}/close").status_code == 404
    assert "private words" not in client.get("/safety/incidents").get_data(as_text=True)
    assert saved_incidents()[0].status == "open"


def test_an_admin_reads_any_incident_and_may_draft_an_alert_from_it(app, client, login_as):
    factories.default_catalogue()
    pe = factories.make_user("peer_educator")
    incident = recorded_for(pe, consent={"advocacy": True, "alert": True, "legal": False})
    login_as("admin")
    html = client.get(f"/safety/incidents/{incident.id}").get_data(as_text=True)
    assert "private words" in html
    if "safety.alert_new" in app.view_functions:
        assert f"/safety/alerts/new?incident={incident.id}" in html


def test_closing_takes_one_tap_and_lists_it_as_closed(app, client, login_as):
    factories.default_catalogue()
    pe = login_as("peer_educator")
    incident = recorded_for(pe)
    response = client.post(f"/safety/incidents/{incident.id}/close")
    assert response.status_code == 302
    assert saved_incidents()[0].status == "closed"
    html = client.get(f"/safety/incidents/{incident.id}").get_data(as_text=True)
    assert "Close: she needs no more help" not in html


def test_from_home_she_is_named_by_her_uic_among_the_peer_educators_members(app, client, login_as):
    factories.default_catalogue()
    pe = login_as("peer_educator", language="bn")
    member = new_member(pe)
    others = new_member(factories.make_user("peer_educator"), number=2)
    response = record(client, uic=others.uic)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "#uic" in html and "এই UIC নেই" in html
    assert saved_incidents() == []
    response = record(client, uic=member.uic.lower())
    assert response.status_code == 302
    assert [i.member_id for i in saved_incidents()] == [member.id]


def test_the_district_starts_at_hers_else_the_peer_educators(app, client, login_as):
    factories.default_catalogue()
    pe = in_district(login_as("peer_educator"))
    member = new_member(pe)
    member.contact.district = "Sylhet"
    db.session.commit()
    chosen = re.compile(r'<option selected value="(\w+)">|<option value="(\w+)" selected>')
    html = client.get(f"/safety/incidents/new?member={member.id}").get_data(as_text=True)
    assert [a or b for a, b in chosen.findall(html)] == ["Sylhet"]
    html = client.get("/safety/incidents/new").get_data(as_text=True)
    assert [a or b for a, b in chosen.findall(html)] == ["Chattogram"]
    assert client.get("/safety/incidents/new?member=999999").status_code == 404
    assert client.get("/safety/incidents/new?member=abc").status_code == 200
