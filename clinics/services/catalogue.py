"""The service catalogue: the seeded codes and the ones admins add."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from clinics.models import Service
from clinics.reference import DEFAULT_SERVICES
from core import audit
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.i18n import N_, Text
from core.security import Actor

_CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


def get_services(include_inactive: bool = False) -> list[Service]:
    """The catalogue in display order (active services only unless asked)."""
    query = sa.select(Service).order_by(Service.sort_order, Service.code)
    if not include_inactive:
        query = query.where(Service.active.is_(True))
    return list(db.session.scalars(query))


def known_service_codes() -> set[str]:
    """Every code in the catalogue, active or not."""
    return set(db.session.scalars(sa.select(Service.code)))


def service_to_dict(service: Service) -> dict[str, Any]:
    """The API's service object."""
    return {"code": service.code, "name_en": service.name_en, "name_bn": service.name_bn}


def ensure_default_services() -> int:
    """Add the default catalogue's missing services; returns how many were added."""
    existing = known_service_codes()
    added = 0
    for order, (code, name_en, name_bn) in enumerate(DEFAULT_SERVICES):
        if code not in existing:
            db.session.add(Service(code=code, name_en=name_en, name_bn=name_bn, sort_order=order))
            added += 1
    db.session.flush()
    return added


def _names(name_en: str, name_bn: str) -> tuple[str, str]:
    name_en, name_bn = (name_en or "").strip(), (name_bn or "").strip()
    fields: dict[str, str | Text] = {}
    for key, value in (("name_en", name_en), ("name_bn", name_bn)):
        if not value:
            fields[key] = N_("Required.")
        elif len(value) > 80:
            fields[key] = Text(N_("At most %(count)s characters."), {"count": 80})
    if fields:
        raise ValidationFailed(N_("The service names are not valid."), fields=fields)
    return name_en, name_bn


def create_service(code: str, name_en: str, name_bn: str, actor: Actor | None) -> Service:
    """Add a service to the catalogue (admins)."""
    code = (code or "").strip().lower()
    if not _CODE.match(code):
        raise ValidationFailed(
            N_("The code is not valid."),
            fields={"code": N_("Lower-case letters, digits and _, 2 to 32 characters.")},
        )
    if db.session.get(Service, code) is not None:
        raise Conflict(
            N_("A service with this code exists."), fields={"code": N_("Already exists.")}
        )
    name_en, name_bn = _names(name_en, name_bn)
    service = Service(code=code, name_en=name_en, name_bn=name_bn, sort_order=100)
    db.session.add(service)
    db.session.flush()
    audit.record(actor, "service.create", "service", code)
    return service


def update_service(
    code: str, name_en: str, name_bn: str, active: bool, actor: Actor | None
) -> Service:
    """Rename a service or switch it off (it stays on clinics that offer it)."""
    service = db.session.get(Service, code)
    if service is None:
        raise NotFound(N_("No such service."))
    service.name_en, service.name_bn = _names(name_en, name_bn)
    service.active = bool(active)
    db.session.flush()
    audit.record(actor, "service.update", "service", code, {"active": service.active})
    return service
