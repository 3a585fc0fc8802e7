"""Request and response models of the reports API (parsing and the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from core.schemas import DateIn, Out, Query
from reports.incidents import INCIDENT_GROUP_BY
from reports.services import GROUP_BY

GroupBy = Literal[GROUP_BY]  # type: ignore[valid-type]
# A count from 1 to 4 is "<5" for every role but admin; a total that would give one away is null.
Count = Annotated[int, Field(ge=0)] | Literal["<5"] | None
Rate = Annotated[float, Field(ge=0, le=1)] | None


class CascadeQuery(Query):
    """The report's range (local dates, inclusive) and grouping."""

    from_: DateIn | None = Field(
        default=None,
        alias="from",
        description="first local date (YYYY-MM-DD); default: the first day, 11 months ago",
    )
    to: DateIn | None = Field(
        default=None, description="last local date, inclusive (YYYY-MM-DD); default: today"
    )
    group_by: GroupBy = Field(default="month", description="the grouping")


class CascadeCells(Out):
    """One row's (or the totals') counts, rate and median."""

    referred: Count
    scheduled: Count
    attended: Count
    linked_to_care: Count
    follow_up_done: Count
    completion_rate: Rate
    median_days_to_visit: Annotated[float, Field(ge=0)] | None


class CascadeRow(CascadeCells):
    """One group: a month (YYYY-MM), a clinic, district, service or peer educator."""

    group: str


class CascadeReport(Out):
    """The referral cascade (CONTRACT.md)."""

    rows: list[CascadeRow]
    totals: CascadeCells
    as_of: str | None = Field(
        description="When the report summary these figures come from was computed (ISO 8601, "
        "local offset); null before its first computation."
    )


IncidentGroupBy = Literal[INCIDENT_GROUP_BY]  # type: ignore[valid-type]


class IncidentQuery(Query):
    """The evidence report's range (the local dates the incidents happened on, inclusive)."""

    from_: DateIn | None = Field(
        default=None,
        alias="from",
        description="first date (YYYY-MM-DD); default: the first day, 11 months ago",
    )
    to: DateIn | None = Field(
        default=None, description="last date, inclusive (YYYY-MM-DD); default: today"
    )
    group_by: IncidentGroupBy = Field(
        default="month",
        description="month (YYYY-MM it happened), district, perpetrator or violation (codes)",
    )


class IncidentCells(Out):
    """One row's (or the totals') count of incidents."""

    incidents: Count


class IncidentRow(IncidentCells):
    """One group: a month (YYYY-MM), a district's name, a perpetrator or violation code."""

    group: str


class IncidentReport(Out):
    """Incidents with advocacy consent, counted (CONTRACT.md); an incident naming two
    perpetrators (violations) counts in both rows and once in the totals."""

    rows: list[IncidentRow]
    totals: IncidentCells


class Dhis2Query(Query):
    """One month."""

    period: str = Field(pattern=r"^[0-9]{4}(0[1-9]|1[0-2])$", description="the month, YYYYMM")


class Dhis2Ident(Out):
    """A DHIS2 data element, category option combo and organisation unit."""

    dataElement: str  # DHIS2's own keys
    categoryOptionCombo: str
    orgUnit: str


class Dhis2Value(Dhis2Ident):
    """One value."""

    value: str


class Dhis2UnmappedClinic(Out):
    """A clinic with referrals in the month and no organisation unit (its own or its district's)."""

    clinic_id: int
    name: str
    district: str


class Dhis2DataValueSet(Out):
    """An aggregate DHIS2 dataValueSets document: one value per org unit, data element and
    category option combo."""

    dataSet: str
    period: str
    dataValues: list[Dhis2Value]
    suppressed: list[Dhis2Ident] = Field(
        description="values from 1 to 4 left out (every role): their identifiers only"
    )
    unmapped: list[str] = Field(description="service codes with no category option combo")
    unmapped_clinics: list[Dhis2UnmappedClinic] = Field(
        description="clinics with no organisation unit: their counts are left out"
    )
