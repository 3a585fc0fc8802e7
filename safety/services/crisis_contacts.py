"""Crisis contacts: the lawyers, shelters, hotlines and escorts admins keep for help now.

Peer educators and admins read them; only admins add or change them. The phone is shown to
peer educators as a tap-to-call link and never goes into an SMS. A phone is a mobile number
(notifications' rules), a landline (a lawyer's office), or a short code of 3 to 6 digits (national
hotlines such as 109 or 999), stored as E.164 or as the short code's digits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import phonenumbers
import sqlalchemy as sa

from clinics.reference import normalise_district
from core import audit
from core.errors import Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.i18n import N_, Text, as_text
from core.security import ADMIN, PEER_EDUCATOR, Actor
from core.templating import to_latin_digits
from notifications.services import normalise_phone
from safety.models import CRISIS_CONTACT_KINDS, CrisisContact

WRITABLE = ("name", "kind", "phone", "district", "hours", "active")
REQUIRED = ("name", "kind", "phone")
NAME_MIN, NAME_MAX, HOURS_MAX = 2, 120, 120
SHORT_CODE = re.compile(r"[0-9]{3,6}")
_SEPARATORS = re.compile(r"[\s\-().]")


def _require_reader(actor: Actor) -> None:
    if getattr(actor, "role", None) not in (ADMIN, PEER_EDUCATOR):
        raise Forbidden(N_("Your role may not see crisis contacts."))


def _require_admin(actor: Actor) -> None:
    if getattr(actor, "role", None) != ADMIN:
        raise Forbidden(N_("Only admins add or change crisis contacts."))


def contact_phone(raw: object) -> str:
    """A crisis contact's phone: a short code (3–6 digits), else a mobile or landline in E.164;
    ValidationFailed naming `phone` otherwise."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationFailed(N_("A phone number is required."), fields={"phone": N_("Required.")})
    compact = _SEPARATORS.sub("", to_latin_digits(raw.strip()))
    if SHORT_CODE.fullmatch(compact):
        return compact
    try:
        return normalise_phone(raw, "phone")
    except ValidationFailed as refused:
        try:  # not a mobile: a landline can still be called
            number = phonenumbers.parse(compact, "BD")
        except phonenumbers.NumberParseException:
            raise refused from None
        if len(compact) > 32 or not phonenumbers.is_valid_number(number):
            raise
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _text(value: object, key: str, errors: dict, *, low: int, high: int) -> str | None:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[key] = N_("Must be text.")
        return None
    value = " ".join(value.split())
    if low and not value:
        errors[key] = N_("Required.")
    elif len(value) < low:
        errors[key] = Text(N_("At least %(count)s characters."), {"count": low})
    elif len(value) > high:
        errors[key] = Text(N_("At most %(count)s characters."), {"count": high})
    return value or None


def _field(key: str, value: object, errors: dict) -> Any:
    """One field, validated and normalised (None when refused: `errors` says why)."""
    if key == "name":
        return _text(value, key, errors, low=NAME_MIN, high=NAME_MAX)
    if key == "hours":
        return _text(value, key, errors, low=0, high=HOURS_MAX)
    if key == "kind":
        if value not in CRISIS_CONTACT_KINDS:
            errors[key] = N_("Required.") if not value else N_("Not one of the choices.")
        return value
    if key == "active":
        if not isinstance(value, bool):
            errors[key] = N_("Must be true or false.")
        return value
    if key == "district":
        if value is None or value == "":
            return None
        district = normalise_district(value) if isinstance(value, str) else None
        if district is None:
            errors[key] = Text(
                N_("Unknown district %(name)r; use an official name."), {"name": str(value)}
            )
        return district
    try:  # phone
        return contact_phone(value)
    except ValidationFailed as exc:
        errors[key] = exc.field_texts.get("phone") or exc.text
        return None


def clean_contact(data: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """The given fields validated and normalised; ValidationFailed names every bad one."""
    errors: dict[str, str | Text] = {
        key: N_("Not a writable field.") for key in sorted(set(data) - set(WRITABLE) - {"id"})
    }
    given = {key: data[key] for key in WRITABLE if key in data}
    if creating:
        for key in REQUIRED:
            given.setdefault(key, None)
    clean = {key: _field(key, value, errors) for key, value in given.items()}
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(
            N_("%(field)s: %(problem)s"),
            params={"field": first, "problem": as_text(errors[first])},
            fields=errors,
        )
    return clean


def list_contacts(
    actor: Actor, *, district: str | None = None, include_inactive: bool = False
) -> list[CrisisContact]:
    """Crisis contacts by kind, district and name; with `district`, that district's and those
    for every district. Inactive ones are listed to admins only, when asked."""
    _require_reader(actor)
    query = sa.select(CrisisContact)
    if not (include_inactive and actor.role == ADMIN):
        query = query.where(CrisisContact.active.is_(True))
    if district:
        district = clean_contact({"district": district}, creating=False)["district"]
        query = query.where(
            sa.or_(CrisisContact.district == district, CrisisContact.district.is_(None))
        )
    order = {kind: i for i, kind in enumerate(CRISIS_CONTACT_KINDS)}
    rows = db.session.scalars(query).all()
    return sorted(rows, key=lambda c: (order[c.kind], c.district or "", c.name.casefold(), c.id))


def get_contact(contact_id: int, actor: Actor) -> CrisisContact:
    """One crisis contact (peer educators: active ones only), or NotFound."""
    _require_reader(actor)
    contact = db.session.get(CrisisContact, contact_id)
    if contact is None or (not contact.active and actor.role != ADMIN):
        raise NotFound(N_("No such crisis contact."))
    return contact


def create_contact(data: Mapping[str, Any], actor: Actor) -> CrisisContact:
    """Add a crisis contact (admins); audited without its phone."""
    _require_admin(actor)
    clean = clean_contact(data, creating=True)
    clean.setdefault("active", True)
    contact = CrisisContact(**clean, updated_by_id=actor.id)
    db.session.add(contact)
    db.session.flush()
    details = {"kind": contact.kind, "district": contact.district}
    audit.record(actor, "crisis_contact.create", "crisis_contact", contact.id, details)
    return contact


def update_contact(contact_id: int, data: Mapping[str, Any], actor: Actor) -> CrisisContact:
    """Change some fields of a crisis contact (admins); `active: false` takes it off help now.
    Audited with the names of the fields that changed, never their values."""
    _require_admin(actor)
    contact = get_contact(contact_id, actor)
    clean = clean_contact(data, creating=False)
    changed = sorted(key for key, value in clean.items() if getattr(contact, key) != value)
    for key in changed:
        setattr(contact, key, clean[key])
    if changed:
        contact.updated_by_id = actor.id
    db.session.flush()
    audit.record(actor, "crisis_contact.update", "crisis_contact", contact.id, {"fields": changed})
    return contact


def contact_json(contact: CrisisContact) -> dict[str, Any]:
    """CONTRACT.md's crisis contact object (plus `active`)."""
    return {
        "id": contact.id,
        "name": contact.name,
        "kind": contact.kind,
        "phone": contact.phone,
        "district": contact.district,
        "hours": contact.hours,
        "active": contact.active,
    }
