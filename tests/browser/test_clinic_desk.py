"""The clinic partner's desk in a real browser, in Bangla, on a 390-pixel phone: a code made for
another clinic (typed with Bangla digits) has its visit recorded here, and a mistyped code stays in
the box with the wrong symbol marked and the expected code offered."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.extensions import db
from tests.support import factories
from tests.support.browser import signed_in_phone

pytestmark = pytest.mark.browser

BANGLA = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


def _world(app) -> dict:
    """A Bangla-speaking partner of a clinic giving HIV testing and STI care; a referral expected
    there, and one made for another clinic for HIV testing and PrEP."""
    from referrals.services import lifecycle, members

    with app.app_context():
        # The migrations seed the service catalogue.
        here = factories.make_clinic(offering=("hiv_testing", "sti"), hours=factories.ALL_WEEK)
        there = factories.make_clinic(offering=("hiv_testing", "prep"), hours=factories.ALL_WEEK)
        partner = factories.make_user("clinic_partner", clinic_id=here.id, language="bn")
        pe = factories.make_user("peer_educator", language="bn")
        member = members.register_member(
            actor=pe, phone=factories.phone(), language="bn", sms_consent=True
        )
        zone = ZoneInfo(app.config["APP_TIMEZONE"])
        when = datetime.combine(datetime.now(zone).date() + timedelta(days=1), time(11), zone)
        made = {}
        for name, clinic, services in (
            ("expected", here, ["hiv_testing"]),
            ("away", there, ["hiv_testing", "prep"]),
        ):
            referral, _ = lifecycle.create_referral(
                actor=pe,
                member_id=member.id,
                clinic_id=clinic.id,
                services=services,
                appointment_at=when,
            )
            made[name] = referral.code
        db.session.commit()
        result = {"email": partner.email, "here": here.id, "there": there.name, **made}
        db.session.remove()
    return result


def _referral(app, code: str):
    from referrals.models import Referral

    with app.app_context():
        referral = db.session.query(Referral).filter_by(code=code).one()
        result = referral.clinic_id, referral.status
        db.session.remove()
    return result


def _sign_in(browser, base: str, email: str):
    context, page = signed_in_phone(browser, base, email)
    assert page.locator("html").get_attribute("lang") == "bn"
    assert page.url.endswith("/clinic/today")
    return context, page


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_another_clinics_code_typed_with_bangla_digits_is_recorded_here(live_app, browser):
    world = _world(live_app)
    context, page = _sign_in(browser, live_app.config["LIVE_URL"], world["email"])
    _fits(page)
    code = world["away"]
    typed = f"{code[:3]}-{code[3:6]}-{code[6:]}".lower().translate(BANGLA)
    page.fill("input[name=code]", typed)
    page.click("form.code-box button[type=submit]")
    assert page.url.endswith(f"/clinic/elsewhere/{code}")
    text = page.inner_text("main")
    assert "এই রেফারেলটি অন্য একটি ক্লিনিকের জন্য করা হয়েছিল।" in text
    assert "এখানে দেওয়া হয় না:" in text and "প্রেপ (এইচআইভি প্রতিরোধের ওষুধ)" in text
    assert world["there"] not in text
    assert page.locator("h1").count() == 1
    _fits(page)
    page.screenshot(path=str(live_app.instance_path) + "/elsewhere.png", full_page=True)
    page.click("text=ভিজিটটি এখানে লিখে রাখুন")
    assert page.url.endswith("/clinic/today")
    assert "এই ক্লিনিকে ভিজিট লেখা হয়েছে। ধন্যবাদ।" in page.inner_text("main")
    assert _referral(live_app, code) == (world["here"], "attended")
    # Listed as recently confirmed: on a 360-pixel screen too, nothing overflows.
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.locator("ul.clinic-day .code").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = page.locator("ul.clinic-day .code").first.bounding_box()
    assert box is not None and box["height"] < 40  # the code on one line
    page.screenshot(path=str(live_app.instance_path) + "/today-360.png", full_page=True)
    context.close()


def test_a_mistyped_code_is_marked_and_the_expected_one_offered(live_app, browser):
    world = _world(live_app)
    context, page = _sign_in(browser, live_app.config["LIVE_URL"], world["email"])
    code = world["expected"]
    typed = f"{code[:3]}-U{code[4:6]}-{code[6:]}".lower()  # U is never in a code
    page.fill("input[name=code]", typed)
    page.click("form.code-box button[type=submit]")
    assert page.input_value("input[name=code]") == typed
    assert page.get_attribute("input[name=code]", "aria-invalid") == "true"
    assert page.inner_text(".code-typed mark") == "U"
    assert "দাগ দেওয়া অক্ষরগুলো কোনো কোডে থাকে না" in page.inner_text(".code-check")
    suggestion = page.locator(".code-suggestions a")
    assert suggestion.count() == 1
    _fits(page)
    page.screenshot(path=str(live_app.instance_path) + "/mistyped.png", full_page=True)
    suggestion.click()
    assert page.url.endswith(f"/clinic/confirm/{code}")
    assert _referral(live_app, code)[1] == "scheduled"
    context.close()
