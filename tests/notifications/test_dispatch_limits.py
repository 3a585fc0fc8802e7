"""The dispatcher keeps the daily segment budget and the per-member daily cap."""

from datetime import timedelta

from core.extensions import db
from notifications.engine.dispatch import dispatch_pass
from notifications.engine.limits import local_day_bounds
from notifications.models import OutboxMessage
from tests.support.clock import NOW
from tests.support.factories import make_contact, make_message, statuses


def test_budget_reached_pauses_the_rest_until_tomorrow(twilio_app, fake_twilio):
    twilio_app.config["SMS_DAILY_SEGMENT_BUDGET"] = 3
    twilio_app.config["SMS_MAX_PER_CONTACT_PER_DAY"] = 0
    for _ in range(5):
        make_message(make_contact())
    stats = dispatch_pass(now=NOW)
    assert stats.sent == 3
    assert stats.budget_reached and "budget reached" in stats.line()
    assert len(fake_twilio.messages) == 3
    waiting = db.session.query(OutboxMessage).filter_by(status="pending").all()
    assert len(waiting) == 2
    tomorrow = local_day_bounds(NOW)[1]
    assert all(m.send_at == tomorrow for m in waiting)
    # The next day the budget is fresh.
    assert dispatch_pass(now=tomorrow + timedelta(hours=10)).sent == 2  # 10:00 in Dhaka


def test_member_cap_holds_her_third_message_of_the_day(twilio_app, fake_twilio):
    twilio_app.config["SMS_MAX_PER_CONTACT_PER_DAY"] = 2
    her = make_contact()
    other = make_contact()
    for _ in range(3):
        make_message(her)
    make_message(other)
    stats = dispatch_pass(now=NOW)
    assert stats.sent == 3  # two for her, one for the other member
    assert statuses() == {"sent": 3, "pending": 1}
    assert len([m for m in fake_twilio.messages if m.to == her.phone]) == 2
