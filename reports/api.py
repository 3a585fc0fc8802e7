"""JSON API endpoints of the reports package (`routes`, added to the app's API by init_app)."""

from __future__ import annotations

from flask import jsonify, request

from core.api import ApiRoutes, api_require, api_user
from core.openapi import endpoint
from core.web import transactional
from reports import clinic_experience_api, incidents, services, sms_api
from reports.filters import parse_filters
from reports.schemas import (
    CascadeQuery,
    CascadeReport,
    Dhis2DataValueSet,
    Dhis2Query,
    IncidentQuery,
    IncidentReport,
)

routes = ApiRoutes()


@routes.get("/reports/cascade")
@api_require("reports.read")
@transactional
@endpoint(
    "The referral cascade (viewer, admin)",
    query=CascadeQuery,
    response=CascadeReport,
    errors=(422,),
    description='A count from 1 to 4 is "<5" for every role but admin; a rate or median '
    "built on one is null. 422 when `from` is after `to`.",
)
def reports_cascade(query: CascadeQuery):
    """The referral cascade for a date range, grouped (counts under 5 suppressed but for admins;
    audited as a report read)."""
    filters = parse_filters(request.args)  # the defaults and the range rule live there
    return jsonify(
        services.cascade(
            start=filters.start, end=filters.end, group_by=filters.group_by, actor=api_user()
        )
    )


@routes.get("/reports/incidents")
@api_require("reports.read")
@transactional
@endpoint(
    "Incidents with advocacy consent, counted (viewer, admin)",
    query=IncidentQuery,
    response=IncidentReport,
    errors=(422,),
    description="Only incidents the member agreed to count for advocacy. A count from 1 to 4 "
    'is "<5" for every role but admin; a total that would give a single hidden group away is '
    "null. An incident naming two perpetrators (violations) counts in both rows and once in "
    "the totals. 422 when `from` is after `to` or `group_by` is unknown.",
)
def reports_incidents(query: IncidentQuery):
    """The evidence report for a date range, grouped (audited as a report read)."""
    filters = parse_filters(request.args, incidents.INCIDENT_GROUP_BY)
    return jsonify(
        incidents.incident_counts(
            start=filters.start, end=filters.end, group_by=filters.group_by, actor=api_user()
        )
    )


@routes.get("/exports/dhis2")
@api_require("reports.read")
@transactional
@endpoint(
    "One month as a DHIS2 dataValueSets document (viewer, admin)",
    query=Dhis2Query,
    response=Dhis2DataValueSet,
)
def exports_dhis2(query: Dhis2Query):
    """One month as an aggregate DHIS2 dataValueSets document (1-4 left out for every role;
    audited as a report download)."""
    return jsonify(services.dhis2_data_values(query.period, api_user()))


# The SMS reports' endpoints, from their own module.
routes.rules.extend(sms_api.routes.rules)
routes.rules.extend(clinic_experience_api.routes.rules)
