"""Request and response models of the clinic experience API (parsing and the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.schemas import DateIn, Out, Query
from reports import clinic_experience
from reports.schemas_sms import FROM, TO, Count

ExperienceGroupBy = Literal[clinic_experience.GROUP_BY]  # type: ignore[valid-type]
ANSWER = (
    "how many said yes; null for a clinic with fewer than 5 reports in the range, and in the "
    "totals when a single clinic is held back so (for every role)"
)


class ClinicExperienceQuery(Query):
    """The dates of the visits and of the referrals (local, inclusive), and the grouping."""

    from_: DateIn | None = Field(default=None, alias="from", description=FROM)
    to: DateIn | None = Field(default=None, description=TO)
    group_by: ExperienceGroupBy = Field(
        default="month",
        description="month (YYYY-MM of the visit, or of the referral) or clinic (its name)",
    )


class ClinicExperienceCells(Out):
    """Feedback reports and their yes answers, the median wait, referrals and attendance."""

    reports: Count = Field(description="feedback reports on visits in the range")
    respectful: Count = Field(description="treated with respect; " + ANSWER)
    refused_service: Count = Field(description="a service was refused; " + ANSWER)
    asked_for_id: Count = Field(description="asked to show an ID card; " + ANSWER)
    charged: Count = Field(description="asked to pay; " + ANSWER)
    kept_private: Count = Field(description="the visit was kept private; " + ANSWER)
    median_waiting_minutes: float | None = Field(
        ge=0, description="null below 5 reports (a clinic) or on 1-4 answers (not admins)"
    )
    referred: Count = Field(description="referrals to the clinic made in the range")
    attended: Count = Field(description="of those, how many attended")


class ClinicExperienceRow(ClinicExperienceCells):
    """One group: a month (YYYY-MM) or a clinic's name."""

    group: str


class ClinicExperienceReport(Out):
    """The clinic experience (CONTRACT.md)."""

    rows: list[ClinicExperienceRow]
    totals: ClinicExperienceCells
    as_of: str | None = Field(
        description="When the report summary the referral counts come from was computed (ISO "
        "8601, local offset); null before its first computation. The feedback is read live."
    )
