"""Clinics: create and update under the role rules (fields checked by `fields`), verification,
the JSON object."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, has_app_context

from clinics.hours import DAYS, empty_hours, open_at, week_ranges
from clinics.models import Clinic, ClinicHours, Service
from clinics.reference import VERIFY_AFTER_DAYS
from clinics.services.fields import PARTNER_WRITABLE, clean_fields
from core import audit
from core.db import utcnow
from core.errors import Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.i18n import N_
from core.security import ADMIN, CLINIC_PARTNER, Actor


def app_zone() -> ZoneInfo:
    """APP_TIMEZONE (Asia/Dhaka outside an app context)."""
    name = current_app.config["APP_TIMEZONE"] if has_app_context() else "Asia/Dhaka"
    return ZoneInfo(name)


def get_clinic(clinic_id: int) -> Clinic:
    """A clinic by id (active or not), or NotFound."""
    clinic = db.session.get(Clinic, clinic_id)
    if clinic is None:
        raise NotFound(N_("No such clinic."))
    return clinic


def clinic_offers(clinic: Clinic, codes: list[str] | tuple[str, ...] | set[str]) -> bool:
    """Whether the clinic offers every one of these service codes."""
    return set(codes) <= set(clinic.service_codes)


def is_open_at(clinic: Clinic, moment: datetime) -> bool:
    """Whether the clinic is open at an aware moment (its hours are read in APP_TIMEZONE)."""
    return open_at(clinic.hours or {}, moment, app_zone())


def verification_due(clinic: Clinic, now: datetime | None = None) -> bool:
    """Never verified, or last verified more than 180 days ago."""
    now = now or utcnow()
    return clinic.verified_at is None or clinic.verified_at < now - timedelta(
        days=VERIFY_AFTER_DAYS
    )


# --- validation -----------------------------------------------------------------------------


# --- writing ------------------------------------------------------------------------------


def set_hours(clinic: Clinic, hours: dict) -> None:
    """Store normalised hours and rebuild the week-minute ranges the search reads."""
    clinic.hours = hours
    clinic.hour_ranges = [
        ClinicHours(start_minute=lo, end_minute=hi) for lo, hi in week_ranges(hours)
    ]


def apply_fields(clinic: Clinic, clean: dict[str, Any]) -> None:
    for key, value in clean.items():
        if key == "hours":
            set_hours(clinic, value)
        elif key == "services":
            rows = db.session.scalars(sa.select(Service).where(Service.code.in_(value))).all()
            clinic.services = sorted(rows, key=lambda s: s.code)
        elif key == "attributes":
            clinic.attributes = value
        elif key in ("area", "address"):
            setattr(clinic, key, value or "")
        else:
            setattr(clinic, key, value)


def create_clinic(
    data: dict[str, Any], actor: Actor | None, *, now: datetime | None = None, audited: bool = True
) -> Clinic:
    """Create a clinic (admins); the creating admin counts as having verified it."""
    if getattr(actor, "role", ADMIN) != ADMIN:
        raise Forbidden(N_("Only admins add clinics."))
    clean = clean_fields(dict(data), creating=True)
    clinic = Clinic(name=clean["name"], sms_alias=clean["sms_alias"], district=clean["district"])
    clean.setdefault("hours", empty_hours())
    apply_fields(clinic, clean)
    _set_verification(clinic, data, actor, now)
    db.session.add(clinic)
    db.session.flush()
    if audited:
        audit.record(actor, "clinic.create", "clinic", clinic.id)
    return clinic


def _set_verification(
    clinic: Clinic, data: dict, actor: Actor | None, now: datetime | None
) -> None:
    if "verified_at" in data:  # the CSV import restores it exactly (None or an aware time)
        clinic.verified_at = data["verified_at"]
    elif data.get("verified", clinic.id is None):
        clinic.verified_at = now or utcnow()
        clinic.verified_by_id = getattr(actor, "id", None)


def update_clinic(
    clinic_id: int, data: dict[str, Any], actor: Actor, *, now: datetime | None = None
) -> Clinic:
    """Change a clinic: admins any field; a clinic partner only its own clinic's hours and phone
    (another field → Forbidden, another clinic → NotFound)."""
    role = getattr(actor, "role", None)
    if role == CLINIC_PARTNER:
        if actor.clinic_id != clinic_id:
            raise NotFound(N_("No such clinic."))
        others = sorted(set(data) - PARTNER_WRITABLE)
        if others:
            raise Forbidden(
                N_("A clinic partner may change only the hours and the phone."),
                fields={key: N_("Not yours to change.") for key in others},
            )
    elif role != ADMIN:
        raise Forbidden(N_("Your role may not change clinics."))
    clinic = get_clinic(clinic_id)
    clean = clean_fields(dict(data), creating=False)
    alias = clean.get("sms_alias")
    if alias and "name" not in clean and alias.casefold() == clinic.name.casefold():
        raise ValidationFailed(
            N_("sms_alias: Must differ from the clinic's name."),
            fields={"sms_alias": N_("Must differ from the clinic's name.")},
        )
    apply_fields(clinic, clean)
    if role == ADMIN:
        _set_verification(clinic, data, actor, now)
    db.session.flush()
    audit.record(actor, "clinic.update", "clinic", clinic.id, {"fields": sorted(clean)})
    return clinic


def verify_clinic(clinic_id: int, actor: Actor, *, now: datetime | None = None) -> Clinic:
    """Record that an admin checked the entry today."""
    if getattr(actor, "role", None) != ADMIN:
        raise Forbidden(N_("Only admins verify clinics."))
    clinic = get_clinic(clinic_id)
    clinic.verified_at = now or utcnow()
    clinic.verified_by_id = actor.id
    db.session.flush()
    audit.record(actor, "clinic.verify", "clinic", clinic.id)
    return clinic


def unverified_clinics(now: datetime | None = None) -> list[Clinic]:
    """Active clinics never verified or not verified for 180 days, the oldest first."""
    now = now or utcnow()
    limit = now - timedelta(days=VERIFY_AFTER_DAYS)
    query = (
        sa.select(Clinic)
        .where(Clinic.status == "active")
        .where(sa.or_(Clinic.verified_at.is_(None), Clinic.verified_at < limit))
        .order_by(Clinic.verified_at.is_not(None), Clinic.verified_at, Clinic.name)
    )
    return list(db.session.scalars(query))


def clinic_choices() -> list[tuple[int, str]]:
    """Every clinic as (id, name), by name (the choices of a user's clinic)."""
    rows = db.session.execute(sa.select(Clinic.id, Clinic.name).order_by(Clinic.name))
    return [(row.id, row.name) for row in rows]


def clinic_to_dict(
    clinic: Clinic,
    *,
    distance_km: float | None = None,
    feedback: dict | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """CONTRACT.md's clinic object (plus `open_now`, `verification_due`, `feedback`)."""
    from core.api import iso_local

    now = now or utcnow()
    body: dict[str, Any] = {
        "id": clinic.id,
        "name": clinic.name,
        "sms_alias": clinic.sms_alias,
        "district": clinic.district,
        "area": clinic.area or "",
        "address": clinic.address or "",
        "latitude": clinic.latitude,
        "longitude": clinic.longitude,
        "phone": clinic.phone,
        "services": clinic.service_codes,
        "attributes": clinic.attributes,
        "hours": {day: (clinic.hours or {}).get(day, []) for day in DAYS},
        "status": clinic.status,
        "verified_at": iso_local(clinic.verified_at),
        "verification_due": verification_due(clinic, now),
        "open_now": is_open_at(clinic, now),
        "feedback": feedback,
    }
    if distance_km is not None:
        body["distance_km"] = round(distance_km, 2)
    return body
