"""In a real browser, in Bangla, at 390 px: a new time when the clinic is closed is asked first
(its hours that day in words, nothing saved, no SMS); "keep this time anyway" saves it and
queues one SMS."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from core.extensions import db
from tests.support import factories
from tests.support.browser import signed_in_phone

pytestmark = pytest.mark.browser


def _world(app) -> tuple[str, str, datetime]:
    """A Bangla-speaking peer educator's referral to a clinic open 08:00-20:00 every day."""
    from referrals.services import lifecycle, members

    with app.app_context():
        clinic = factories.make_clinic(offering=("hiv_testing",), hours=factories.ALL_WEEK)
        pe = factories.make_user("peer_educator", language="bn")
        member = members.register_member(
            actor=pe, phone="01712-345679", language="bn", sms_consent=True
        )
        zone = ZoneInfo(app.config["APP_TIMEZONE"])
        when = datetime.combine(datetime.now(zone).date() + timedelta(days=2), time(11), zone)
        referral, _ = lifecycle.create_referral(
            actor=pe,
            member_id=member.id,
            clinic_id=clinic.id,
            services=["hiv_testing"],
            appointment_at=when,
        )
        db.session.commit()
        result = pe.email, referral.code, when
        db.session.remove()
    return result


def _changed(app, code: str) -> tuple[datetime | None, int]:
    """The referral's appointment, and how many 'appointment changed' SMS are planned."""
    from notifications.models import OutboxMessage
    from referrals.models import Referral

    with app.app_context():
        at = db.session.scalar(sa.select(Referral.appointment_at).where(Referral.code == code))
        changed = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == "appointment_changed")
        )
        db.session.remove()
    return at, changed or 0


def _in_view(locator, height: int = 844) -> bool:
    """Whether the element's top is on the screen (the page scrolled to it)."""
    box = locator.bounding_box()
    return box is not None and -2 <= box["y"] < height


def _sign_in(browser, base: str, email: str, **options):
    context, page = signed_in_phone(browser, base, email, **options)
    assert page.locator("html").get_attribute("lang") == "bn"
    return context, page


def test_the_clinic_filter_lands_on_the_results(live_app, browser):
    with live_app.app_context():
        for n in range(12):  # a long list: the results start far below the filter on a phone
            factories.make_clinic(
                offering=("hiv_testing",),
                hours=factories.ALL_WEEK,
                district="Khulna",
                name=f"Khulna clinic {n}",
            )
        pe = factories.make_user("peer_educator", language="bn")
        from referrals.services import members

        member = members.register_member(actor=pe, language="bn")  # she has no phone
        db.session.commit()
        email, member_id = pe.email, member.id
        db.session.remove()
    base = live_app.config["LIVE_URL"]
    context, page = _sign_in(browser, base, email)
    page.goto(f"{base}/referrals/new/{member_id}/where?services=hiv_testing&urgency=routine")
    page.select_option("select#district", "Khulna")
    page.click("#where-filter button[type=submit]")
    assert page.url.endswith("#results"), page.url
    assert _in_view(page.locator("#results")), page.locator("#results").bounding_box()
    assert page.evaluate("window.scrollY") > 300  # scrolled past the filter to the results
    context.close()

    # "Use my location": nearest first in every district, and the page lands on the results.
    context, page = _sign_in(
        browser,
        base,
        email,
        geolocation={"latitude": 22.82, "longitude": 89.55},
        permissions=["geolocation"],
    )
    page.goto(f"{base}/referrals/new/{member_id}/where?services=hiv_testing&urgency=routine")
    page.click("#use-location")
    page.wait_for_url("**#results")
    assert "near=22.8200" in page.url and "district=#" in page.url, page.url
    assert "সবচেয়ে কাছেরগুলো আগে" in page.locator("#results").inner_text()
    assert _in_view(page.locator("#results")) and page.evaluate("window.scrollY") > 300
    context.close()


def test_a_closed_hour_is_asked_first_in_bangla(live_app, browser):
    email, code, when = _world(live_app)
    base = live_app.config["LIVE_URL"]
    context, page = _sign_in(browser, base, email)
    page.goto(f"{base}/referrals/{code}")
    later = when.date() + timedelta(days=1)
    form = page.locator("form[action*='/reschedule']")
    form.locator("input[name=day]").fill(later.isoformat())
    form.locator("input[name=at]").fill("21:30")
    form.locator("button[type=submit]").click()

    notice = page.locator("form[action*='/reschedule'] .flash.warning")
    assert notice.count() == 1
    assert "ওই সময়ে ক্লিনিক বন্ধ থাকে" in notice.inner_text()
    assert "০৮:০০–২০:০০" in notice.inner_text()
    assert _in_view(notice)  # the page lands on the form (#new-time), not above it
    assert _changed(live_app, code) == (when, 0)  # nothing saved, no SMS queued

    page.locator("form[action*='/reschedule'] button[type=submit]").click()
    assert page.locator(".flash >> text=নতুন সময় সংরক্ষণ হয়েছে").count() == 1
    zone = ZoneInfo(live_app.config["APP_TIMEZONE"])
    assert _changed(live_app, code) == (datetime.combine(later, time(21, 30), zone), 1)
    context.close()
