"""The directory search: every filter runs in SQL, pages with LIMIT/OFFSET and a total count."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
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
from core.db import utcnow
from core.errors import BadInput, ValidationFailed
from core.extensions import db
from core.i18n import N_, Text, as_text

MAX_PER_PAGE = 100
MAX_PAGE = 100_000  # far beyond any directory; keeps OFFSET within every database's integer
MAX_WITHIN_KM = 1000.0
# `near` without a radius: below this many matches every distance is computed; above it,
# boxes of these radii are tried first (see _nearest).
PREFILTER_FROM = 300
PREFILTER_RADII_KM = (10.0, 40.0, 160.0)


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


def _list(values: Iterable[str] | str | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in str(value).split(",") if part.strip())
    return list(dict.fromkeys(out))


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
    the field named (`service`, `district`, `attribute`, `open_at`, `near`, `per_page`...)."""
    codes, attrs = _list(services), _list(attributes)
    errors: dict[str, str | Text] = {}
    known = known_service_codes() if codes else set()
    unknown = [c for c in codes if c not in known]
    if unknown:
        errors["service"] = Text(N_("Unknown service: %(codes)s."), {"codes": ", ".join(unknown)})
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
        first = next(iter(errors))
        raise ValidationFailed(
            N_("%(field)s: %(problem)s"),
            params={"field": first, "problem": as_text(errors[first])},
            fields=errors,
        )
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
        conditions.append(
            sa.or_(
                *(
                    sa.func.lower(column).contains(needle, autoescape=True)
                    for column in (Clinic.name, Clinic.sms_alias, Clinic.area, Clinic.address)
                )
            )
        )

    offset = (page - 1) * per_page
    if near is None:
        total = _count(conditions)
        query = sa.select(Clinic, sa.null().label("distance_km")).where(*conditions)
        query = query.order_by(Clinic.name, Clinic.id)
        rows = db.session.execute(query.limit(per_page).offset(offset)).all()
    else:
        rows, total = _nearest(conditions, near, within_km, offset, per_page)
    summaries = feedback_summaries([row[0].id for row in rows])
    items = [
        ClinicHit(clinic=row[0], distance_km=row[1], feedback=summaries.get(row[0].id))
        for row in rows
    ]
    return ClinicPage(items=items, total=total, page=page, per_page=per_page)


def _nearest(
    conditions: list[Any],
    near: tuple[float, float],
    within_km: float | None,
    offset: int,
    per_page: int,
) -> tuple[list[Any], int]:
    """A page ordered by distance, and the total.

    With `within_km` the box and the exact distance filter the matches. Without it, when many
    clinics match, growing boxes are tried first: if the clinics within r km fill the page,
    they are exactly the nearest ones (every other clinic is farther than r), so the database
    computes distances for the clinics in the box only, not for the whole directory."""
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

    def page_within(radius: float | None) -> list[Any]:
        # Ids and distances only: a box that does not fill the page costs no entity loading.
        where = list(conditions) if radius is None else [*conditions, *within(radius)]
        query = (
            sa.select(Clinic.id, distance.label("distance_km"))
            .where(*where)
            .order_by(sa.nulls_last(distance.asc()), Clinic.id)
        )
        return list(db.session.execute(query.limit(per_page).offset(offset)).all())

    def loaded(rows: list[Any]) -> list[Any]:
        ids = [row[0] for row in rows]
        clinics = {c.id: c for c in db.session.scalars(sa.select(Clinic).where(Clinic.id.in_(ids)))}
        return [(clinics[row[0]], row[1]) for row in rows]

    if within_km is not None:
        return loaded(page_within(within_km)), _count([*conditions, *within(within_km)])
    total = _count(conditions)
    if total - offset > PREFILTER_FROM:
        for radius in PREFILTER_RADII_KM:
            rows = page_within(radius)
            if len(rows) == per_page:
                return loaded(rows), total
    return loaded(page_within(None)), total


def _count(conditions: list[Any]) -> int:
    return db.session.scalar(sa.select(sa.func.count(Clinic.id)).where(*conditions)) or 0


# --- query strings (the API and the directory page share one reading) ----------------------


def _int(args: Mapping, name: str, default: int) -> int:
    raw = args.get(name)
    if raw is None or str(raw).strip() == "":
        return default
    try:
        return int(str(raw).strip())
    except ValueError:
        raise BadInput(
            N_("%(name)s must be a whole number."),
            params={"name": name},
            fields={name: N_("Not a number.")},
        ) from None


def _point(text: str, name: str) -> tuple[float, float]:
    parts = [p.strip() for p in text.split(",")]
    try:
        if len(parts) != 2:
            raise ValueError
        lat, lon = float(parts[0]), float(parts[1])
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise ValueError
    except ValueError:
        raise BadInput(
            N_("%(name)s must be 'latitude,longitude' in decimal degrees, e.g. 23.81,90.41."),
            params={"name": name},
            fields={name: N_("Not a point (latitude,longitude).")},
        ) from None
    return lat, lon


def parse_search_args(args: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """The keyword arguments of `search_clinics` from a query string (a MultiDict): malformed
    values are BadInput (400) naming the parameter; unknown values are left to the search."""
    from core.api import parse_datetime

    getlist = args.getlist if hasattr(args, "getlist") else lambda k: _list(args.get(k))
    kwargs: dict[str, Any] = {
        "services": _list(getlist("service")),
        "attributes": _list(getlist("attribute")),
        "district": (args.get("district") or "").strip() or None,
        "q": (args.get("q") or "").strip() or None,
        "page": _int(args, "page", 1),
        "per_page": _int(args, "per_page", 20),
    }
    open_now = (args.get("open_now") or "").strip().lower()
    if open_now not in ("", "true", "false", "1", "0", "on", "yes", "no", "y"):
        raise BadInput(
            N_("open_now must be true or false."), fields={"open_now": N_("Not true/false.")}
        )
    open_at_text = (args.get("open_at") or "").strip()
    if open_at_text:
        kwargs["open_at"] = parse_datetime(open_at_text, "open_at")
    elif open_now in ("true", "1", "on", "yes", "y"):
        kwargs["open_at"] = now or utcnow()
    near_text = (args.get("near") or "").strip()
    lat_text, lon_text = (args.get("lat") or "").strip(), (args.get("lon") or "").strip()
    if near_text:
        kwargs["near"] = _point(near_text, "near")
    elif lat_text or lon_text:
        kwargs["near"] = _point(f"{lat_text},{lon_text}", "near")
    within = (args.get("within_km") or "").strip()
    if within:
        try:
            value = float(within)
            if not 0 < value <= MAX_WITHIN_KM:
                raise ValueError
        except ValueError:
            raise BadInput(
                N_("within_km must be a number of kilometres up to %(max)s."),
                params={"max": MAX_WITHIN_KM},
                fields={"within_km": N_("Not a distance.")},
            ) from None
        kwargs["within_km"] = value
    return kwargs
