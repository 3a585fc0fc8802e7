"""The issue's journeys in a real browser, in Bangla, on a 390 x 844 phone, on SQLite and on
PostgreSQL: a peer educator's referral from sign-in to the slip; the clinic partner (with her
second factor) confirms that visit by its code; the follow-up is in the peer educator's task list
and the cascade moves for a viewer; and an admin's sign-in with a second factor.

Every step is a full-page screenshot named journey-step in $BROWSER_ARTIFACTS (.ci/run keeps
them; a pytest tmp dir otherwise), and every step's page is checked: Bangla, fits the screen, no
untranslated English, raw code or Latin digit in what she sees, no script error, no failed
request and no error answer it did not expect.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pyotp
import pytest
import sqlalchemy as sa

from core.extensions import db
from tests.support import factories
from tests.support.browser import Journey, artifacts_dir, live_server, pass_code_step
from tests.support.db import PASSWORD, TEST_DATABASE_URL, base_config, private_postgres_database

pytestmark = pytest.mark.browser

DATABASES = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not TEST_DATABASE_URL, reason="TEST_DATABASE_URL is not set"),
    ),
]
CLINIC = "আশার আলো ক্লিনিক"
EARLIER_VISITS = 4  # confirmed before the journey: the viewer sees "<৫" until hers makes ৫


@pytest.fixture(scope="module", params=DATABASES)
def journey_app(request, tmp_path_factory):
    """The real app (CSRF and rate limits on) on a migrated database of its own, served live."""
    folder = tmp_path_factory.mktemp(f"journeys-{request.param}")
    url, drop = (
        (f"sqlite:///{folder / 'live.db'}", None)
        if request.param == "sqlite"
        else private_postgres_database()
    )
    config = base_config(url, str(folder / "instance"))
    config.update(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True)
    try:
        with live_server(config) as app:
            app.config["JOURNEY_DATABASE"] = request.param
            yield app
    finally:
        if drop:
            drop()


@pytest.fixture(scope="module")
def shots(journey_app, tmp_path_factory) -> Path:
    """This database's screenshot folder."""
    root = artifacts_dir(tmp_path_factory.mktemp("browser-artifacts"))
    folder = root / journey_app.config["JOURNEY_DATABASE"]
    folder.mkdir(exist_ok=True)
    return folder


def _world(app) -> dict[str, Any]:
    """A clinic giving HIV testing and STI care every day, its partner, a peer educator, a
    viewer (all reading Bangla), and visits another peer educator's members made there before."""
    from referrals.services import lifecycle, members

    with app.app_context():
        clinic = factories.make_clinic(
            offering=("hiv_testing", "sti"), hours=factories.ALL_WEEK, name=CLINIC
        )
        people = {
            role: factories.make_user(role, language="bn", **extra)
            for role, extra in (
                ("peer_educator", {}),
                ("clinic_partner", {"clinic_id": clinic.id}),
                ("viewer", {}),
            )
        }
        colleague = factories.make_user("peer_educator", language="bn")
        zone = ZoneInfo(app.config["APP_TIMEZONE"])
        when = datetime.combine(datetime.now(zone).date() + timedelta(days=1), time(11), zone)
        for _ in range(EARLIER_VISITS):
            member = members.register_member(
                actor=colleague, phone=factories.phone(), language="bn", sms_consent=True
            )
            earlier, _notices = lifecycle.create_referral(
                actor=colleague,
                member_id=member.id,
                clinic_id=clinic.id,
                services=["hiv_testing"],
                appointment_at=when,
            )
            lifecycle.confirm(earlier.code, ["hiv_testing"], actor=people["clinic_partner"])
        db.session.commit()
        world = {role: user.email for role, user in people.items()}
        world.update(clinic_id=clinic.id, when=when)
        db.session.remove()
    return world


def _referral(app, code: str) -> tuple[str, str, list[str]]:
    """The referral's status, its member's UIC and the services due for a follow-up."""
    from referrals.models import FollowUp, Referral

    with app.app_context():
        referral = db.session.scalars(sa.select(Referral).where(Referral.code == code)).one()
        due = db.session.scalars(
            sa.select(FollowUp.service_code).where(FollowUp.referral_id == referral.id)
        )
        found = referral.status, referral.member.uic, sorted(due)
        db.session.remove()
    return found


def _refer(journey: Journey, world: dict[str, Any]) -> str:
    """(a) From sign-in to the slip: she registers a member, chooses services and a time, a
    clinic, makes the referral and shows the slip. Returns the code as the slip shows it."""
    page = journey.page
    assert journey.sign_in(world["peer_educator"]).endswith("/tasks")
    assert "আমার কাজ" in journey.step("tasks")
    page.click("main a.button.big >> text=নতুন রেফারেল")
    assert "সদস্য নিবন্ধন করুন" in journey.step("who")
    page.fill("input[name=phone]", "01712-345678")
    page.check("input[name=sms_consent]")
    page.click("form[action$='/referrals/new/register'] button[type=submit]")
    assert "/what" in page.url, page.url
    journey.step("what")
    for service in ("hiv_testing", "sti"):
        page.check(f"input[name=services][value={service}]")
    page.fill("input[name=day]", world["when"].date().isoformat())
    page.fill("input[name=at]", world["when"].strftime("%H:%M"))
    page.click("main form[method=post] button[type=submit]")
    assert "/where" in page.url, page.url
    assert CLINIC in journey.step("where")
    page.check(f"input[name=clinic_id][value='{world['clinic_id']}']")
    page.click("main form[method=post] button[type=submit] >> text=রেফারেল করুন")
    path = urlsplit(page.url).path
    assert path.endswith("/slip"), page.url
    slip = journey.step("slip")
    assert "রেফারেল কোড" in slip and CLINIC in slip
    code = page.inner_text(".slip-code").strip()
    assert code.replace("-", "") == path.split("/")[-2]
    assert page.locator(".slip-qr svg").count() == 1
    return code


def _confirm(journey: Journey, world: dict[str, Any], shown: str) -> None:
    """(b) The clinic partner signs in with her second factor, types the code from the slip and
    confirms the visit with the services she gave."""
    page = journey.page
    assert journey.sign_in(world["clinic_partner"]).endswith("/clinic/today")
    journey.step("today")
    page.fill("input[name=code]", shown)
    page.click("form.code-box button[type=submit]")
    code = shown.replace("-", "")
    assert page.url.endswith(f"/clinic/confirm/{code}"), page.url
    confirm = journey.step("confirm")
    assert "ভিজিটটি নিশ্চিত করুন" in confirm
    assert page.inner_text(".code-big").strip() == shown
    for service in ("hiv_testing", "sti"):  # what she was referred for, ticked already
        assert page.is_checked(f"input[name=services_delivered][value={service}]")
    page.click("main form button[type=submit] >> text=ভিজিটটি নিশ্চিত করুন")
    assert page.url.endswith("/clinic/today"), page.url
    assert "ভিজিট নিশ্চিত হয়েছে। ধন্যবাদ।" in journey.step("confirmed")


def _attended_total(journey: Journey, title: str) -> str:
    """The viewer's reports page once the scheduler has refreshed the report summary: the
    cascade's attended total, as she reads it, under the time the figures were computed."""
    with journey.app.app_context():
        from reports.summary.refresh import refresh_job

        refresh_job()  # what the scheduler's reports.summary job does every few minutes
        db.session.remove()
    journey.page.goto(journey.base + "/reports")
    text = journey.step(title)
    assert "রেফারেল ক্যাসকেড" in text
    assert "পর্যন্ত হিসাব" in journey.page.inner_text("#as-of")
    return journey.page.inner_text("table.cascade tfoot td:nth-of-type(3)").strip()


def _follow_up_listed(journey: Journey, uic: str) -> None:
    """(c) Back from the slip to her tasks: the STI check-up her member is due for next week is
    listed (HIV testing's comes after three months, not this week)."""
    page = journey.page
    page.click(".slip-actions a.button >> text=হয়েছে")
    assert page.url.endswith("/tasks"), page.url
    journey.step("tasks")
    section = page.locator("h2:has-text('এই সপ্তাহের ফলো-আপ')")
    assert section.inner_text().strip() == "এই সপ্তাহের ফলো-আপ (১)"
    card = page.locator(f".card:has(a:text-is('{uic}'))")
    assert card.count() == 1
    assert "যৌনবাহিত সংক্রমণের চিকিৎসা" in card.inner_text(), card.inner_text()
    assert "নতুন রেফারেল" in card.inner_text()


def test_a_referral_from_sign_in_to_the_slip_its_visit_confirmed_and_the_cascade_moving(
    journey_app, browser, shots
):
    world = _world(journey_app)
    educator = Journey(journey_app, browser, shots, "referral")
    shown = _refer(educator, world)
    code = shown.replace("-", "")
    status, uic, due = _referral(journey_app, code)
    assert (status, due) == ("scheduled", [])

    viewer = Journey(journey_app, browser, shots, "cascade")
    assert viewer.sign_in(world["viewer"]).endswith("/reports")
    assert _attended_total(viewer, "before") in ("<৫", "–")  # four visits: too few to show

    partner = Journey(journey_app, browser, shots, "confirm")
    _confirm(partner, world, shown)
    partner.close()
    assert _referral(journey_app, code) == ("attended", uic, ["hiv_testing", "sti"])

    educator.name, educator.count = "follow-up", 0
    _follow_up_listed(educator, uic)
    educator.close()
    assert _attended_total(viewer, "after") == "৫"
    viewer.close()


def test_an_admin_signs_in_with_her_second_factor(journey_app, browser, shots):
    with journey_app.app_context():
        email = factories.make_user("admin", language="bn").email
        db.session.remove()
    admin = Journey(journey_app, browser, shots, "two-factor")
    page = admin.page
    page.goto(admin.base + "/login")
    assert "লগইন" in admin.step("sign-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    assert "/login/code" in page.url, page.url
    assert "লগইন কোড" in admin.step("code")
    page.goto(admin.base + "/admin")  # the password alone opens nothing
    assert "/login" in page.url, page.url
    admin.step("password-only")
    page.goto(admin.base + "/login/code")
    page.fill("input[name=code]", _wrong_code())
    admin.watch.expect(401)
    page.click("main button[type=submit]")
    assert "কোডটি ঠিক নয়" in admin.step("wrong-code")
    assert page.locator("main .field-error[role=alert]").count() == 1
    pass_code_step(page, email)
    assert page.url.endswith("/admin"), page.url
    admin.step("admin-home")
    admin.close()


def _wrong_code() -> str:
    """Six digits her authenticator does not show now, a step ago or a step ahead."""
    totp = pyotp.TOTP(factories.TOTP_SECRET)
    step = totp.timecode(datetime.now(UTC))
    near = {totp.generate_otp(step + offset) for offset in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in near)
