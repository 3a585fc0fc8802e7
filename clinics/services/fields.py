"""Clinic fields: which ones may be written (and by whom), and their validation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import phonenumbers

from clinics.hours import validate_hours
from clinics.reference import (
    ATTRIBUTES,
    LAT_MAX,
    LAT_MIN,
    LON_MAX,
    LON_MIN,
    SMS_ALIAS_MAX,
    alias_health_words,
    normalise_district,
)
from core.errors import ValidationFailed
from core.i18n import N_, Text, as_text

# Fields of the clinic object that can be written, and what a clinic partner may write.
WRITABLE = (
    "name",
    "sms_alias",
    "district",
    "area",
    "address",
    "latitude",
    "longitude",
    "phone",
    "services",
    "attributes",
    "hours",
    "status",
)
PARTNER_WRITABLE = frozenset({"hours", "phone"})
REQUIRED_ON_CREATE = ("name", "sms_alias", "district")


def _text(data: dict, key: str, errors: dict, *, max_len: int, required: bool) -> str | None:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[key] = N_("Must be text.")
        return None
    value = " ".join(value.split())
    if required and not value:
        errors[key] = N_("Required.")
    elif len(value) > max_len:
        errors[key] = Text(N_("At most %(count)s characters."), {"count": max_len})
    return value


def _coordinate(value: Any, key: str, low: float, high: float, errors: dict) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors[key] = "Must be a number."
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors[key] = "Must be a number."
        return None
    if not low <= number <= high:
        errors[key] = Text(
            N_("Must be between %(low)s and %(high)s (inside Bangladesh)."),
            {"low": low, "high": high},
        )
        return None
    return round(number, 6)


def normalise_phone(value: object) -> str | None:
    """A clinic's phone in E.164 (Bangladesh by default); ValueError when it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(N_("Must be text."))
    try:
        parsed = phonenumbers.parse(value, "BD")
    except phonenumbers.NumberParseException:
        raise ValueError(N_("Not a phone number.")) from None
    # "Possible" is only a length check: it takes a date such as 2026-02-30 for a Dhaka landline.
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(N_("Not a phone number."))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _codes(value: object, key: str, known: set[str], errors: dict) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        value = [part for part in value.replace(",", ";").split(";")]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors[key] = N_("Must be a list of codes.")
        return None
    codes = sorted({v.strip() for v in value if v.strip()})
    unknown = [c for c in codes if c not in known]
    if unknown:
        errors[key] = Text(N_("Unknown: %(codes)s."), {"codes": ", ".join(unknown)})
        return None
    return codes


def clean_fields(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Validate the given writable fields of a clinic; ValidationFailed names every bad one."""
    from clinics.services.catalogue import known_service_codes

    errors: dict[str, str | Text] = {}
    unknown = sorted(set(data) - set(WRITABLE) - {"id", "verified_at", "verified"})
    if unknown:
        errors.update({key: N_("Not a writable field.") for key in unknown})
    if creating:
        for key in REQUIRED_ON_CREATE:
            data.setdefault(key, None)
    if "verified_at" in data and not isinstance(data["verified_at"], datetime | None):
        errors["verified_at"] = N_("Read-only; send verified: true to mark the entry verified.")
    if "verified" in data and not isinstance(data["verified"], bool):
        errors["verified"] = N_("Must be true or false.")
    clean: dict[str, Any] = {}
    hours_day = None
    if "name" in data:
        clean["name"] = _text(data, "name", errors, max_len=120, required=True)
    if "sms_alias" in data:
        alias = _text(data, "sms_alias", errors, max_len=SMS_ALIAS_MAX, required=True)
        if alias and "sms_alias" not in errors:
            words = alias_health_words(alias)
            if words:
                errors["sms_alias"] = Text(
                    N_("An SMS may show this name: no health words (%(words)s)."),
                    {"words": ", ".join(words)},
                )
            elif alias.casefold() == (clean.get("name") or "").casefold():
                errors["sms_alias"] = N_("Must differ from the clinic's name.")
        clean["sms_alias"] = alias
    if "district" in data:
        raw = data["district"]
        district = normalise_district(raw) if isinstance(raw, str) else None
        if district is None:
            errors["district"] = (
                N_("Required.")
                if not raw
                else Text(N_("Unknown district %(name)r; use an official name."), {"name": raw})
            )
        clean["district"] = district
    for key, max_len in (("area", 80), ("address", 255)):
        if key in data:
            clean[key] = _text(data, key, errors, max_len=max_len, required=False)
    if "latitude" in data:
        clean["latitude"] = _coordinate(data["latitude"], "latitude", LAT_MIN, LAT_MAX, errors)
    if "longitude" in data:
        clean["longitude"] = _coordinate(data["longitude"], "longitude", LON_MIN, LON_MAX, errors)
    half_point = (clean.get("latitude") is None) != (clean.get("longitude") is None)
    coordinate_error = "latitude" in errors or "longitude" in errors
    if half_point and ("latitude" in data or "longitude" in data) and not coordinate_error:
        errors["longitude" if clean.get("latitude") is not None else "latitude"] = N_(
            "Give latitude and longitude together."
        )
    if "phone" in data:
        try:
            clean["phone"] = normalise_phone(data["phone"])
        except ValueError as exc:
            errors["phone"] = str(exc)
    if "services" in data:
        clean["services"] = _codes(data["services"], "services", known_service_codes(), errors)
    if "attributes" in data:
        clean["attributes"] = _codes(data["attributes"], "attributes", set(ATTRIBUTES), errors)
    if "hours" in data:
        try:
            clean["hours"] = validate_hours(data["hours"])
        except ValidationFailed as exc:
            errors.update(exc.field_texts)
            hours_day = exc.params.get("day_code")  # the day the hours' problem is about
    if "status" in data:
        status = data["status"] or "active"
        if status not in ("active", "inactive"):
            errors["status"] = N_("Must be active or inactive.")
        clean["status"] = status
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(
            N_("%(field)s: %(problem)s"),
            params={"field": first, "problem": as_text(errors[first]), "day_code": hours_day},
            fields=errors,
        )
    return clean
