"""Request and response models of incidents and help now (CONTRACT.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from clinics.reference import DISTRICTS
from clinics.schemas import Clinic
from core.schemas import Body, DateIn, Id, Out, Paging, Query, text
from safety.models import (
    INCIDENT_STATUSES,
    PERPETRATORS,
    PLACE_TYPES,
    VIOLATIONS,
)
from safety.schemas.crisis_contacts import CrisisContact
from safety.services.incident_fields import CONSENTS, MAX_AREA, MAX_DESCRIPTION

PlaceType = Literal[PLACE_TYPES]  # type: ignore[valid-type]
Perpetrator = Literal[PERPETRATORS]  # type: ignore[valid-type]
Violation = Literal[VIOLATIONS]  # type: ignore[valid-type]
IncidentStatus = Literal[INCIDENT_STATUSES]  # type: ignore[valid-type]
District = Literal[DISTRICTS]  # type: ignore[valid-type]
NEAR_PATTERN = r"^\s*-?[0-9]+(\.[0-9]+)?\s*,\s*-?[0-9]+(\.[0-9]+)?\s*$"


class IncidentConsent(Body):
    """Three separate consents, each asked aloud; each must be sent (none is taken as "no")."""

    advocacy: bool = Field(description="counted in the advocacy evidence")
    alert: bool = Field(description="used for an alert to other members")
    legal: bool = Field(description="shared with a legal partner")

    @model_validator(mode="before")
    @classmethod
    def _each_one_given(cls, data: Any) -> Any:
        if isinstance(data, dict):
            missing = [name for name in CONSENTS if name not in data or data[name] is None]
            if missing:
                raise PydanticCustomError(
                    "consent_missing",
                    "each consent must be true or false; missing: {missing}",
                    {"missing": ", ".join(missing)},
                )
        return data


class IncidentCreate(Body):
    """A new incident, recorded with her consent."""

    member_id: Id | None = Field(default=None, description="optional: she may not be a member")
    occurred_on: DateIn = Field(description="local date, not in the future")
    district: str = text(64, description="an official district name (older spellings accepted)")
    area: str | None = text(MAX_AREA, default=None, description="kept encrypted")
    place_type: PlaceType
    perpetrators: list[Perpetrator] = Field(min_length=1)
    violations: list[Violation] = Field(min_length=1)
    needs_help_now: bool
    description: str | None = text(MAX_DESCRIPTION, default=None, description="kept encrypted")
    consent: IncidentConsent
    peer_educator_id: Id | None = Field(
        default=None, description="admins: the responsible peer educator (else the member's)"
    )

    def data(self) -> dict[str, Any]:
        """The body as record_incident takes it."""
        return self.model_dump()


class Incident(Out):
    """CONTRACT.md's incident object; `area` and `description` only for its peer educator and
    admins."""

    id: Id
    member_id: Id | None
    peer_educator_id: Id | None
    occurred_on: date
    district: District
    place_type: PlaceType
    perpetrators: list[Perpetrator]
    violations: list[Violation]
    needs_help_now: bool
    consent: IncidentConsent
    status: IncidentStatus
    created_at: datetime
    closed_at: datetime | None
    description_erased: bool = Field(description="erased on anonymisation or after 24 months")
    referrals: list[str] = Field(description="codes of the urgent referrals made from it")
    area: str | None = None
    description: str | None = None


class IncidentQuery(Paging):
    """Filters of the incident list."""

    status: IncidentStatus | None = None
    needs_help: bool | None = Field(default=None, description="true: she needs help now")
    member_id: Id | None = None


class HelpQuery(Query):
    """Where she is, when known."""

    near: str | None = Field(
        default=None,
        pattern=NEAR_PATTERN,
        description="lat,lon: places sorted by distance from there, with distance_km",
    )
    district: str | None = text(
        64, default=None, description="another district than the incident's"
    )


class HelpAnswer(Out):
    """Help now: places open now first, then nearest; the crisis contacts of her district."""

    places: list[Clinic]
    contacts: list[CrisisContact]
