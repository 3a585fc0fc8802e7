"""After the scheduler was down, a later message about the same appointment supersedes the
earlier ones that are due with it: one SMS reaches her, the others are skipped with a reason."""

from __future__ import annotations

from datetime import timedelta

from notifications.engine.dispatch import dispatch_pass
from notifications.engine.supersede import SUPERSEDED
from tests.support.clock import APPOINTMENT, NOW
from tests.support.factories import make_contact, make_message, reload

DAY_BEFORE = APPOINTMENT - timedelta(hours=24)
TWO_HOURS = APPOINTMENT - timedelta(hours=2)


def _referral(contact, code: str, *kinds_and_times):
    """Messages of one referral (one subject, one appointment), as planning writes them."""
    return [make_message(contact, kind, send_at=at, code=code) for kind, at in kinds_and_times]


def test_the_later_reminder_supersedes_the_stale_one(twilio_app, fake_twilio):
    contact = make_contact()
    day_before, two_hours = _referral(
        contact, "K7P2QSUP1", ("reminder_24h", DAY_BEFORE), ("reminder_2h", TWO_HOURS)
    )
    # The scheduler comes back 3 hours before the appointment: both are due.
    stats = dispatch_pass(now=APPOINTMENT - timedelta(hours=1, minutes=50))
    assert (stats.sent, stats.skipped) == (1, 1)
    assert reload(day_before).status == "skipped"
    assert reload(day_before).error_message == SUPERSEDED
    assert reload(two_hours).status == "sent"
    assert [m.body for m in fake_twilio.messages] == [reload(two_hours).body]
    assert reload(two_hours).body.startswith("Today ")


def test_every_stale_message_of_the_appointment_gives_way_to_the_latest(twilio_app, fake_twilio):
    contact = make_contact()
    rows = _referral(
        contact,
        "K7P2QSUP2",
        ("referral_created", NOW - timedelta(days=2)),
        ("reminder_24h", DAY_BEFORE),
        ("reminder_2h", TWO_HOURS),
    )
    dispatch_pass(now=TWO_HOURS + timedelta(minutes=5))
    assert [reload(row).status for row in rows] == ["skipped", "skipped", "sent"]
    assert len(fake_twilio.messages) == 1


def test_a_reminder_not_yet_due_supersedes_nothing(twilio_app, fake_twilio):
    contact = make_contact()
    day_before, two_hours = _referral(
        contact, "K7P2QSUP3", ("reminder_24h", DAY_BEFORE), ("reminder_2h", TWO_HOURS)
    )
    dispatch_pass(now=DAY_BEFORE + timedelta(minutes=1))
    assert reload(day_before).status == "sent"
    assert reload(two_hours).status == "pending"


def test_other_referrals_and_other_phones_are_not_superseded(twilio_app, fake_twilio):
    first, second = make_contact(), make_contact()
    mine = _referral(first, "K7P2QSUP4", ("reminder_24h", DAY_BEFORE))
    other_referral = _referral(first, "K7P2QSUP5", ("reminder_2h", TWO_HOURS))
    other_phone = make_message(second, "reminder_2h", send_at=TWO_HOURS, code="K7P2QSUP4")
    dispatch_pass(now=TWO_HOURS + timedelta(minutes=1))
    # The first contact's two messages are about two referrals; the second contact shares the
    # subject (a shared code in this test only) but is another phone: each goes.
    assert reload(mine[0]).status == "sent"
    assert reload(other_referral[0]).status == "sent"
    assert reload(other_phone).status == "sent"


def test_a_missed_appointment_message_is_never_superseded(twilio_app, fake_twilio):
    contact = make_contact()
    (missed,) = _referral(
        contact, "K7P2QSUP6", ("missed_appointment", APPOINTMENT + timedelta(hours=25))
    )
    (reminder,) = _referral(contact, "K7P2QSUP6", ("reminder_2h", TWO_HOURS))
    dispatch_pass(now=APPOINTMENT + timedelta(hours=26))
    assert reload(missed).status == "sent"
    assert reload(reminder).error_message == "the appointment time has passed"


def test_the_sms_log_says_why_in_words(app, client, login_as):
    contact = make_contact()
    day_before, _two_hours = _referral(
        contact, "K7P2QSUP7", ("reminder_24h", DAY_BEFORE), ("reminder_2h", TWO_HOURS)
    )
    dispatch_pass(now=TWO_HOURS + timedelta(minutes=1))
    login_as("admin", language="bn")
    html = client.get(f"/admin/sms/{day_before.id}").get_data(as_text=True)
    assert "একই অ্যাপয়েন্টমেন্টের পরের বার্তাটিও তখন যাওয়ার কথা ছিল" in html
    assert ">superseded<" not in html
