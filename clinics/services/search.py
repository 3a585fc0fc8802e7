"""The directory search: every filter runs in SQL, pages with LIMIT/OFFSET and a total count."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from clinics import geo
from clinics.hours import week_minute
from clinics.models import Clinic, ClinicHours, clinic_services
from clinics.reference import ATTRIBUTES, LAT_MAX, LAT_MIN, LON_MAX, LON_MIN, normalise_district
from clinics.services.catalogue import known_service_codes
from clinics.services.directory import app_zone
from clinics.services.feedback import feedback_summaries
from clinics.services.search_args import MAX_WITHIN_KM, parse_search_args, split_values
from core.errors import BadInput, ValidationFailed
from core.extensions import db
from core.i18n import N_, Text, as_text

MAX_PER_PAGE = 100
MAX_PAGE = 100_000  # far beyond any directory; keeps OFFSET within every database's integer
# `near` without a radius: below this many matches every distance is computed; above it,
# boxes of these radii are tried first (see _nearest).
PREFILTER_FROM = 300
PREFILTER_RADII_KM = (10.0, 40.0, 160.0)
# parse_search_args and MAX_WITHIN_KM live in search_args; clinics.services imports them here.
__all__ = ["MAX_WITHIN_KM", "ClinicHit", "ClinicPage", "parse_search_args", "search_clinics"]


@dataclass
class ClinicHit:
    """One search result: the clinic, its distance when a point was given, its feedback."""

    clinic: Clinic
    distance_km: float | None = None
    feedback: dict | None = None


@dataclass
class ClinicPage:
    """A page of results and the total number of matches."""

    items: list[ClinicHit]
    total: int
    page: int
    per_page: int
    query: dict[str, Any] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        """How many pages the matches fill."""
        return max(1, math.ceil(self.total / self.per_page))


def search_clinics(
    *,
    services: Iterable[str] | str | None = None,
    district: str | None = None,
    attributes: Iterable[str] | str | None = None,
    open_at: datetime | None = None,
    near: tuple[float, float] | None = None,
    within_km: float | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = 20,
    include_inactive: bool = False,
) -> ClinicPage:
    """Active clinics offering every service in `services`, in `district`, with every attribute,
    open at `open_at` (aware), matching text `q`; sorted by distance from `near` (lat, lon) —
    within `within_km` if given — else by name. Bad values raise BadInput/ValidationFailed with
    the field named (`service`, `district`, `attribute`, `open_at`, `near`, `per_page`...).

    Three statements (tests/clinics/test_search_queries.py holds it): the page with the total
    beside it, the page's services, their feedback. The catalogue is read only when nothing
    matched, to tell an unknown service code from a search without results."""
    codes, attrs = split_values(services), split_values(attributes)
    district_name = _check_filters(codes, attrs, district, near, within_km)
    _check_paging(page, per_page, open_at)
    conditions = _conditions(codes, attrs, district_name, open_at, q, include_inactive)
    offset = (page - 1) * per_page
    if near is None:
        query = sa.select(Clinic, sa.null().label("distance_km"), _total(conditions))
        query = query.where(*conditions).order_by(Clinic.name, Clinic.id)
        rows = list(db.session.execute(query.limit(per_page).offset(offset)).all())
        counted = conditions
    else:
        rows, counted = _nearest(conditions, near, within_km, offset, per_page)
    if rows:
        total = rows[0][2]
    else:
        if codes:
            _check_services(codes, {})  # an unknown code matches nothing: say which
        total = 0 if offset == 0 else _count(counted)
    summaries = feedback_summaries([row[0].id for row in rows])
    items = [
        ClinicHit(clinic=row[0], distance_km=row[1], feedback=summaries.get(row[0].id))
        for row in rows
    ]
    return ClinicPage(items=items, total=total, page=page, per_page=per_page)


def _check_services(codes: list[str], others: dict[str, str | Text]) -> None:
    """Raise ValidationFailed for unknown service codes and the other fields' problems."""
    known = known_service_codes()
    unknown = [c for c in codes if c not in known]
    errors: dict[str, str | Text] = {}
    if unknown:
        errors["service"] = Text(N_("Unknown service: %(codes)s."), {"codes": ", ".join(unknown)})
    errors.update(others)
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(
            N_("%(field)s: %(problem)s"),
            params={"field": first, "problem": as_text(errors[first])},
            fields=errors,
        )


def _check_filters(
    codes: list[str],
    attrs: list[str],
    district: str | None,
    near: tuple[float, float] | None,
    within_km: float | None,
) -> str | None:
    """The district's current name; every bad filter raises (services checked then too)."""
    errors: dict[str, str | Text] = {}
    bad_attrs = [a for a in attrs if a not in ATTRIBUTES]
    if bad_attrs:
        errors["attribute"] = Text(
            N_("Unknown attribute: %(codes)s."), {"codes": ", ".join(bad_attrs)}
        )
    district_name = None
    if district:
        district_name = normalise_district(district)
        if district_name is None:
            errors["district"] = Text(N_("Unknown district %(name)r."), {"name": district})
    if near is not None:
        lat, lon = near
        if not (LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX):
            bounds = {
                "lat_min": LAT_MIN,
                "lat_max": LAT_MAX,
                "lon_min": LON_MIN,
                "lon_max": LON_MAX,
            }
            msgid = N_(
                "The point must be inside Bangladesh (latitude %(lat_min)s..%(lat_max)s, "
                "longitude %(lon_min)s..%(lon_max)s)."
            )
            errors["near"] = Text(msgid, bounds)
    if within_km is not None and near is None:
        errors["within_km"] = N_("Needs near=lat,lon.")
    if errors:
        _check_services(codes, errors)
    return district_name


def _check_paging(page: int, per_page: int, open_at: datetime | None) -> None:
    """Page and page size within bounds; `open_at` aware."""
    if not 1 <= page <= MAX_PAGE:
        raise BadInput(
            N_("page must be between 1 and %(max)s."),
            params={"max": MAX_PAGE},
            fields={"page": N_("Must be between 1 and %(max)s.")},
        )
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise BadInput(
            N_("per_page must be between 1 and %(max)s."),
            params={"max": MAX_PER_PAGE},
            fields={"per_page": N_("Must be between 1 and %(max)s.")},
        )
    if open_at is not None and open_at.tzinfo is None:
        raise BadInput(
            N_("open_at needs a time zone."), fields={"open_at": N_("Not an aware time.")}
        )


def _conditions(
    codes: list[str],
    attrs: list[str],
    district_name: str | None,
    open_at: datetime | None,
    q: str | None,
    include_inactive: bool,
) -> list[Any]:
    """The WHERE clauses: services and opening hours as correlated EXISTS on indexed tables."""
    conditions: list[Any] = []
    if not include_inactive:
        conditions.append(Clinic.status == "active")
    for code in codes:
        conditions.append(
            sa.exists().where(
                clinic_services.c.clinic_id == Clinic.id, clinic_services.c.service_code == code
            )
        )
    if district_name:
        conditions.append(Clinic.district == district_name)
    for code in attrs:
        conditions.append(getattr(Clinic, code).is_(True))
    if open_at is not None:
        minute = week_minute(open_at, app_zone())
        conditions.append(
            sa.exists().where(
                ClinicHours.clinic_id == Clinic.id,
                ClinicHours.start_minute <= minute,
                ClinicHours.end_minute > minute,
            )
        )
    if q and q.strip():
        needle = q.strip().lower()
        columns = (Clinic.name, Clinic.sms_alias, Clinic.area, Clinic.address)
        conditions.append(
            sa.or_(*(sa.func.lower(c).contains(needle, autoescape=True) for c in columns))
        )
    return conditions


def _total(conditions: list[Any]) -> sa.Label[int]:
    """The number of matches, as a column of the page's own query (one round trip).

    An uncorrelated scalar subquery, which both databases evaluate once: unlike
    `count(*) OVER ()`, it leaves the page free to stop at LIMIT on the name index."""
    inner = sa.orm.aliased(Clinic, name="matching")
    count = (
        sa.select(sa.func.count())
        .select_from(inner)
        .where(*[_retarget(c, inner) for c in conditions])
    )
    return count.scalar_subquery().label("total")


def _retarget(condition: Any, inner: Any) -> Any:
    """A condition on `clinics` rewritten onto the alias the count reads."""
    from sqlalchemy.sql.util import ClauseAdapter

    return ClauseAdapter(sa.inspect(inner).selectable).traverse(condition)


def _nearest(
    conditions: list[Any],
    near: tuple[float, float],
    within_km: float | None,
    offset: int,
    per_page: int,
) -> tuple[list[Any], list[Any]]:
    """A page ordered by distance: rows of (clinic, distance, total), and what was counted.

    With `within_km` the box and the exact distance filter the matches. Without it, when the
    directory is large, growing boxes are tried first: if the clinics within r km fill the page,
    they are exactly the nearest ones (every other clinic is farther than r), so the database
    computes distances for the clinics in the box only, not for the whole directory. Each try
    carries the total of the whole search, so the first box that fills the page is the only
    statement."""
    lat, lon = near
    distance = geo.distance_sql(Clinic.latitude, Clinic.longitude, lat, lon)

    def within(radius: float) -> list[Any]:
        # The box is cheap and uses the position index; the exact distance trims its corners.
        lat_lo, lat_hi, lon_lo, lon_hi = geo.bounding_box(lat, lon, radius)
        return [
            Clinic.latitude.between(lat_lo, lat_hi),
            Clinic.longitude.between(lon_lo, lon_hi),
            distance <= radius,
        ]

    def page_within(radius: float | None, counted: list[Any]) -> list[Any]:
        where = list(conditions) if radius is None else [*conditions, *within(radius)]
        query = (
            sa.select(Clinic, distance.label("distance_km"), _total(counted))
            .where(*where)
            .order_by(sa.nulls_last(distance.asc()), Clinic.id)
        )
        return list(db.session.execute(query.limit(per_page).offset(offset)).all())

    if within_km is not None:
        counted = [*conditions, *within(within_km)]
        return page_within(within_km, counted), counted
    total = None
    for radius in PREFILTER_RADII_KM:
        rows = page_within(radius, conditions)
        if len(rows) == per_page:
            return rows, conditions
        if rows:
            total = rows[0][2]
        elif total is None:
            total = _count(conditions)
        if total - offset <= PREFILTER_FROM:
            break  # few enough: compute every distance
    return page_within(None, conditions), conditions


def _count(conditions: list[Any]) -> int:
    return db.session.scalar(sa.select(sa.func.count(Clinic.id)).where(*conditions)) or 0
