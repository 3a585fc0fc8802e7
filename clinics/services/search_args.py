"""The directory search's arguments: read from a query string (the API and the directory page
share one reading) and checked, each problem naming its field."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from clinics.reference import ATTRIBUTES, LAT_MAX, LAT_MIN, LON_MAX, LON_MIN, normalise_district
from core.db import utcnow
from core.errors import BadInput, ValidationFailed
from core.i18n import N_, Text, as_text

MAX_PER_PAGE = 100
MAX_PAGE = 100_000  # far beyond any directory; keeps OFFSET within every database's integer
MAX_WITHIN_KM = 1000.0


def split_values(values: Iterable[str] | str | None) -> list[str]:
    """Values of a repeated or comma-separated parameter, trimmed, without repeats."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in str(value).split(",") if part.strip())
    return list(dict.fromkeys(out))


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

    getlist = args.getlist if hasattr(args, "getlist") else lambda k: split_values(args.get(k))
    kwargs: dict[str, Any] = {
        "services": split_values(getlist("service")),
        "attributes": split_values(getlist("attribute")),
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


def _refuse(errors: dict[str, str | Text]) -> None:
    """Raise ValidationFailed naming every field in `errors` (the first one in the message)."""
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(
            N_("%(field)s: %(problem)s"),
            params={"field": first, "problem": as_text(errors[first])},
            fields=errors,
        )


def check_filters(
    codes: list[str],
    attrs: list[str],
    district: str | None,
    near: tuple[float, float] | None,
    within_km: float | None,
    known: set[str],
) -> str | None:
    """The district's current name; any bad filter raises, naming each (`known`: the catalogue)."""
    errors: dict[str, str | Text] = {}
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
    _refuse(errors)
    return district_name


def check_paging(page: int, per_page: int, open_at: datetime | None) -> None:
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
