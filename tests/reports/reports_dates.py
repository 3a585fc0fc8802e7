"""Local (Dhaka) times for the reports tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

DHAKA = ZoneInfo("Asia/Dhaka")


def dhaka(year: int, month: int, day: int, hh: int = 10, mm: int = 0) -> datetime:
    """An aware local (Dhaka) time."""
    return datetime(year, month, day, hh, mm, tzinfo=DHAKA)
