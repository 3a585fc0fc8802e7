"""JSON API of the clinic experience report: GET /api/v1/reports/clinic-experience (viewer, admin).

reports.api adds these routes to its own, so both documents and names stay the package's."""

from __future__ import annotations

from flask import jsonify, request

from core.api import ApiRoutes, api_require, api_user
from core.openapi import endpoint
from core.web import transactional
from reports import clinic_experience
from reports.filters import parse_filters
from reports.schemas_clinic_experience import ClinicExperienceQuery, ClinicExperienceReport

routes = ApiRoutes()


@routes.get("/reports/clinic-experience")
@api_require("reports.read")
@transactional
@endpoint(
    "Clinic experience: community feedback and attendance (viewer, admin)",
    query=ClinicExperienceQuery,
    response=ClinicExperienceReport,
    errors=(422,),
    description="Feedback on visits in the range (each question a count of yes; asked_for_id, "
    "charged and kept_private are optional questions, so their counts may be lower than "
    "`reports`) and the referrals made to the clinic in the range with how many attended. "
    "Grouped by clinic, a clinic's answers and median wait are null below 5 reports, for "
    "every role, and so is an answer's total when a single clinic is held back. A count from "
    '1 to 4 is "<5" for every role but admin; a median on 1-4 answers is null, and so is a '
    "total that would give a single hidden group away. The referral counts come from the "
    "report summary, as of `as_of`. 422 when `from` is after `to` or `group_by` is unknown.",
)
def reports_clinic_experience(query: ClinicExperienceQuery):
    """The clinic experience report (audited as a report read)."""
    filters = parse_filters(request.args, clinic_experience.GROUP_BY)
    return jsonify(
        clinic_experience.clinic_experience(
            start=filters.start, end=filters.end, group_by=filters.group_by, actor=api_user()
        )
    )
