"""The daily segment budget and the per-member cap, counted over local (Dhaka) days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from notifications.engine import limits
from tests.support.clock import NOW
from tests.support.factories import make_contact, make_message

# Dhaka is UTC+6: the local day of NOW (11:00 on 1 December) runs 18:00 UTC to 18:00 UTC.
DAY_START = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
DAY_END = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def test_the_local_day(app):
    assert limits.local_day_bounds(NOW) == (DAY_START, DAY_END)
    assert limits.local_day_bounds(DAY_END)[0] == DAY_END


def test_daily_segments_count_what_was_sent_or_is_in_flight(app):
    contact = make_contact()
    make_message(contact, status="sent", segments=2)
    make_message(contact, status="delivered", segments=1)
    make_message(contact, status="failed", segments=1)  # accepted, then failed: paid for
    make_message(contact, status="sending", segments=3, updated_at=NOW)  # claimed now
    make_message(contact, status="pending", segments=None)
    make_message(contact, status="cancelled")
    make_message(contact, status="delivered", segments=4, sent_at=DAY_START - timedelta(minutes=1))
    make_message(contact, status="sent", segments=5, sent_at=DAY_END)  # the next local day
    assert limits.daily_segments_used(DAY_START, DAY_END) == 2 + 1 + 1 + 3


def test_the_budget(app):
    contact = make_contact()
    assert limits.budget_allows(10_000, NOW)  # no budget configured: unlimited
    app.config["SMS_DAILY_SEGMENT_BUDGET"] = 5
    make_message(contact, status="delivered", segments=4)
    assert limits.budget_allows(1, NOW)
    assert not limits.budget_allows(2, NOW)
    # Tomorrow (local) starts afresh.
    assert limits.budget_allows(5, DAY_END + timedelta(minutes=1))
    app.config["SMS_DAILY_SEGMENT_BUDGET"] = "0"
    assert limits.budget_allows(10_000, NOW)


def test_the_member_cap(app):
    contact, other = make_contact(), make_contact()
    make_message(contact, status="delivered")
    make_message(contact, status="sent")
    make_message(contact, status="failed")  # never reached her: not counted
    make_message(contact, status="pending")
    # Sent at 23:59 local the day before: yesterday's.
    make_message(contact, status="delivered", sent_at=DAY_START - timedelta(minutes=1))
    make_message(other, status="delivered")
    assert limits.member_cap_allows(contact.id, NOW)  # 2 of 3
    claimed = make_message(contact, status="sending", updated_at=NOW)
    assert not limits.member_cap_allows(contact.id, NOW)
    # The message being decided does not count against itself.
    assert limits.member_cap_allows(contact.id, NOW, exclude_id=claimed.id)
    assert limits.member_cap_allows(contact.id, DAY_END + timedelta(hours=1))
    assert limits.member_cap_allows(other.id, NOW)


@pytest.mark.parametrize(("cap", "allowed"), [(1, False), (2, True), (0, True)])
def test_the_member_cap_is_configurable(app, cap, allowed):
    contact = make_contact()
    make_message(contact, status="delivered")
    app.config["SMS_MAX_PER_CONTACT_PER_DAY"] = cap
    assert limits.member_cap_allows(contact.id, NOW) is allowed
