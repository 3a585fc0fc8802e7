"""An incident's fields as a page or the API sends them, checked one by one: every problem is
named by its field (`consent.advocacy` for one consent), and all of them are raised together."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from clinics.reference import normalise_district
from core.edge import parse_date
from core.errors import ValidationFailed
from core.i18n import N_, Text
from safety.models import PERPETRATORS, PLACE_TYPES, VIOLATIONS

MAX_AREA = 120
MAX_DESCRIPTION = 4000
MAX_AGE_YEARS = 5  # older than this is a typing error, not an incident to record
CONSENTS = ("advocacy", "alert", "legal")

Problems = dict[str, str | Text]


@dataclass(frozen=True)
class IncidentFields:
    """The checked values of a new incident."""

    occurred_on: date
    district: str
    area: str | None
    place_type: str
    perpetrators: list[str]
    violations: list[str]
    needs_help_now: bool
    description: str | None
    consent: dict[str, bool]
    member_id: int | None
    peer_educator_id: int | None


def invalid(problems: Problems) -> ValidationFailed:
    """One refusal naming every field that needs correcting."""
    return ValidationFailed(N_("Some details of the incident need correcting."), fields=problems)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _occurred_on(value: Any, today: date, problems: Problems) -> date | None:
    if value is None or value == "":
        problems["occurred_on"] = N_("Required.")
        return None
    if isinstance(value, str):
        value = parse_date(value, "occurred_on")  # 400 when it is not a date at all
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        problems["occurred_on"] = N_("Not a date (YYYY-MM-DD).")
        return None
    if value > today:
        problems["occurred_on"] = N_("Must be a date, not in the future.")
    elif value < _years_before(today, MAX_AGE_YEARS):
        problems["occurred_on"] = Text(
            N_("More than %(years)s years ago: check the date."), {"years": MAX_AGE_YEARS}
        )
    return value


def _district(value: Any, problems: Problems) -> str | None:
    if value is None or value == "":
        problems["district"] = N_("Required.")
        return None
    name = normalise_district(value) if isinstance(value, str) else None
    if name is None:
        problems["district"] = N_("Unknown district.")
    return name


def _text(value: Any, field: str, limit: int, problems: Problems) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        problems[field] = N_("Must be text.")
        return None
    value = value.strip()
    if len(value) > limit:
        problems[field] = Text(N_("At most %(count)s characters."), {"count": limit})
    return value or None


def _code(value: Any, field: str, codes: tuple[str, ...], problems: Problems) -> str | None:
    if value is None or value == "":
        problems[field] = N_("Required.")
        return None
    if value not in codes:
        problems[field] = N_("Unknown.")
        return None
    return str(value)


def _codes(value: Any, field: str, codes: tuple[str, ...], problems: Problems) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        problems[field] = N_("A list.") if value is not None else N_("Required.")
        return []
    chosen = list(dict.fromkeys(v.strip() for v in value if v.strip()))
    unknown = [v for v in chosen if v not in codes]
    if unknown:
        problems[field] = Text(N_("Unknown: %(codes)s."), {"codes": ", ".join(unknown)})
    elif not chosen:
        problems[field] = N_("Choose at least one.")
    return [code for code in codes if code in chosen]  # the vocabulary's order


def _flag(value: Any, field: str, problems: Problems) -> bool:
    if value is None:
        problems[field] = N_("Required.")
    elif not isinstance(value, bool):
        problems[field] = N_("true or false.")
    return value is True


def _consent(value: Any, problems: Problems) -> dict[str, bool]:
    """The three consents, each asked aloud: a missing one is refused, never taken as "no"."""
    if not isinstance(value, Mapping):
        problems["consent"] = N_("Advocacy, alert and legal: each true or false.")
        return dict.fromkeys(CONSENTS, False)
    return {name: _flag(value.get(name), f"consent.{name}", problems) for name in CONSENTS}


def _id(value: Any, field: str, problems: Problems) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems[field] = N_("Not a valid id.")
        return None
    return value


def clean_incident(data: Mapping[str, Any], *, today: date) -> IncidentFields:
    """The incident's values, or ValidationFailed naming every field that is wrong. `today` is
    the local date (APP_TIMEZONE): an incident cannot have happened after it."""
    problems: Problems = {}
    fields = IncidentFields(
        occurred_on=_occurred_on(data.get("occurred_on"), today, problems) or today,
        district=_district(data.get("district"), problems) or "",
        area=_text(data.get("area"), "area", MAX_AREA, problems),
        place_type=_code(data.get("place_type"), "place_type", PLACE_TYPES, problems) or "",
        perpetrators=_codes(data.get("perpetrators"), "perpetrators", PERPETRATORS, problems),
        violations=_codes(data.get("violations"), "violations", VIOLATIONS, problems),
        needs_help_now=_flag(data.get("needs_help_now"), "needs_help_now", problems),
        description=_text(data.get("description"), "description", MAX_DESCRIPTION, problems),
        consent=_consent(data.get("consent"), problems),
        member_id=_id(data.get("member_id"), "member_id", problems),
        peer_educator_id=_id(data.get("peer_educator_id"), "peer_educator_id", problems),
    )
    if problems:
        raise invalid(problems)
    return fields
