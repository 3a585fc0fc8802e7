"""The directory search: every filter runs in SQL; a page (LIMIT/OFFSET) carries its total."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from clinics import geo
from clinics.hours import week_minute
from clinics.models import Clinic, ClinicFeedback, ClinicHours, Service, clinic_services
from clinics.services.directory import app_zone
from clinics.services.feedback import question_counts, summarise
from clinics.services.search_args import (
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_WITHIN_KM,
    check_filters,
    check_paging,
    parse_search_args,
    split_values,
)
from core.extensions import db

# `near` without a radius: below this many matches every distance is computed; above it,
# boxes of these radii are tried first (see _nearest).
PREFILTER_FROM = 300
PREFILTER_RADII_KM = (10.0, 40.0, 160.0)
Where = Callable[[Any], list[Any]]  # the search's conditions on Clinic or an alias of it
# parse_search_args and MAX_WITHIN_KM live in search_args; clinics.services imports them here.
__all__ = [
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "MAX_WITHIN_KM",
    "ClinicHit",
    "ClinicPage",
    "parse_search_args",
    "search_clinics",
]


def _no_services() -> Any:
    """Leave Clinic.services unloaded: it is set from the row's codes (_hit). Built per query,
    not at import, where naming a relationship would configure the mappers too early."""
    return sa.orm.lazyload(Clinic.services)


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

    Two statements (tests/clinics/test_search_queries.py holds it): the service catalogue, and
    the page with, on each row, the total, the clinic's service codes and its feedback counts."""
    codes, attrs = split_values(services), split_values(attributes)
    catalogue = {s.code: s for s in db.session.scalars(sa.select(Service))}
    district_name = check_filters(codes, attrs, district, near, within_km, set(catalogue))
    check_paging(page, per_page, open_at)
    where = _conditions(codes, attrs, district_name, open_at, q, include_inactive)
    offset = (page - 1) * per_page
    if near is None:
        query = sa.select(Clinic, sa.null().label("distance_km"), _total(where), *_extras())
        query = query.where(*where(Clinic)).order_by(Clinic.name, Clinic.id).options(_no_services())
        rows = list(db.session.execute(query.limit(per_page).offset(offset)).all())
        counted = where
    else:
        rows, counted = _nearest(where, near, within_km, offset, per_page)
    if rows:
        total = rows[0][2]
    elif offset:
        total = _count(counted(Clinic))  # a page past the end
    else:
        total = 0
    items = [_hit(row, catalogue) for row in rows]
    return ClinicPage(items=items, total=total, page=page, per_page=per_page)


def _extras() -> list[Any]:
    """Per row of the page: the clinic's service codes, and its feedback reports and how many
    said "respectful" (correlated subqueries on indexed columns: PostgreSQL computes them for
    the rows returned; SQLite for every row it sorts by distance)."""
    codes = sa.select(sa.func.aggregate_strings(clinic_services.c.service_code, ","))
    codes = codes.where(clinic_services.c.clinic_id == Clinic.id)
    reports = sa.select(sa.func.count()).where(ClinicFeedback.clinic_id == Clinic.id)
    good = sa.select(sa.func.count()).where(
        ClinicFeedback.clinic_id == Clinic.id, ClinicFeedback.respectful.is_(True)
    )
    return [
        codes.scalar_subquery().label("service_codes"),
        reports.scalar_subquery().label("reports"),
        good.scalar_subquery().label("respectful"),
        *question_counts(Clinic.id),
    ]


def _hit(row: Any, catalogue: dict[str, Service]) -> ClinicHit:
    """A result: the clinic with its services set from the row's codes, and its feedback."""
    clinic, distance, _total, codes, reports, respectful, *answers = row
    offered = [catalogue[code] for code in sorted((codes or "").split(",")) if code in catalogue]
    set_committed_value(clinic, "services", offered)
    feedback = summarise(reports, respectful, answers)  # as clinics.services.feedback does
    return ClinicHit(clinic=clinic, distance_km=distance, feedback=feedback)


def _conditions(
    codes: list[str],
    attrs: list[str],
    district_name: str | None,
    open_at: datetime | None,
    q: str | None,
    include_inactive: bool,
) -> Where:
    """The WHERE clauses on a clinic entity (the table, or the alias the count reads):
    services and opening hours as correlated EXISTS on indexed tables."""
    minute = None if open_at is None else week_minute(open_at, app_zone())
    needle = (q or "").strip().lower()

    def where(entity: Any) -> list[Any]:
        return _clauses(entity, codes, attrs, district_name, minute, needle, include_inactive)

    return where


def _clauses(
    entity: Any,  # Clinic, or an alias of it
    codes: list[str],
    attrs: list[str],
    district_name: str | None,
    minute: int | None,
    needle: str,
    include_inactive: bool,
) -> list[Any]:
    conditions: list[Any] = []
    if not include_inactive:
        conditions.append(entity.status == "active")
    for code in codes:
        conditions.append(
            sa.exists().where(
                clinic_services.c.clinic_id == entity.id, clinic_services.c.service_code == code
            )
        )
    if district_name:
        conditions.append(entity.district == district_name)
    for code in attrs:
        conditions.append(getattr(entity, code).is_(True))
    if minute is not None:
        conditions.append(
            sa.exists().where(
                ClinicHours.clinic_id == entity.id,
                ClinicHours.start_minute <= minute,
                ClinicHours.end_minute > minute,
            )
        )
    if needle:
        columns = (entity.name, entity.sms_alias, entity.area, entity.address)
        conditions.append(
            sa.or_(*(sa.func.lower(c).contains(needle, autoescape=True) for c in columns))
        )
    return conditions


def _total(where: Where) -> sa.Label[int]:
    """The number of matches, as a column of the page's own query (one round trip).

    An uncorrelated scalar subquery over an alias, which both databases evaluate once: unlike
    `count(*) OVER ()`, it leaves the page free to stop at LIMIT on the name index."""
    inner = sa.orm.aliased(Clinic, name="matching")
    count = sa.select(sa.func.count()).select_from(inner).where(*where(inner))
    return count.scalar_subquery().label("total")


def _nearest(
    where: Where,
    near: tuple[float, float],
    within_km: float | None,
    offset: int,
    per_page: int,
) -> tuple[list[Any], Where]:
    """A page ordered by distance: rows of (clinic, distance, total), and what was counted.

    With `within_km` the box and the exact distance filter the matches. Without it, when the
    directory is large, growing boxes are tried first: if the clinics within r km fill the page,
    they are exactly the nearest ones (every other clinic is farther than r), so the database
    computes distances for the clinics in the box only, not for the whole directory. Each try
    carries the total of the whole search, so the first box that fills the page is the only
    statement."""
    lat, lon = near
    distance = geo.distance_sql(Clinic.latitude, Clinic.longitude, lat, lon)

    def within(radius: float) -> Where:
        # The box is cheap and uses the position index; the exact distance trims its corners.
        lat_lo, lat_hi, lon_lo, lon_hi = geo.bounding_box(lat, lon, radius)

        def inside(entity: Any) -> list[Any]:
            return [
                *where(entity),
                entity.latitude.between(lat_lo, lat_hi),
                entity.longitude.between(lon_lo, lon_hi),
                geo.distance_sql(entity.latitude, entity.longitude, lat, lon) <= radius,
            ]

        return inside

    def page_within(radius: float | None, total: Any) -> list[Any]:
        clauses = where(Clinic) if radius is None else within(radius)(Clinic)
        query = (
            sa.select(Clinic, distance.label("distance_km"), total, *_extras())
            .where(*clauses)
            .order_by(sa.nulls_last(distance.asc()), Clinic.id)
            .options(_no_services())
        )
        return list(db.session.execute(query.limit(per_page).offset(offset)).all())

    if within_km is not None:
        return page_within(within_km, _total(within(within_km))), within(within_km)
    total: int | None = None

    def counted() -> Any:  # the total is counted once: by the first try, or by a count
        return _total(where) if total is None else sa.literal(total).label("total")

    for radius in PREFILTER_RADII_KM:
        rows = page_within(radius, counted())
        if len(rows) == per_page:
            return rows, where
        if rows:
            total = rows[0][2]
        elif total is None:
            total = _count(where(Clinic))
        if total - offset <= PREFILTER_FROM:
            break  # few enough: compute every distance
    return page_within(None, counted()), where


def _count(conditions: list[Any]) -> int:
    return db.session.scalar(sa.select(sa.func.count(Clinic.id)).where(*conditions)) or 0
