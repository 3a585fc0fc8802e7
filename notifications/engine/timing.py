"""When a message may go: quiet hours or the member's own contact window (pure functions).

A *window* is the pair of local times (start, end) during which sending is allowed; it may cross
midnight ("20:00"-"06:00"). Quiet hours "21:00-08:00" mean the allowed window 08:00-21:00. A
contact's own window REPLACES the quiet hours (many members work at night). start == end means
any time. Times are handled at minute precision; the clock is always passed in.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

Window = tuple[time, time]
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_RANGE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")


def parse_hhmm(text: str) -> time:
    """'HH:MM' (24 h) to a time; ValueError otherwise."""
    value = (text or "").strip()
    if len(value) == 4 and value[1] == ":":
        value = "0" + value
    match = _HHMM.match(value)
    if not match:
        raise ValueError(f"not a time of day (HH:MM): {text!r}")
    return time(int(match.group(1)), int(match.group(2)))


def parse_range(text: str) -> Window:
    """'HH:MM-HH:MM' to a pair of times; ValueError otherwise."""
    match = _RANGE.match(text or "")
    if not match:
        raise ValueError(f"not a time range (HH:MM-HH:MM): {text!r}")
    return parse_hhmm(match.group(1)), parse_hhmm(match.group(2))


def quiet_to_window(quiet: str) -> Window:
    """Quiet hours 'A-B' (no SMS from A to B) as the allowed window (B, A)."""
    start, end = parse_range(quiet)
    return end, start


def allowed_window(contact: Any, config: dict | Any) -> Window:
    """The contact's own window when she chose one, else the allowed part of QUIET_HOURS."""
    start = getattr(contact, "window_start", None)
    end = getattr(contact, "window_end", None)
    if start and end:
        return parse_hhmm(start), parse_hhmm(end)
    return quiet_to_window(config.get("QUIET_HOURS") or "21:00-08:00")


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def is_allowed(local: datetime, window: Window) -> bool:
    """Whether a local time falls in the window (start inclusive, end exclusive)."""
    start, end = (_minutes(t) for t in window)
    if start == end:
        return True
    m = local.hour * 60 + local.minute
    if start < end:
        return start <= m < end
    return m >= start or m < end  # the window crosses midnight


def _ceil_minute(dt: datetime) -> datetime:
    if dt.second or dt.microsecond:
        return dt.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return dt


def next_allowed(dt: datetime, window: Window, tz: ZoneInfo) -> datetime:
    """The first allowed minute at or after `dt` (aware), returned in UTC."""
    local = _ceil_minute(dt.astimezone(tz))
    if is_allowed(local, window):
        return local.astimezone(UTC)
    start = window[0]
    candidate = local.replace(hour=start.hour, minute=start.minute)
    if candidate <= local:
        candidate = (local + timedelta(days=1)).replace(hour=start.hour, minute=start.minute)
    # Re-anchor in the zone (DST-safe for zones that have it) and return UTC.
    candidate = datetime.combine(candidate.date(), start, tzinfo=tz)
    return candidate.astimezone(UTC)


def last_allowed_before(dt: datetime, window: Window, tz: ZoneInfo) -> datetime | None:
    """The last allowed minute strictly before `dt` (aware), in UTC; None for an empty window."""
    local = dt.astimezone(tz).replace(second=0, microsecond=0)
    if local == dt.astimezone(tz):
        local -= timedelta(minutes=1)
    if is_allowed(local, window):
        return local.astimezone(UTC)
    end = window[1]
    # The window ends at `end` (exclusive), so its last minute is end - 1 minute.
    last_end = datetime.combine(local.date(), end, tzinfo=tz) - timedelta(minutes=1)
    if last_end > local:
        last_end -= timedelta(days=1)
    return last_end.astimezone(UTC)


def plan_send_time(
    desired: datetime, window: Window, tz: ZoneInfo, *, now: datetime, deadline: datetime | None
) -> tuple[datetime | None, str | None]:
    """When a message wanted at `desired` really goes, or (None, reason) when it cannot go in
    time. With a `deadline` (the appointment), a send pushed past it goes at the last allowed
    minute before it instead, and is skipped when that minute has already passed."""
    desired = max(desired, now)
    send_at = next_allowed(desired, window, tz)
    if deadline is None or send_at < deadline:
        return send_at, None
    earlier = last_allowed_before(deadline, window, tz)
    if earlier is None or earlier < now.replace(second=0, microsecond=0):
        return None, "outside the contact window before the appointment"
    return max(earlier, now), None
