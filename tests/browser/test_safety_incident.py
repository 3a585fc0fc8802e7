"""Something happened to her, in a real browser, in Bangla, on a 390-pixel phone: the peer
educator taps the button on her home page, records the incident for her member (help needed, the
consents read aloud), lands on help now, makes the urgent referral with one tap and sees the slip.
Every page she sees speaks Bangla words (tests/support/visible_text.py)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from core.extensions import db
from tests.browser.test_accessibility import AXE, _violations
from tests.support import factories
from tests.support.browser import signed_in_phone
from tests.support.visible_text import problems, raw_codes, typed_data

pytestmark = pytest.mark.browser

ALL_DAY = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
DESCRIPTION = "হোটেলের লোক ভয় দেখিয়ে টাকা নিয়েছে"


def _world(app) -> dict:
    """A Bangla-speaking peer educator in Chattogram and her member; a place there that helps
    after violence, open all day, and a crisis contact for the district."""
    from referrals.services import members
    from safety.models import CrisisContact

    with app.app_context():
        # The migrations seed the service catalogue (care after violence, legal aid among it).
        clinic = factories.make_clinic(
            name="Asha Care", district="Chattogram", hours=ALL_DAY, phone="01811-000111",
            offering=("gbv_care", "legal_aid", "hiv_testing"), latitude=22.34, longitude=91.81,
        )  # fmt: skip
        pe = factories.make_user("peer_educator", language="bn")
        pe.district = "Chattogram"
        member = members.register_member(
            actor=pe, phone=factories.phone(), language="bn", sms_consent=True
        )
        db.session.add(
            CrisisContact(name="Lawyer Rahima", kind="legal", phone="01711-555000",
                          district="Chattogram", hours="24 hours")
        )  # fmt: skip
        db.session.commit()
        world = {"email": pe.email, "uic": member.uic, "member": member.id, "clinic": clinic.id}
        db.session.remove()
    return world


def _saved(app) -> dict:
    from referrals.models import Referral
    from safety.models import Incident, IncidentReferral

    with app.app_context():
        incidents = db.session.scalars(sa.select(Incident)).all()
        referrals = db.session.scalars(sa.select(Referral)).all()
        links = db.session.scalars(sa.select(IncidentReferral)).all()
        found = {
            "incidents": [(i.id, i.member_id, i.needs_help_now, i.description) for i in incidents],
            "referrals": [(r.id, r.code, r.urgency, r.clinic_id, r.services) for r in referrals],
            "links": [(link.incident_id, link.referral_id) for link in links],
        }
        db.session.remove()
    return found


def _speaks_bangla(page, vocabulary) -> None:
    """What she sees: Bangla words and digits, no code, no ambiguous date; nothing wider than
    the phone; and axe-core finds no violation."""
    codes, data = vocabulary
    found = problems(page.content(), bangla=True, codes=codes, data=(*data, DESCRIPTION))
    assert not found, (page.url, found)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if AXE.exists():  # `make install-dev` installs it (npm ci); the crawl test insists on it
        assert not _violations(page), page.url


def test_a_peer_educator_records_an_incident_in_bangla_and_refers_her_from_help_now(
    live_app, browser
):
    world = _world(live_app)
    base = live_app.config["LIVE_URL"]
    # bypass_csp lets the test inject axe-core; the app's own policy stays as it is.
    context, page = signed_in_phone(browser, base, world["email"], bypass_csp=True)
    assert page.locator("html").get_attribute("lang") == "bn"
    with live_app.app_context():
        vocabulary = raw_codes(live_app), typed_data()
        db.session.remove()

    # From her home, one tap.
    assert page.url.endswith("/tasks"), page.url
    button = page.locator("main a[href$='/safety/incidents/new']", has_text="তাঁর সাথে কিছু ঘটেছে")
    assert button.count() == 1
    button.click()
    assert page.url.endswith("/safety/incidents/new"), page.url
    assert page.locator("h1").inner_text() == "তাঁর সাথে কিছু ঘটেছে"
    assert page.locator(".read-aloud").count() == 3
    zone = ZoneInfo(live_app.config["APP_TIMEZONE"])
    today = datetime.now(zone).date()
    assert page.input_value("input[name=occurred_on]") == today.isoformat()
    assert page.input_value("select[name=district]") == "Chattogram"
    _speaks_bangla(page, vocabulary)
    page.screenshot(path=str(live_app.instance_path) + "/incident-new.png", full_page=True)

    page.fill("input[name=uic]", world["uic"])
    page.fill("input[name=occurred_on]", (today - timedelta(days=1)).isoformat())
    page.check("input[name=place_type][value=hotel]")
    page.check("input[name=perpetrators][value=hotel_staff]")
    page.check("input[name=violations][value=extortion]")
    page.check("input[name=violations][value=threat]")
    page.check("input[name=needs_help_now][value=yes]")
    page.fill("textarea[name=description]", DESCRIPTION)
    for consent in ("consent_advocacy", "consent_alert", "consent_legal"):
        page.check(f"input[name={consent}]")
    page.click("main form.incident-form button[type=submit]")

    # Help now: the place open now, the crisis contact with a tap-to-call link.
    assert re.search(r"/safety/incidents/\d+/help$", page.url), page.url
    assert "সংরক্ষণ হয়েছে" in page.inner_text(".flash")
    card = page.locator(f"#place-{world['clinic']}")
    assert "Asha Care" in card.inner_text() and "এখন খোলা" in card.inner_text()
    assert page.locator("a[href='tel:01711-555000']").count() == 1
    assert card.locator("input[type=checkbox][value=gbv_care]").is_checked()
    _speaks_bangla(page, vocabulary)
    page.screenshot(path=str(live_app.instance_path) + "/help-now.png", full_page=True)

    card.locator("button[type=submit]").click()
    assert re.search(r"/referrals/\w+/slip$", page.url), page.url
    _speaks_bangla(page, vocabulary)

    saved = _saved(live_app)
    ((incident_id, member_id, needs_help, description),) = saved["incidents"]
    assert (member_id, needs_help, description) == (world["member"], True, DESCRIPTION)
    ((referral_id, code, urgency, clinic_id, services),) = saved["referrals"]
    assert (urgency, clinic_id) == ("urgent", world["clinic"])
    assert set(services) == {"gbv_care", "legal_aid"}
    assert saved["links"] == [(incident_id, referral_id)]
    assert page.url.endswith(f"/referrals/{code}/slip")

    # The incident shows the referral made from it.
    page.goto(base + f"/safety/incidents/{incident_id}")
    assert page.locator(f"a[href='/referrals/{code}']").count() == 1
    _speaks_bangla(page, vocabulary)
    # Her incidents, and help now without an incident (one tap from the list).
    page.click("main a[href='/safety/incidents']")
    assert page.locator(f"main a[href='/safety/incidents/{incident_id}']").count() == 1
    _speaks_bangla(page, vocabulary)
    page.click("main a[href='/safety/help']")
    assert "Lawyer Rahima" in page.inner_text("main") and "Asha Care" in page.inner_text("main")
    assert page.locator("form[action*='/help/']").count() == 0  # no referral without her
    _speaks_bangla(page, vocabulary)
    context.close()
