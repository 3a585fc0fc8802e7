"""The directory's words for its codes (core.labels): districts in the page's language, services
from the catalogue (each has an English and a Bangla name), friendliness badges, days, statuses."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, g
from flask_babel import lazy_gettext as _l

from clinics.reference import DISTRICT_NAMES_BN, DISTRICTS
from core.labels import register_labels
from core.templating import is_bangla

CLINIC_STATUS_LABELS = {"active": _l("active"), "inactive": _l("inactive")}


def district_name(code: str) -> str | None:
    """A district's name in the page's language (its Bangla name on a Bangla page)."""
    if code not in DISTRICT_NAMES_BN:
        return None
    return DISTRICT_NAMES_BN[code] if is_bangla() else code


def _service_names() -> dict[str, tuple[str, str]]:
    """code → (English, Bangla) of every service, read once per request."""
    names = g.get("harc_service_names")
    if names is None:
        from clinics.models import Service
        from core.extensions import db

        rows = db.session.execute(sa.select(Service.code, Service.name_en, Service.name_bn))
        names = {code: (en, bn) for code, en, bn in rows}
        g.harc_service_names = names
    return names


def service_name(code: str) -> str | None:
    """A service's name in the page's language, from the catalogue (None: not in it)."""
    pair = _service_names().get(code)
    if pair is None:
        return None
    english, bangla = pair
    return (bangla or english) if is_bangla() else english


def district_choices(blank: object = None) -> list[tuple[str, str]]:
    """The 64 districts for a select, named and ordered in the page's language."""
    pairs = sorted(((d, district_name(d) or d) for d in DISTRICTS), key=lambda p: p[1])
    return ([("", str(blank))] if blank is not None else []) + pairs


def register_clinic_labels(app: Flask) -> None:
    """Districts, services, friendliness attributes, days and clinic statuses."""
    from clinics.forms import ATTRIBUTE_LABELS, DAY_LABELS  # the forms name their choices by these

    register_labels(app, "district", district_name)
    register_labels(app, "service", service_name)
    register_labels(app, "attribute", ATTRIBUTE_LABELS)
    register_labels(app, "day", DAY_LABELS)
    register_labels(app, "clinic_status", CLINIC_STATUS_LABELS)
