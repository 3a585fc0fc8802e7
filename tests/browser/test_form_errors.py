"""A form's errors on a phone, in Bangla: an invalid phone number is refused in Bangla, and the
errors are summarised at the top of the page with a link that takes her to the field."""

from __future__ import annotations

import pytest

from core.extensions import db
from tests.support import factories
from tests.support.browser import signed_in_phone

pytestmark = pytest.mark.browser

NOT_A_PHONE = "সঠিক ফোন নম্বর নয়।"


def test_an_invalid_phone_is_refused_in_bangla_and_summarised_at_the_top(live_app, browser):
    with live_app.app_context():
        email = factories.make_user("peer_educator", language="bn").email
        db.session.remove()
    base = live_app.config["LIVE_URL"]
    context, page = signed_in_phone(browser, base, email)
    assert page.locator("html").get_attribute("lang") == "bn"

    page.goto(base + "/referrals/new")
    register = page.locator("form[action$='/referrals/new/register']")
    register.locator("input[name=phone]").fill("12345")
    register.locator("button[type=submit]").last.click()

    summary = page.locator(".error-summary")
    assert summary.count() == 1
    assert NOT_A_PHONE in summary.inner_text()
    assert "Not a valid" not in page.locator("main").inner_text()
    # The summary is where her eyes are: in the first screen, above the form.
    assert summary.bounding_box()["y"] < 844
    link = summary.locator("a[href='#phone']")
    link.click()
    assert page.evaluate("document.activeElement.name") == "phone"
    context.close()
