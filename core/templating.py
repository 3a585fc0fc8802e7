"""Jinja helpers shared by every page: dates, times and numbers in the page's language (Bangla
digits and month names on Bangla pages, one unambiguous form on English ones) and words for codes.

English pages read `2 Dec 2026, 10:00` (dates `2 Dec 2026`), never `12/2/26, 10:00 AM`; Bangla
pages read `২ ডিসে ২০২৬, ১০:০০`. Babel's `bn` locale gives Bangla month and day names with Latin
digits, so every Bangla result is transliterated.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from jinja2 import pass_context
from markupsafe import Markup

from core import labels

BANGLA_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
LATIN_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")

# Named formats (CLDR patterns); any other text given to a filter is used as a pattern itself.
DATETIME_FORMATS = {
    "datetime": "d MMM y, HH:mm",
    "short": "d MMM y, HH:mm",
    "medium": "d MMM y, HH:mm",
    "long": "EEEE d MMMM y, HH:mm",
    "day": "EEE d MMM, HH:mm",  # a near appointment: weekday, day, month, time
    "date": "d MMM y",
    "time": "HH:mm",
}
DATE_FORMATS = {"date": "d MMM y", "short": "d MMM y", "medium": "d MMM y", "long": "d MMMM y"}
DISTANCE_UNIT = {"en": "km", "bn": "কিমি"}


def to_bangla_digits(text: str) -> str:
    """Latin digits to Bangla digits (Babel's `bn` locale formats with Latin digits)."""
    return text.translate(BANGLA_DIGITS)


def to_latin_digits(text: str) -> str:
    """Bangla digits to Latin ones (what a person types may hold either)."""
    return text.translate(LATIN_DIGITS)


def is_bangla() -> bool:
    """Whether the page is in Bangla."""
    return str(get_locale()) == "bn"


def in_page_digits(text: object) -> str:
    """`text` with the page's digits (Bangla digits on a Bangla page)."""
    value = "" if text is None else str(text)
    return to_bangla_digits(value) if is_bangla() else value


def localtime(value: datetime | None, fmt: str = "datetime") -> str:
    """A time in the app's time zone: `2 Dec 2026, 10:00` (a named format or a CLDR pattern)."""
    if value is None:
        return ""
    return in_page_digits(format_datetime(value, DATETIME_FORMATS.get(fmt, fmt)))


def localdate(value: date | datetime | None, fmt: str = "date") -> str:
    """A day (a datetime is first moved to the app's time zone): `2 Dec 2026`."""
    if value is None:
        return ""
    return in_page_digits(format_date(value, DATE_FORMATS.get(fmt, fmt)))


def number(value: float | int | None, decimals: int | None = None) -> str:
    """A count or a measure with the page's digits and grouping (`1,234`; `১,২৩৪`); `decimals`
    fixes the digits after the point (`60.0`)."""
    if value is None:
        return ""
    fmt = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    return in_page_digits(format_decimal(value, format=fmt))


def percent(value: float | None, decimals: int = 0, *, fraction: bool = True) -> str:
    """A share as a percentage (`46%`; `৪৬%`): a fraction of one unless `fraction` is False."""
    if value is None:
        return ""
    return number(value * 100 if fraction else value, decimals) + "%"


def distance(km: float | None, decimals: int = 1) -> str:
    """A distance in kilometres (`1.2 km`; `১.২ কিমি`)."""
    if km is None:
        return ""
    return f"{number(km, decimals)} {DISTANCE_UNIT['bn' if is_bangla() else 'en']}"


def identifier(value: object) -> Markup:
    """An identifier kept in Latin letters and digits on every page (a code, a masked phone)."""
    return Markup('<span class="ident" lang="en" translate="no">%s</span>') % (value or "")


FILTERS: dict[str, Any] = {
    "localtime": localtime,
    "localdate": localdate,
    "number": number,
    "percent": percent,
    "distance": distance,
    "digits": in_page_digits,
    "ident": identifier,
    "label": lambda code, kind: labels.label(kind, code),
    "labels": labels.labels,
}


def per_request(func: Any) -> Any:
    """A filter Jinja may not fold into a constant when it compiles a template: its result
    depends on the request's language (`"2/3"|digits` would keep the first page's digits)."""

    @pass_context
    def run(_context: Any, *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    run.__doc__ = func.__doc__
    return run


def register_template_helpers(app: Flask) -> None:
    """The filters above, and the globals `label(kind, code)` and `choices(kind)`."""
    for name, func in FILTERS.items():
        app.add_template_filter(per_request(func), name)
    app.add_template_global(labels.label, "label")
    app.add_template_global(labels.choices, "choices")
