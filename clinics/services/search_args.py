"""Reading the directory search from a query string: the API and the directory page share it."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from core.db import utcnow
from core.errors import BadInput
from core.i18n import N_

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
