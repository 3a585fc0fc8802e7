"""One action, one effect in a real browser, in Bangla: back from the slip and "make the referral"
again shows the first referral, and there is one referral and one SMS."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from core.extensions import db
from tests.support import factories
from tests.support.browser import signed_in_phone

pytestmark = pytest.mark.browser

ALREADY_SAVED = "এটি আগেই সংরক্ষণ করা হয়েছে।"


def _world(app) -> tuple[str, int, datetime]:
    """A Bangla-speaking peer educator, a clinic open every day and a time two days ahead."""
    with app.app_context():
        # The migrations seed the service catalogue.
        clinic = factories.make_clinic(offering=("hiv_testing",), hours=factories.ALL_WEEK)
        pe = factories.make_user("peer_educator", language="bn")
        zone = ZoneInfo(app.config["APP_TIMEZONE"])
        when = datetime.combine(datetime.now(zone).date() + timedelta(days=2), time(11), zone)
        result = pe.email, clinic.id, when
        db.session.remove()
    return result


def _counts(app) -> tuple[int, int]:
    from notifications.models import OutboxMessage
    from referrals.models import Referral

    with app.app_context():
        referrals = db.session.scalar(sa.select(sa.func.count()).select_from(Referral))
        created = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == "referral_created")
        )
        db.session.remove()
    return referrals or 0, created or 0


def test_back_and_make_the_referral_again_makes_one_referral_and_one_sms(live_app, browser):
    email, clinic_id, when = _world(live_app)
    base = live_app.config["LIVE_URL"]
    context, page = signed_in_phone(browser, base, email)
    assert page.locator("html").get_attribute("lang") == "bn"

    page.goto(base + "/referrals/new")
    page.fill("input[name=phone]", "01712-345678")
    page.check("input[name=sms_consent]")
    page.click("form[action$='/referrals/new/register'] button[type=submit]")
    assert "/what" in page.url, page.url
    page.check("input[name=services][value=hiv_testing]")
    page.fill("input[name=day]", when.date().isoformat())
    page.fill("input[name=at]", when.strftime("%H:%M"))
    page.click("main form[method=post] button[type=submit]")
    assert "/where" in page.url, page.url
    page.check(f"input[name=clinic_id][value='{clinic_id}']")
    page.click("main form[method=post] button[type=submit] >> nth=-1")
    assert "/slip" in page.url, page.url
    slip = page.url
    assert _counts(live_app) == (1, 1)

    # Back to step 3 (the page is fetched again: pages are never cached) and send it again.
    page.go_back()
    assert "/where" in page.url, page.url
    page.check(f"input[name=clinic_id][value='{clinic_id}']")
    page.click("main form[method=post] button[type=submit] >> nth=-1")
    assert page.url == slip
    assert page.locator(f".flash >> text={ALREADY_SAVED}").count() == 1
    assert _counts(live_app) == (1, 1)

    context.close()
