"""The peer educator's incident pages: record what happened (Bangla and English), errors at the
top with nothing saved, who may open what, help now (places and contacts), and the one-tap urgent
referral that is made once however many times it is sent."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from tests.support import factories
from tests.support.clock import DHAKA
from tests.support.visible_text import problems, raw_codes, typed_data

ALL_DAY = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
NEVER = {d: [] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _today() -> str:
    return utcnow().astimezone(DHAKA).date().isoformat()


def _form(**overrides) -> dict:
    data = {
        "occurred_on": _today(),
        "district": "Chattogram",
        "area": "Station Road",
        "place_type": "hotel",
        "perpetrators": ["police", "hotel_staff"],
        "violations": ["physical", "extortion"],
        "needs_help_now": "yes",
        "description": "He took her money and hit her.",
        "consent_advocacy": "y",
        "consent_alert": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _member(pe, number: int = 1):
    from referrals.services import members

    member = members.register_member(
        actor=pe, phone=factories.phone(900 + number), language="bn", sms_consent=True
    )
    db.session.commit()
    return member


def _incidents():
    from safety.models import Incident

    db.session.expire_all()
    return list(db.session.scalars(sa.select(Incident).order_by(Incident.id)))


def _record(client, member=None, **overrides):
    url = "/safety/incidents/new" + (f"?member={member.id}" if member is not None else "")
    return client.post(url, data=_form(**overrides))


def in_district(user, district: str = "Chattogram"):
    """The user, working in `district` (the default of her pages)."""
    user.district = district
    db.session.commit()
    return user


def _clean(app, html: str, *, bangla: bool) -> list:
    typed = (*typed_data(), _form()["description"], _form()["area"])  # also when not saved
    return problems(html, bangla=bangla, codes=raw_codes(app), data=typed)


@pytest.fixture
def places(app):
    """The catalogue; in Chattogram one place helping after violence open all day, one closed
    all week, one offering only HIV testing; crisis contacts here, everywhere and elsewhere."""
    from safety.models import CrisisContact

    factories.default_catalogue()
    made = {
        "open": factories.make_clinic(
            name="Asha Care", district="Chattogram", hours=ALL_DAY, phone="01811-000111",
            offering=("gbv_care", "legal_aid", "hiv_testing"), latitude=22.34, longitude=91.81,
        ),
        "closed": factories.make_clinic(
            name="Nirapad Legal", district="Chattogram", hours=NEVER, offering=("legal_aid",),
            latitude=22.35, longitude=91.82,
        ),
        "other": factories.make_clinic(
            name="Testing Only", district="Chattogram", hours=ALL_DAY, offering=("hiv_testing",)
        ),
    }  # fmt: skip
    for name, kind, district in (
        ("Lawyer Rahima", "legal", "Chattogram"),
        ("Night Hotline", "hotline", None),
        ("Sylhet Shelter", "shelter", "Sylhet"),
    ):
        db.session.add(CrisisContact(name=name, kind=kind, phone="01711-555000", district=district))
    db.session.commit()
    return made


def test_recorded_in_english_with_help_needed_lands_on_help_now(app, client, login_as, places):
    from safety.models import IncidentReferral

    pe = in_district(login_as("peer_educator"))
    member = _member(pe)
    page = client.get(f"/safety/incidents/new?member={member.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="_once"' in html
    assert f'value="{_today()}"' in html  # today, by default
    assert re.search(r'<option selected value="Chattogram">|value="Chattogram" selected', html)
    assert "Read aloud" in html and html.count('class="read-aloud"') == 3
    response = _record(client, member)
    assert response.status_code == 302, response.get_data(as_text=True)
    (incident,) = _incidents()
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
    assert not _clean(app, html, bangla=False)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IncidentReferral)) == 0


def test_recorded_in_bangla_without_help_shows_the_incident_in_words(app, client, login_as):
    factories.default_catalogue()
    pe = in_district(login_as("peer_educator", language="bn"))
    form = client.get("/safety/incidents/new").get_data(as_text=True)
    assert "তাঁর সাথে কিছু ঘটেছে" in form and "জোরে পড়ে শোনান" in form
    assert not _clean(app, form, bangla=True)
    response = _record(client, needs_help_now="no", consent_legal="y", area=None)
    assert response.status_code == 302, response.get_data(as_text=True)
    (incident,) = _incidents()
    assert incident.member_id is None and incident.peer_educator_id == pe.id
    assert response.headers["Location"].endswith(f"/safety/incidents/{incident.id}")
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "He took her money and hit her." in html  # her peer educator reads it
    assert "hotel_staff" not in html and "extortion" not in html
    assert not _clean(app, html, bangla=True)
    listing = client.get("/safety/incidents")
    assert listing.status_code == 200 and f"/safety/incidents/{incident.id}" in listing.text
    assert not _clean(app, listing.get_data(as_text=True), bangla=True)


def test_errors_are_summarised_at_the_top_in_bangla_and_nothing_is_saved(app, client, login_as):
    factories.default_catalogue()
    login_as("peer_educator", language="bn")
    response = _record(client, place_type=None, perpetrators=None, needs_help_now=None)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    summary = html[html.index('class="error-summary"') : html.index("</ul>")]
    assert "এই ঘরটি পূরণ করতে হবে।" in summary
    for anchor in ("#place_type", "#perpetrators", "#needs_help_now"):
        assert anchor in summary
    assert 'id="place_type"' in html and 'id="perpetrators"' in html
    assert html.index('class="error-summary"') < html.index('<form method="post"')
    assert not _clean(app, html, bangla=True)
    tomorrow = (utcnow().astimezone(DHAKA).date() + timedelta(days=1)).isoformat()
    response = _record(client, occurred_on=tomorrow)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="error-summary"' in html
    assert "#occurred_on" in html
    assert "Must be" not in html  # the service's words, in Bangla
    assert not _clean(app, html, bangla=True)
    assert _incidents() == []


@pytest.mark.parametrize("role", ["clinic_partner", "viewer"])
def test_clinic_partners_and_viewers_open_no_incident_page(app, client, login_as, role):
    factories.default_catalogue()
    pe = factories.make_user("peer_educator")
    incident = _recorded_for(pe)
    login_as(role)
    for url in (
        "/safety/incidents/new",
        "/safety/incidents",
        f"/safety/incidents/{incident.id}",
        f"/safety/incidents/{incident.id}/help",
        "/safety/help",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post("/safety/incidents/new", data=_form()).status_code == 403
    assert client.post(f"/safety/incidents/{incident.id}/close").status_code == 403
    assert len(_incidents()) == 1


def _recorded_for(pe, member=None, **overrides):
    from safety.services.incidents import record_incident

    data = {
        "occurred_on": _today(), "district": "Chattogram", "place_type": "street",
        "perpetrators": ["client"], "violations": ["threat"], "needs_help_now": True,
        "description": "private words", "member_id": member.id if member else None,
        "consent": {"advocacy": True, "alert": False, "legal": False},
    }  # fmt: skip
    data.update(overrides)
    incident = record_incident(data, pe)
    db.session.commit()
    return incident


def test_another_peer_educators_incident_is_not_found(app, client, login_as, places):
    other = factories.make_user("peer_educator")
    incident = _recorded_for(other, _member(other))
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
    assert _incidents()[0].status == "open"


def test_an_admin_reads_any_incident_and_may_draft_an_alert_from_it(app, client, login_as):
    factories.default_catalogue()
    pe = factories.make_user("peer_educator")
    incident = _recorded_for(pe, consent={"advocacy": True, "alert": True, "legal": False})
    login_as("admin")
    html = client.get(f"/safety/incidents/{incident.id}").get_data(as_text=True)
    assert "private words" in html
    if "safety.alert_new" in app.view_functions:
        assert f"/safety/alerts/new?incident={incident.id}" in html


def test_the_urgent_referral_is_made_once_even_when_sent_twice(app, client, login_as, places):
    from referrals.models import Referral
    from safety.models import IncidentReferral

    pe = in_district(login_as("peer_educator"))
    incident = _recorded_for(pe, _member(pe))
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
    incident = _recorded_for(pe, _member(pe))
    clinic = places["open"]
    response = client.post(f"/safety/incidents/{incident.id}/help/{clinic.id}", data={})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in html and "এই ঘরটি পূরণ করতে হবে।" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0
    assert not _clean(app, html, bangla=True)


def test_without_a_member_help_now_offers_to_register_her(app, client, login_as, places):
    pe = login_as("peer_educator")
    incident = _recorded_for(pe)
    html = client.get(f"/safety/incidents/{incident.id}/help").get_data(as_text=True)
    assert "She is not registered as a member" in html
    assert "/referrals/new" in html and "Urgent referral here" not in html
    assert "Asha Care" in html  # the places and contacts are still there to call


def test_help_now_without_an_incident_by_district_or_location(app, client, login_as, places):
    in_district(login_as("peer_educator", language="bn"))
    html = client.get("/safety/help").get_data(as_text=True)
    assert "Asha Care" in html and "Lawyer Rahima" in html
    assert "/safety/incidents/new" in html and "Urgent referral here" not in html
    assert not _clean(app, html, bangla=True)
    near = client.get("/safety/help?near=22.34,91.81&district=").get_data(as_text=True)
    assert "কিমি" in near and "Asha Care" in near
    assert client.get("/safety/help?near=abc&district=Nowhere").status_code == 200


def test_closing_takes_one_tap_and_lists_it_as_closed(app, client, login_as):
    factories.default_catalogue()
    pe = login_as("peer_educator")
    incident = _recorded_for(pe)
    response = client.post(f"/safety/incidents/{incident.id}/close")
    assert response.status_code == 302
    assert _incidents()[0].status == "closed"
    html = client.get(f"/safety/incidents/{incident.id}").get_data(as_text=True)
    assert "Close: she needs no more help" not in html


def test_from_home_she_is_named_by_her_uic_among_the_peer_educators_members(app, client, login_as):
    factories.default_catalogue()
    pe = login_as("peer_educator", language="bn")
    member = _member(pe)
    others = _member(factories.make_user("peer_educator"), number=2)
    response = _record(client, uic=others.uic)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "#uic" in html and "এই UIC নেই" in html
    assert _incidents() == []
    response = _record(client, uic=member.uic.lower())
    assert response.status_code == 302
    assert [i.member_id for i in _incidents()] == [member.id]


def test_the_district_starts_at_hers_else_the_peer_educators(app, client, login_as):
    factories.default_catalogue()
    pe = in_district(login_as("peer_educator"))
    member = _member(pe)
    member.contact.district = "Sylhet"
    db.session.commit()
    chosen = re.compile(r'<option selected value="(\w+)">|<option value="(\w+)" selected>')
    html = client.get(f"/safety/incidents/new?member={member.id}").get_data(as_text=True)
    assert [a or b for a, b in chosen.findall(html)] == ["Sylhet"]
    html = client.get("/safety/incidents/new").get_data(as_text=True)
    assert [a or b for a, b in chosen.findall(html)] == ["Chattogram"]
    assert client.get("/safety/incidents/new?member=999999").status_code == 404
    assert client.get("/safety/incidents/new?member=abc").status_code == 200


def test_bad_input_in_addresses_is_never_a_server_error(app, client, login_as, places):
    pe = in_district(login_as("peer_educator"))
    incident = _recorded_for(pe, _member(pe))
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
        client.post("/safety/incidents/new", data=_form(occurred_on="0001-01-01")).status_code < 500
    )
    assert client.post("/safety/incidents/new", data=_form(district="Atlantis")).status_code < 500
