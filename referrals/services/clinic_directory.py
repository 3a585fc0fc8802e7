"""Referrals' adapter to the clinic directory: the few calls it needs, through clinics.services."""

from __future__ import annotations

from datetime import datetime

import clinics.services
from clinics.models import Clinic, Service
from clinics.services import ClinicHit
from core.errors import NotFound
from core.i18n import N_

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def get_clinic(clinic_id: object) -> Clinic:
    """An active clinic by id, or NotFound (field `clinic_id`)."""
    if not isinstance(clinic_id, int) or isinstance(clinic_id, bool):
        raise NotFound(N_("No such clinic."), fields={"clinic_id": N_("No such clinic.")})
    try:
        clinic = clinics.services.get_clinic(clinic_id)
    except NotFound:
        clinic = None
    if clinic is None or clinic.status != "active":
        raise NotFound(N_("No such clinic."), fields={"clinic_id": N_("No such clinic.")})
    return clinic


def offered(clinic: Clinic) -> set[str]:
    """The service codes a clinic offers."""
    return set(clinic.service_codes)


def services_catalogue() -> list[Service]:
    """Active services in display order."""
    return list(clinics.services.get_services())


def is_open_at(clinic: Clinic, when: datetime) -> bool:
    """Whether the clinic is open at an aware time."""
    return clinics.services.is_open_at(clinic, when)


def find_clinics(
    services: list[str],
    *,
    open_at: datetime | None = None,
    district: str | None = None,
    near: tuple[float, float] | None = None,
) -> list[ClinicHit]:
    """Active clinics offering every service and open then, nearest first (ClinicHit items)."""
    page = clinics.services.search_clinics(
        services=services, open_at=open_at, district=district, near=near, per_page=50
    )
    return list(page.items)


def districts() -> list[str]:
    """Every district name (for the step-3 filter)."""
    return list(clinics.services.DISTRICTS)


def hours_text(clinic: Clinic) -> list[tuple[str, str]]:
    """(day's label, "09:00-17:00, ...") pairs for the slip."""
    from clinics.forms import DAY_LABELS

    hours = clinic.hours or {}
    return [
        (str(DAY_LABELS.get(d, d)), ", ".join(f"{s}-{e}" for s, e in hours.get(d) or []))
        for d in DAYS
    ]


def attribute_labels() -> dict:
    """Friendliness badges' labels (free, no ID needed, female provider, ...)."""
    from clinics.forms import ATTRIBUTE_LABELS

    return dict(ATTRIBUTE_LABELS)
