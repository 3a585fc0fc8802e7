"""Helpers of the clinic tests: local times in a fixed week (Monday 30 November 2026, Dhaka)
and points in three district towns. The fixtures are in clinic_fixtures.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

DHAKA = ZoneInfo("Asia/Dhaka")
MONDAY = datetime(2026, 11, 30, tzinfo=DHAKA)
DAY_INDEX = {d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}

# Points in three district towns.
DHAKA_POINT = (23.7806, 90.4070)
CHATTOGRAM_POINT = (22.3419, 91.8132)
SYLHET_POINT = (24.8980, 91.8710)


def local(day: str, hhmm: str, week: int = 0) -> datetime:
    """An aware local time on a day of the fixed week, e.g. local("sat", "01:00")."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    return MONDAY + timedelta(days=DAY_INDEX[day] + 7 * week, hours=hour, minutes=minute)
