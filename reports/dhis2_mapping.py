"""The DHIS2 mapping in effect: what admins stored on /admin/dhis2 over the config's defaults.

The config (`DHIS2_MAPPING`, a dict or JSON; `DHIS2_ORG_UNIT`) stays the fallback: a stored UID
wins, a blank field on the page falls back to the config. Org units are per clinic and per
district (`orgUnits` in the config: {"districts": {...}, "clinics": {id: uid}}); `DHIS2_ORG_UNIT`,
when set, is the org unit of clinics mapped neither way.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import sqlalchemy as sa
from flask import current_app

from clinics.models import Clinic
from clinics.reference import DISTRICTS, SERVICE_CODES
from core import audit
from core.errors import Forbidden, ValidationFailed
from core.extensions import db
from core.i18n import N_
from core.security import ADMIN, Actor
from reports.dhis2_models import Dhis2Mapping

MEASURES = ("referred", "attended", "linked_to_care")
# DHIS2's UID: 11 characters, a letter first, then letters and digits.
UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")
# Invented placeholders shaped like DHIS2 UIDs: replace them with the instance's own.
DEFAULT_MAPPING: dict[str, Any] = {
    "dataSet": "HARCcasc001",
    "dataElements": {
        "referred": "HARCref0001",
        "attended": "HARCatt0001",
        "linked_to_care": "HARClnk0001",
    },
    # hiv_testing -> HARCcoc0001, hiv_selftest -> HARCcoc0002, ... (the catalogue's order).
    "categoryOptionCombos": {code: f"HARCcoc{n:04d}" for n, code in enumerate(SERVICE_CODES, 1)},
}


def setting(name: str) -> Any:
    """A setting from the app config, else from the environment."""
    value = current_app.config.get(name)
    return value if value is not None else os.environ.get(name)


def configured_mapping() -> dict[str, Any]:
    """The config's DHIS2 mapping over the defaults (a JSON string is accepted too)."""
    configured = setting("DHIS2_MAPPING") or {}
    if isinstance(configured, str):
        configured = json.loads(configured)
    merged = {**DEFAULT_MAPPING, **configured}
    for key in ("dataElements", "categoryOptionCombos"):
        merged[key] = {**DEFAULT_MAPPING[key], **configured.get(key, {})}
    units = configured.get("orgUnits") or {}
    merged["districts"] = dict(units.get("districts") or {})
    merged["clinics"] = {int(k): v for k, v in (units.get("clinics") or {}).items()}
    merged["orgUnit"] = setting("DHIS2_ORG_UNIT") or None
    return merged


_SECTIONS = {
    "data_element": "dataElements",
    "category_option_combo": "categoryOptionCombos",
    "district": "districts",
    "clinic": "clinics",
}


def stored() -> dict[tuple[str, str], str]:
    """The stored UIDs by (kind, key)."""
    rows = db.session.execute(sa.select(Dhis2Mapping.kind, Dhis2Mapping.key, Dhis2Mapping.uid))
    return {(kind, key): uid for kind, key, uid in rows}


def mapping() -> dict[str, Any]:
    """The mapping in effect: the stored UIDs over the config's."""
    merged = configured_mapping()
    for (kind, key), uid in stored().items():
        if kind == "data_set":
            merged["dataSet"] = uid
        elif kind == "clinic":
            merged["clinics"][int(key)] = uid
        elif kind in _SECTIONS:
            merged[_SECTIONS[kind]][key] = uid
    return merged


def valid_keys() -> dict[str, set[str]]:
    """Which keys each kind may have: measures, services, districts, existing clinics."""
    clinic_ids = db.session.scalars(sa.select(Clinic.id)).all()
    return {
        "data_set": {""},
        "data_element": set(MEASURES),
        "category_option_combo": set(SERVICE_CODES) | set(_service_codes()),
        "district": set(DISTRICTS),
        "clinic": {str(i) for i in clinic_ids},
    }


def _service_codes() -> list[str]:
    from clinics.models import Service

    return list(db.session.scalars(sa.select(Service.code)))


def field_name(kind: str, key: str) -> str:
    """The form field (and error key) of one (kind, key)."""
    return kind if kind == "data_set" else f"{kind}__{key}"


def save_mapping(values: dict[tuple[str, str], str], actor: Actor) -> dict[str, int]:
    """Store the admin's UIDs (blank: back to the config); 422 on a malformed UID; audited as
    dhis2.mapping with what changed. Returns the numbers of rows added, changed and removed."""
    if getattr(actor, "role", None) != ADMIN:
        raise Forbidden(N_("Only an admin can change the DHIS2 mapping."))
    allowed = valid_keys()
    errors = {
        field_name(kind, key): N_("A DHIS2 ID is 11 letters and digits, starting with a letter.")
        for (kind, key), uid in values.items()
        if uid.strip() and not UID.match(uid.strip())
    }
    errors |= {
        field_name(kind, key): N_("Not something the mapping knows.")
        for kind, key in values
        if key not in allowed.get(kind, set())
    }
    if errors:
        raise ValidationFailed(N_("Some DHIS2 IDs are not valid."), fields=errors)
    rows = {(r.kind, r.key): r for r in db.session.scalars(sa.select(Dhis2Mapping))}
    changes: list[dict[str, str | None]] = []
    for (kind, key), raw in sorted(values.items()):
        uid, row = raw.strip(), rows.get((kind, key))
        before = row.uid if row else None
        if uid == (before or ""):
            continue
        if not uid and row is not None:
            db.session.delete(row)
        elif row is not None:
            row.uid = uid
        else:
            db.session.add(Dhis2Mapping(kind=kind, key=key, uid=uid))
        changes.append({"kind": kind, "key": key, "from": before, "to": uid or None})
    if changes:
        db.session.flush()
        audit.record(actor, "dhis2.mapping", "dhis2_mapping", None, {"changes": changes})
    return {
        "added": sum(1 for c in changes if c["from"] is None),
        "changed": sum(1 for c in changes if c["from"] and c["to"]),
        "removed": sum(1 for c in changes if c["to"] is None),
    }
