"""Request and response models of the crisis contacts API."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from core.schemas import Body, Id, Out, Paging, text
from safety.models import CRISIS_CONTACT_KINDS

CrisisContactKind = Literal[CRISIS_CONTACT_KINDS]  # type: ignore[valid-type]
PHONE_HELP = (
    "A mobile or landline number (stored as E.164, Bangladesh by default) or a short code of 3 "
    "to 6 digits such as 109 or 999."
)
DISTRICT_HELP = (
    "An official district name (older spellings accepted); absent or null: every district."
)


class CrisisContact(Out):
    """CONTRACT.md's crisis contact object (plus `active`)."""

    id: Id
    name: str
    kind: CrisisContactKind
    phone: str = Field(description=PHONE_HELP)
    district: str | None = Field(description="null: every district")
    hours: str | None = Field(description='as people say it, e.g. "24 hours"')
    active: bool


class CrisisContactChange(Body):
    """Fields of a crisis contact to change (admins); `active: false` takes it off help now."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = text(120, default=None, description="2 to 120 characters")
    kind: CrisisContactKind | None = None
    phone: str | None = text(32, default=None, description=PHONE_HELP)
    district: str | None = text(32, default=None, description=DISTRICT_HELP)
    hours: str | None = text(120, default=None)
    active: bool | None = None


class CrisisContactCreate(CrisisContactChange):
    """A new crisis contact (admins): name, kind and phone at least."""

    name: str = text(120, description="2 to 120 characters")
    kind: CrisisContactKind
    phone: str = text(32, description=PHONE_HELP)


class CrisisContactQuery(Paging):
    """Filters of the crisis contact list."""

    district: str | None = text(
        32, default=None, description="that district's contacts and those for every district"
    )
    include_inactive: bool | None = Field(
        default=None, description="admins: list inactive ones too"
    )
