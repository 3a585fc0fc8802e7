"""Help now from the pages: places open now first and crisis contacts, with an incident or from
home, and the one-tap urgent referral that is made once however many times it is sent; bad input
in addresses is never a server error."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.extensions import db
from tests.safety.incident_pages_support import (
    clean,
    in_district,
    incident_form,
    make_places,
    new_member,
    recorded_for,
)


@pytest.fixture
def places(app):
    """Places and crisis contacts in Chattogram (incident_pages_support.make_places)."""
    return make_places()


def test_the_urgent_referral_is_made_once_even_when_sent_twice(app, client, login_as, places):
    from referrals.models import Referral
    from safety.models import IncidentReferral

    pe = in_district(login_as("peer_educator"))
    incident = recorded_for(pe, new_member(pe))
    html = client.get(f"/safety/incidents/{incident.id}/help").get_data(as_text=True)
    clinic = places["open"]
    action = f"/safety/incidents/{incident.id}/help/{clinic.id}"
    form = html[html.index(f'action="{action}"') :]
    token = re.search(r'name="_once" value="([^"]+)"', form).group(1)
    boxes = re.findall(r"<input [^>]*name=\"place\d+-services\"[^>]*>", form.split("</form>")[0])
    ticked = {re.search(r'value="(\w+)"', box).group(1) for box in boxes if " checked" in box}
    assert ticked == {"gbv_care", "legal_aid"} and len(boxes) == 3  # and HIV testing, not ticked
    data = {"_once": token, f"place{clinic.id}-services": ["gbv_care"]}
    first = client.post(action, data=data)
    again = client.post(action, data=data)
    assert first.status_code == 302 and "/slip" in first.headers["Location"]
    assert again.status_code in (302, 303)
    assert again.headers["Location"] == first.headers["Location"]
    (referral,) = db.session.scalars(sa.select(Referral)).all()
    assert referral.urgency == "urgent" and referral.clinic_id == clinic.id
    assert referral.services == ["gbv_care"]
    links = db.session.scalars(sa.select(IncidentReferral)).all()
    assert [(link.incident_id, link.referral_id) for link in links] == [(incident.id, referral.id)]
    slip = client.get(first.headers["Location"])
    assert slip.status_code == 200
    view = client.get(f"/safety/incidents/{incident.id}").get_data(as_text=True)
    assert f"/referrals/{referral.code}" in view


def test_no_service_ticked_is_said_on_the_place_and_nothing_is_made(app, client, login_as, places):
    from referrals.models import Referral

    pe = login_as("peer_educator", language="bn")
    incident = recorded_for(pe, new_member(pe))
    clinic = places["open"]
    response = client.post(f"/safety/incidents/{incident.id}/help/{clinic.id}", data={})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in html and "এই ঘরটি পূরণ করতে হবে।" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0
    assert not clean(app, html, bangla=True)


def test_without_a_member_help_now_offers_to_register_her(app, client, login_as, places):
    pe = login_as("peer_educator")
    incident = recorded_for(pe)
    html = client.get(f"/safety/incidents/{incident.id}/help").get_data(as_text=True)
    assert "She is not registered as a member" in html
    assert "/referrals/new" in html and "Urgent referral here" not in html
    assert "Asha Care" in html  # the places and contacts are still there to call


def test_help_now_without_an_incident_by_district_or_location(app, client, login_as, places):
    in_district(login_as("peer_educator", language="bn"))
    html = client.get("/safety/help").get_data(as_text=True)
    assert "Asha Care" in html and "Lawyer Rahima" in html
    assert "/safety/incidents/new" in html and "Urgent referral here" not in html
    assert not clean(app, html, bangla=True)
    near = client.get("/safety/help?near=22.34,91.81&district=").get_data(as_text=True)
    assert "কিমি" in near and "Asha Care" in near
    assert client.get("/safety/help?near=abc&district=Nowhere").status_code == 200


def test_bad_input_in_addresses_is_never_a_server_error(app, client, login_as, places):
    pe = in_district(login_as("peer_educator"))
    incident = recorded_for(pe, new_member(pe))
    huge = "99999999999999"
    for url in (
        f"/safety/incidents/new?member={huge}",
        "/safety/incidents/new?member=-1",
        f"/safety/incidents/{huge}",
        f"/safety/incidents/{huge}/help",
        f"/safety/incidents?page={huge}",
        "/safety/incidents?page=x",
        f"/safety/incidents/{incident.id}/help?near=91,500&district=Atlantis",
        f"/safety/incidents/{incident.id}/help?near=nan,nan",
        f"/safety/help?near=1e999,1&district={huge}",
    ):
        assert client.get(url).status_code < 500, url
    refer = f"/safety/incidents/{incident.id}/help/{huge}"
    assert client.post(refer, data={"services": ["gbv_care"]}).status_code == 404
    response = client.post(f"/safety/incidents/{incident.id}/help/{places['other'].id}")
    assert response.status_code < 500
    assert (
        client.post(
            "/safety/incidents/new", data=incident_form(occurred_on="0001-01-01")
        ).status_code
        < 500
    )
    assert (
        client.post("/safety/incidents/new", data=incident_form(district="Atlantis")).status_code
        < 500
    )
