"""Fixed times of the tests and local (Dhaka) time helpers."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.db import utcnow

DHAKA = ZoneInfo("Asia/Dhaka")
# 11:00 in Dhaka on a Tuesday: inside the default allowed hours (08:00-21:00).
NOW = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
APPOINTMENT = NOW + timedelta(days=1)
# A fixed week of local days for the opening-hours tests.
MONDAY = datetime(2026, 11, 30, tzinfo=DHAKA)
DAY_INDEX = {d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}


def local_at(days: int, hh: int = 11, mm: int = 0) -> datetime:
    """A local time `days` from today at hh:mm (aware, Dhaka)."""
    day = utcnow().astimezone(DHAKA).date() + timedelta(days=days)
    return datetime.combine(day, time(hh, mm), tzinfo=DHAKA)


def local(day: str, hhmm: str, week: int = 0) -> datetime:
    """An aware local time on a day of the fixed week, e.g. local("sat", "01:00")."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    return MONDAY + timedelta(days=DAY_INDEX[day] + 7 * week, hours=hour, minutes=minute)


def dhaka(year: int, month: int, day: int, hh: int = 10, mm: int = 0) -> datetime:
    """An aware local (Dhaka) time."""
    return datetime(year, month, day, hh, mm, tzinfo=DHAKA)
