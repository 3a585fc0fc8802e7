"""The clinics package's services: what pages, the API, the CLI and other packages call.

Other packages use: `get_clinic(id)`, `clinic_offers(clinic, codes)`, `is_open_at(clinic,
aware_datetime)`, `search_clinics(...)`, `SERVICE_CODES`, `get_services()`.
"""

from clinics.reference import ATTRIBUTES, DISTRICTS, SERVICE_CODES, normalise_district
from clinics.services.catalogue import (
    create_service,
    ensure_default_services,
    get_services,
    known_service_codes,
    service_to_dict,
    update_service,
)
from clinics.services.directory import (
    app_zone,
    clinic_choices,
    clinic_offers,
    clinic_to_dict,
    create_clinic,
    get_clinic,
    is_open_at,
    set_hours,
    unverified_clinics,
    update_clinic,
    verification_due,
    verify_clinic,
)
from clinics.services.feedback import (
    erase_member_feedback_text,
    feedback_summaries,
    feedback_summary,
    list_feedback,
    record_feedback,
)
from clinics.services.fields import clean_fields
from clinics.services.search import ClinicHit, ClinicPage, parse_search_args, search_clinics

__all__ = [
    "ATTRIBUTES",
    "DISTRICTS",
    "SERVICE_CODES",
    "ClinicHit",
    "ClinicPage",
    "app_zone",
    "clean_fields",
    "clinic_choices",
    "clinic_offers",
    "clinic_to_dict",
    "create_clinic",
    "create_service",
    "ensure_default_services",
    "erase_member_feedback_text",
    "feedback_summaries",
    "feedback_summary",
    "get_clinic",
    "get_services",
    "is_open_at",
    "known_service_codes",
    "list_feedback",
    "normalise_district",
    "parse_search_args",
    "record_feedback",
    "search_clinics",
    "service_to_dict",
    "set_hours",
    "unverified_clinics",
    "update_clinic",
    "update_service",
    "verification_due",
    "verify_clinic",
]
