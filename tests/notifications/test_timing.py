"""Quiet hours and contact windows (pure functions, the clock passed in)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from notifications.engine import timing

DHAKA = ZoneInfo("Asia/Dhaka")
DAY = timing.quiet_to_window("21:00-08:00")  # allowed 08:00-21:00
NIGHT = (time(20, 0), time(6, 0))  # her own window, across midnight


def at(hh: int, mm: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 12, day, hh, mm, tzinfo=DHAKA)


def test_quiet_hours_become_the_allowed_window():
    assert (time(8, 0), time(21, 0)) == DAY
    assert timing.parse_range(" 9:00 - 17:30 ") == (time(9), time(17, 30))
    with pytest.raises(ValueError):
        timing.parse_range("25:00-08:00")
    with pytest.raises(ValueError):
        timing.parse_hhmm("8h")


def test_allowed_window_prefers_her_own():
    config = {"QUIET_HOURS": "22:00-07:00"}
    assert timing.allowed_window(SimpleNamespace(window_start=None, window_end=None), config) == (
        time(7),
        time(22),
    )
    mine = SimpleNamespace(window_start="20:00", window_end="06:00")
    assert timing.allowed_window(mine, config) == NIGHT


@pytest.mark.parametrize(
    ("local", "window", "expected"),
    [
        (at(10), DAY, True),
        (at(8), DAY, True),
        (at(21), DAY, False),
        (at(7, 59), DAY, False),
        (at(23), NIGHT, True),
        (at(5, 59), NIGHT, True),
        (at(6), NIGHT, False),
        (at(12), NIGHT, False),
        (at(3), (time(0), time(0)), True),
    ],
)
def test_is_allowed(local, window, expected):
    assert timing.is_allowed(local, window) is expected


def test_next_allowed_moves_out_of_quiet_hours():
    assert timing.next_allowed(at(10, 0), DAY, DHAKA) == at(10).astimezone(UTC)
    assert timing.next_allowed(at(22, 30), DAY, DHAKA) == at(8, 0, day=3).astimezone(UTC)
    assert timing.next_allowed(at(6, 15), DAY, DHAKA) == at(8).astimezone(UTC)
    assert timing.next_allowed(at(12), NIGHT, DHAKA) == at(20).astimezone(UTC)
    # Seconds round up to the next whole minute.
    assert timing.next_allowed(at(10) + timedelta(seconds=5), DAY, DHAKA) == at(10, 1).astimezone(
        UTC
    )


def test_last_allowed_before():
    assert timing.last_allowed_before(at(8, 30), DAY, DHAKA) == at(8, 29).astimezone(UTC)
    assert timing.last_allowed_before(at(7, 0), DAY, DHAKA) == at(20, 59, day=1).astimezone(UTC)
    assert timing.last_allowed_before(at(12), NIGHT, DHAKA) == at(5, 59).astimezone(UTC)


def test_plan_send_time_reminder_at_night_moves_to_morning():
    now = at(9, day=1)
    when, reason = timing.plan_send_time(at(6, 30), DAY, DHAKA, now=now, deadline=at(8, 30))
    assert (when, reason) == (at(8).astimezone(UTC), None)


def test_plan_send_time_goes_before_the_appointment_or_is_skipped():
    now = at(9, day=1)
    # Appointment 07:00: the 2 h reminder at 05:00 would move to 08:00, after it: go at 20:59
    # the evening before instead.
    when, _ = timing.plan_send_time(at(5), DAY, DHAKA, now=now, deadline=at(7))
    assert when == at(20, 59, day=1).astimezone(UTC)
    # If that evening minute has passed already, it is skipped with a reason.
    when, reason = timing.plan_send_time(at(5), DAY, DHAKA, now=at(22, day=1), deadline=at(7))
    assert when is None and "before the appointment" in reason


def test_plan_send_time_never_before_now():
    now = at(10, 30)
    when, _ = timing.plan_send_time(at(9), DAY, DHAKA, now=now, deadline=None)
    assert when == now.astimezone(UTC)
