"""Weekly opening hours: validation, the CSV form, and "minutes of the week" intervals.

Hours are local times (APP_TIMEZONE) as `{"mon": [["09:00", "17:00"]], ..., "sun": []}`.
`"24:00"` may end an interval; an end earlier than the start runs past midnight into the next
day (Sunday's into Monday's). For SQL, every interval becomes one or two half-open ranges of
minutes counted from Monday 00:00 (0 .. 10080), so "open at T" is `start <= m < end`.
"""

from __future__ import annotations

import re
from datetime import datetime
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from core.errors import ValidationFailed
from core.i18n import N_, Digits, Text

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "mon": N_("Monday"),
    "tue": N_("Tuesday"),
    "wed": N_("Wednesday"),
    "thu": N_("Thursday"),
    "fri": N_("Friday"),
    "sat": N_("Saturday"),
    "sun": N_("Sunday"),
}
DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES
_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")

Hours = dict[str, list[list[str]]]


def _minutes(text: Any, *, is_end: bool) -> int | None:
    """Minutes after midnight of "HH:MM" ("24:00" only as an end), None when malformed."""
    if not isinstance(text, str):
        return None
    match = _TIME.match(text.strip())
    if not match:
        return None
    value = int(match.group(1)) * 60 + int(match.group(2))
    if value > DAY_MINUTES or (value == DAY_MINUTES and not is_end):
        return None
    return value


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def empty_hours() -> Hours:
    """Closed every day."""
    return {day: [] for day in DAYS}


def validate_hours(value: Any, field: str = "hours") -> Hours:
    """The hours in normal form (every day present, intervals sorted), or ValidationFailed."""
    if value is None:
        return empty_hours()
    if not isinstance(value, dict):
        raise ValidationFailed(
            N_("Opening hours must be an object of days."), fields={field: N_("Must be an object.")}
        )
    unknown = [key for key in value if key not in DAYS]
    if unknown:
        raise ValidationFailed(
            N_("Unknown day %(day)r in opening hours."),
            params={"day": unknown[0], "days": ", ".join(DAYS)},
            fields={field: N_("Unknown day %(day)r; use %(days)s.")},
        )
    result = empty_hours()
    for day in DAYS:
        intervals = value.get(day) or []
        if not isinstance(intervals, list):
            raise _bad(field, N_("%(day)s: must be a list of [start, end] pairs."), day=day)
        for pair in intervals:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise _bad(field, N_("%(day)s: each interval is a [start, end] pair."), day=day)
            start = _minutes(pair[0], is_end=False)
            end = _minutes(pair[1], is_end=True)
            if start is None or end is None:
                raise _bad(
                    field,
                    N_("%(day)s: %(start)s-%(end)s is not a valid time (HH:MM)."),
                    day=day,
                    start=Digits(str(pair[0])),
                    end=Digits(str(pair[1])),
                )
            if start == end:
                raise _bad(
                    field,
                    N_("%(day)s: %(start)s-%(end)s is an empty interval."),
                    day=day,
                    start=Digits(str(pair[0])),
                    end=Digits(str(pair[1])),
                )
            result[day].append([_fmt(start), _fmt(end)])
        result[day].sort()
    _check_overlaps(result, field)
    return result


def _day(day: str) -> Text | str:
    """A day's code as its name, in the reader's language where the message is shown."""
    return Text(DAY_NAMES[day]) if day in DAY_NAMES else day


def _bad(field: str, msgid: str, day: str | None = None, **params: object) -> ValidationFailed:
    """A problem with the hours: the field shows it, the message says it is about the hours
    (`day_code` in the parameters names the day it is about, for a form's per-day fields)."""
    problem = Text(msgid, {**params, "day": _day(day)} if day else params)
    return ValidationFailed(
        N_("Opening hours: %(problem)s"),
        params={"problem": problem, "day_code": day},
        fields={field: problem},
    )


def _day_ranges(day_index: int, start: int, end: int) -> list[tuple[int, int]]:
    """One interval as half-open week-minute ranges (split at midnight and at the week's end)."""
    base = day_index * DAY_MINUTES
    if end > start:
        return [(base + start, base + end)]
    ranges = [(base + start, base + DAY_MINUTES)]
    if end > 0:
        next_base = ((day_index + 1) % 7) * DAY_MINUTES
        ranges.append((next_base, next_base + end))
    return ranges


def week_ranges(hours: Hours) -> list[tuple[int, int]]:
    """Every interval of (normalised) hours as sorted week-minute ranges [start, end)."""
    ranges: list[tuple[int, int]] = []
    for index, day in enumerate(DAYS):
        for start_text, end_text in hours.get(day) or []:
            start = _minutes(start_text, is_end=False)
            end = _minutes(end_text, is_end=True)
            if start is None or end is None:
                continue
            ranges.extend(_day_ranges(index, start, end))
    return sorted(ranges)


def _check_overlaps(hours: Hours, field: str) -> None:
    labelled: list[tuple[int, int, str, Text]] = []
    for index, day in enumerate(DAYS):
        for start_text, end_text in hours[day]:
            start = _minutes(start_text, is_end=False)
            end = _minutes(end_text, is_end=True)
            assert start is not None and end is not None
            words = {"day": _day(day), "start": Digits(start_text), "end": Digits(end_text)}
            interval = Text(N_("%(day)s %(start)s-%(end)s"), words)
            for lo, hi in _day_ranges(index, start, end):
                labelled.append((lo, hi, day, interval))
    labelled.sort(key=lambda item: item[:2])
    for (_lo1, hi1, day, first), (lo2, _hi2, _day2, second) in pairwise(labelled):
        if lo2 < hi1:
            msgid = N_("%(first)s overlaps %(second)s.")
            error = _bad(field, msgid, first=first, second=second)
            error.params["day_code"] = day
            raise error


def week_minute(moment: datetime, zone: ZoneInfo) -> int:
    """Minutes since Monday 00:00 local time of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is required")
    local = moment.astimezone(zone)
    return local.weekday() * DAY_MINUTES + local.hour * 60 + local.minute


def open_at(hours: Hours, moment: datetime, zone: ZoneInfo) -> bool:
    """Whether hours include an aware moment (the same rule as the SQL search)."""
    minute = week_minute(moment, zone)
    return any(lo <= minute < hi for lo, hi in week_ranges(hours))


def day_text(intervals: list[list[str]]) -> str:
    """One day's intervals as "09:00-13:00, 14:00-17:00" (empty when closed)."""
    return ", ".join(f"{start}-{end}" for start, end in intervals)


def parse_day_text(text: str, day: str, field: str) -> list[list[str]]:
    """ "09:00-13:00, 14:00-17:00" as intervals; malformed parts raise ValidationFailed."""
    intervals: list[list[str]] = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        start, sep, end = part.partition("-")
        if not sep:
            raise _bad(
                field,
                N_("%(day)s: %(part)r is not START-END (e.g. 09:00-17:00)."),
                day=day,
                part=part,
            )
        intervals.append([start.strip(), end.strip()])
    return intervals


def to_csv(hours: Hours) -> str:
    """Hours in the CSV form `mon=09:00-13:00,14:00-17:00;tue=...` (closed days left out)."""
    parts = []
    for day in DAYS:
        intervals = hours.get(day) or []
        if intervals:
            parts.append(day + "=" + ",".join(f"{s}-{e}" for s, e in intervals))
    return ";".join(parts)


def from_csv(text: str, field: str = "hours") -> Hours:
    """The CSV form of hours, validated (a day left out is closed)."""
    raw: dict[str, list[list[str]]] = {}
    for chunk in (text or "").split(";"):
        chunk = chunk.strip()
        if not chunk:
            continue
        day, sep, rest = chunk.partition("=")
        day = day.strip().lower()
        if not sep:
            raise _bad(field, N_("%(chunk)r is not day=START-END."), chunk=chunk)
        if day not in DAYS:
            raise _bad(
                field, N_("unknown day %(day)r; use %(days)s."), day=day, days=", ".join(DAYS)
            )
        if day in raw:
            raise _bad(field, N_("%(day)s is given twice."), day=day)
        raw[day] = parse_day_text(rest, day, field)
    return validate_hours(raw, field)
