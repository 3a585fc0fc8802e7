"""Small private helpers over the clinic directory (swap for clinics.services when it lands)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from clinics.models import Clinic, Service
from core.errors import NotFound
from core.extensions import db

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def get_clinic(clinic_id: Any) -> Clinic:
    """An active clinic by id, or NotFound (field `clinic_id`)."""
    clinic = db.session.get(Clinic, clinic_id) if isinstance(clinic_id, int) else None
    if clinic is None or clinic.status != "active":
        raise NotFound("No such clinic.", fields={"clinic_id": "No such clinic."})
    return clinic


def offered(clinic: Clinic) -> set[str]:
    """The service codes a clinic offers."""
    return {s.code for s in clinic.services}


def services_catalogue() -> list[Service]:
    """Active services in display order."""
    return list(
        db.session.scalars(
            sa.select(Service).where(Service.active.is_(True)).order_by(Service.sort_order)
        )
    )


def _t(text: str) -> int:
    if text == "24:00":
        return 24 * 60
    hh, mm = text.split(":")
    return int(hh) * 60 + int(mm)


def is_open_at(clinic: Clinic, when: datetime) -> bool:
    """Whether the clinic is open at an aware time (hours are local; intervals may cross
    midnight and then belong to the day they start on)."""
    zone = ZoneInfo(current_app.config["APP_TIMEZONE"])
    local = when.astimezone(zone)
    minute = local.hour * 60 + local.minute
    hours = clinic.hours or {}
    try:
        for start, end in hours.get(DAYS[local.weekday()], []):
            s, e = _t(start), _t(end)
            if (s < e and s <= minute < e) or (e <= s and minute >= s):
                return True
        yesterday = DAYS[(local - timedelta(days=1)).weekday()]
        for start, end in hours.get(yesterday, []):
            s, e = _t(start), _t(end)
            if e <= s and minute < e:
                return True
    except (ValueError, TypeError, AttributeError):
        return False
    return False


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def find_clinics(
    services: list[str],
    *,
    open_at: datetime | None = None,
    district: str | None = None,
    near: tuple[float, float] | None = None,
) -> list[tuple[Clinic, float | None]]:
    """Active clinics offering every service, open at `open_at`, nearest first (or by name)."""
    query = sa.select(Clinic).where(Clinic.status == "active")
    if district:
        query = query.where(Clinic.district == district)
    result = []
    for clinic in db.session.scalars(query.order_by(Clinic.name)):
        if not set(services) <= offered(clinic):
            continue
        if open_at is not None and not is_open_at(clinic, open_at):
            continue
        dist = None
        if near and clinic.latitude is not None and clinic.longitude is not None:
            dist = round(distance_km(near, (clinic.latitude, clinic.longitude)), 1)
        result.append((clinic, dist))
    if near:
        result.sort(key=lambda pair: (pair[1] is None, pair[1] or 0))
    return result


def districts() -> list[str]:
    """Districts that have an active clinic."""
    return list(
        db.session.scalars(
            sa.select(Clinic.district)
            .where(Clinic.status == "active")
            .distinct()
            .order_by(Clinic.district)
        )
    )


def hours_text(clinic: Clinic) -> list[tuple[str, str]]:
    """(day, "09:00-17:00, ...") pairs for the slip."""
    out = []
    for day in DAYS:
        spans = (clinic.hours or {}).get(day) or []
        out.append((day, ", ".join(f"{s}-{e}" for s, e in spans)))
    return out
