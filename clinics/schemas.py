"""Request and response models of the clinics API (parsing and the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from clinics.reference import ATTRIBUTES, DISTRICTS, LAT_MAX, LAT_MIN, LON_MAX, LON_MIN
from core.schemas import Body, DateIn, Id, Out, Paging, text

Attribute = Literal[ATTRIBUTES]  # type: ignore[valid-type]
District = Literal[DISTRICTS]  # type: ignore[valid-type]
ServiceCode = Annotated[str, Field(max_length=32)]
Time = Annotated[str, Field(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
Interval = Annotated[list[Time], Field(min_length=2, max_length=2)]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
HOURS_HELP = (
    'Local times per day, e.g. {"mon": [["09:00", "17:00"]], "fri": [["20:00", "02:00"]]}; '
    '"24:00" may end an interval; an end before the start runs past midnight; a day left '
    "out is closed; empty or overlapping intervals are invalid."
)
Share = Annotated[float, Field(ge=0, le=1)] | None
Answer = bool | None
DISTRICT_HELP = "An official district name; older spellings (Chittagong, Comilla…) are accepted."


class Service(Out):
    """One service of the catalogue."""

    code: ServiceCode
    name_en: str
    name_bn: str


class ServiceCreate(Body):
    """A new service (admins)."""

    code: str = text(32, description="lower-case letters, digits and _, 2 to 32 characters")
    name_en: str = text(80)
    name_bn: str = text(80)


class Feedback(Out):
    """Shown from 5 reports: how many, and the share that found the staff respectful."""

    count: int = Field(ge=5)
    respectful_share: float = Field(ge=0, le=1)
    asked_for_id_share: Share = Field(
        default=None, description="of the reports that asked; null below 5 of them"
    )
    charged_share: Share = Field(default=None, description="asked to pay; as above")
    kept_private_share: Share = Field(default=None, description="kept private; as above")


class Clinic(Out):
    """CONTRACT.md's clinic object."""

    id: Id
    name: str = text(120)
    sms_alias: str = text(20, description="The only name an SMS may use; no health words.")
    district: District
    area: str
    address: str
    latitude: float | None = Field(ge=LAT_MIN, le=LAT_MAX)
    longitude: float | None = Field(ge=LON_MIN, le=LON_MAX)
    phone: str | None
    services: list[ServiceCode]
    attributes: list[Attribute]
    hours: dict[Day, list[Interval]] = Field(description=HOURS_HELP)
    status: Literal["active", "inactive"]
    verified_at: datetime | None
    verification_due: bool
    open_now: bool
    feedback: Feedback | None
    distance_km: float | None = Field(default=None, ge=0, description="with `near` only")


class ClinicChange(Body):
    """Writable fields of a clinic; a clinic partner may send only `hours` and `phone`."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: str | None = text(120, default=None)
    sms_alias: str | None = text(20, default=None)
    district: str | None = text(32, default=None, description=DISTRICT_HELP)
    area: str | None = text(80, default=None)
    address: str | None = text(255, default=None)
    latitude: float | None = Field(default=None, ge=LAT_MIN, le=LAT_MAX)
    longitude: float | None = Field(default=None, ge=LON_MIN, le=LON_MAX)
    phone: str | None = text(32, default=None)
    services: list[ServiceCode] | None = None
    attributes: list[Attribute] | None = None
    hours: dict[Day, list[Interval]] | None = Field(default=None, description=HOURS_HELP)
    status: Literal["active", "inactive"] | None = None
    verified: bool | None = Field(default=None, description="admins: true marks it verified now")


class ClinicCreate(ClinicChange):
    """A new clinic (admins): name, alias and district at least."""

    name: str = text(120)
    sms_alias: str = text(20)
    district: str = text(32, description=DISTRICT_HELP)


class ClinicSearch(Paging):
    """The directory's filters (CONTRACT.md)."""

    service: list[ServiceCode] | None = Field(
        default=None, description="a service code; repeatable, all must match"
    )
    district: str | None = text(64, default=None, description=DISTRICT_HELP)
    attribute: list[str] | None = Field(
        default=None, description="a friendliness attribute; repeatable, all must match"
    )
    open_at: str | None = Field(
        default=None,
        description="ISO 8601 date-time (no offset: APP_TIMEZONE)",
        json_schema_extra={"format": "date-time"},
    )
    open_now: bool | None = Field(default=None, description="true: open at the request's time")
    near: str | None = Field(
        default=None,
        pattern=r"^\s*-?[0-9]+(\.[0-9]+)?\s*,\s*-?[0-9]+(\.[0-9]+)?\s*$",
        description="lat,lon: sorts by distance and adds distance_km",
    )
    within_km: float | None = Field(
        default=None, gt=0, le=1000, description="with near: only clinics this close"
    )
    q: str | None = text(200, default=None, description="text in name, alias, area or address")


class FeedbackCreate(Body):
    """A member's experience of a visit."""

    visited_on: DateIn
    respectful: bool
    refused_service: bool = False
    refused_service_code: str | None = text(32, default=None)
    waiting_minutes: int | None = Field(default=None, ge=0, le=24 * 60)
    comment: str | None = text(2000, default=None, description="stored encrypted")
    member_id: Id | None = None
    asked_for_id: Answer = Field(default=None, description="asked to show an ID; null: not asked")
    charged: Answer = Field(default=None, description="asked to pay; null: not asked")
    kept_private: Answer = Field(default=None, description="visit kept private; null: not asked")


class FeedbackCreated(Out):
    """The recorded report's id."""

    id: Id
    clinic_id: Id
