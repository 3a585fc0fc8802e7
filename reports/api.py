"""JSON API endpoints of the reports package (added to core.api.api)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from core.api import api, api_require, api_user, document, schema
from reports import services
from reports.filters import parse_filters


@api.get("/reports/cascade")
@api_require("reports.read")
def reports_cascade():
    """The referral cascade for a date range, grouped (counts under 5 suppressed but for admins)."""
    filters = parse_filters(request.args)
    return jsonify(
        services.cascade(
            start=filters.start, end=filters.end, group_by=filters.group_by, actor=api_user()
        )
    )


@api.get("/exports/dhis2")
@api_require("reports.read")
def exports_dhis2():
    """One month as an aggregate DHIS2 dataValueSets document."""
    return jsonify(services.dhis2_data_values(request.args.get("period"), api_user()))


def _error(code: str) -> dict[str, Any]:
    return {
        "description": code,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(name: str) -> dict[str, Any]:
    return {
        "description": "OK",
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }


def _query(name: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, **extra}


_count = {"oneOf": [{"type": "integer"}, {"type": "string", "enum": ["<5"]}]}
_cascade_keys = {
    "referred": _count,
    "scheduled": _count,
    "attended": _count,
    "linked_to_care": _count,
    "follow_up_done": _count,
    "completion_rate": {"type": "number", "nullable": True},
    "median_days_to_visit": {"type": "number", "nullable": True},
}
schema(
    "CascadeReport",
    {
        "type": "object",
        "description": 'A count from 1 to 4 is "<5" for every role but admin; a rate or median '
        "built on one is null.",
        "properties": {
            "rows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"group": {"type": "string"}, **_cascade_keys},
                },
            },
            "totals": {"type": "object", "properties": _cascade_keys},
        },
    },
)
schema(
    "Dhis2DataValueSet",
    {
        "type": "object",
        "properties": {
            "dataSet": {"type": "string"},
            "period": {"type": "string", "example": "202611"},
            "orgUnit": {"type": "string"},
            "dataValues": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "dataElement": {"type": "string"},
                        "categoryOptionCombo": {"type": "string"},
                        "value": {"type": "string"},
                    },
                },
            },
            "suppressed": {
                "type": "array",
                "description": "Values from 1 to 4 left out (not admin): their identifiers only.",
                "items": {"type": "object"},
            },
            "unmapped": {
                "type": "array",
                "description": "Service codes with no category option combo in DHIS2_MAPPING.",
                "items": {"type": "string"},
            },
        },
    },
)
document(
    "/reports/cascade",
    "get",
    {
        "summary": "The referral cascade (viewer, admin)",
        "parameters": [
            _query(
                "from",
                "First local date (YYYY-MM-DD); default: the first day, 11 months ago",
                schema={"type": "string", "format": "date"},
            ),
            _query(
                "to",
                "Last local date, inclusive (YYYY-MM-DD); default: today",
                schema={"type": "string", "format": "date"},
            ),
            _query(
                "group_by",
                "Grouping (default month)",
                schema={"type": "string", "enum": list(services.GROUP_BY)},
            ),
        ],
        "responses": {
            "200": _json("CascadeReport"),
            "400": _error("a malformed date or group_by (named in fields)"),
            "401": _error("no valid token"),
            "403": _error("not a viewer or admin"),
            "422": _error("from after to"),
        },
    },
)
document(
    "/exports/dhis2",
    "get",
    {
        "summary": "One month as a DHIS2 dataValueSets document (viewer, admin)",
        "parameters": [
            _query("period", "The month, YYYYMM", required=True, schema={"type": "string"})
        ],
        "responses": {
            "200": _json("Dhis2DataValueSet"),
            "400": _error("period is not YYYYMM"),
            "401": _error("no valid token"),
            "403": _error("not a viewer or admin"),
        },
    },
)
