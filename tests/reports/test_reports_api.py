"""GET /api/v1/reports/cascade and /api/v1/exports/dhis2: roles, input, suppression, shape."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.support.clock import dhaka
from tests.support.reports import summarise

CASCADE = "/api/v1/reports/cascade"
DHIS2 = "/api/v1/exports/dhis2"
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


@pytest.mark.parametrize("group_by", ["month", "clinic", "district", "service", "peer_educator"])
def test_each_grouping_answers_with_the_contract_shape(client, api_headers, world, refer, group_by):
    refer(created=dhaka(2026, 10, 4), services=("hiv_testing", "prep"), count=5)
    summarise()
    response = client.get(
        CASCADE, query_string={**OCTOBER, "group_by": group_by}, headers=api_headers("viewer")
    )
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"rows", "totals", "as_of"}
    assert datetime.fromisoformat(body["as_of"]).utcoffset() == timedelta(hours=6)  # Dhaka
    keys = {
        "referred",
        "scheduled",
        "attended",
        "linked_to_care",
        "follow_up_done",
        "completion_rate",
        "median_days_to_visit",
    }
    assert all(set(row) == keys | {"group"} for row in body["rows"])
    assert set(body["totals"]) == keys
    expected = {
        "month": {"2026-10"},
        "clinic": {"Alpha Clinic"},
        "district": {"Dhaka"},
        "service": {"hiv_testing", "prep"},
        "peer_educator": {"Amina"},
    }[group_by]
    assert {row["group"] for row in body["rows"]} == expected
    assert body["totals"]["referred"] == 5
    assert response.headers["Cache-Control"] == "no-store"


def test_a_group_of_three_is_under_five_for_the_viewer_and_three_for_the_admin(
    client, api_headers, world, refer
):
    refer(created=dhaka(2026, 10, 4), clinic="a", attend_after=timedelta(days=2), count=3)
    refer(created=dhaka(2026, 10, 4), clinic="b", count=6)
    summarise()
    query = {**OCTOBER, "group_by": "clinic"}
    viewer = client.get(CASCADE, query_string=query, headers=api_headers("viewer")).get_json()
    alpha = next(r for r in viewer["rows"] if r["group"] == "Alpha Clinic")
    assert alpha["referred"] == "<5" and alpha["attended"] == "<5"
    assert alpha["completion_rate"] is None and alpha["median_days_to_visit"] is None
    admin = client.get(CASCADE, query_string=query, headers=api_headers(user=world["admin"]))
    alpha = next(r for r in admin.get_json()["rows"] if r["group"] == "Alpha Clinic")
    assert (alpha["referred"], alpha["completion_rate"], alpha["median_days_to_visit"]) == (
        3,
        1.0,
        2.0,
    )


def test_the_to_date_is_inclusive(client, api_headers, world, refer):
    refer(created=dhaka(2026, 10, 31, 23, 59), count=5)
    summarise()
    query = {"from": "2026-10-31", "to": "2026-10-31", "group_by": "month"}
    body = client.get(CASCADE, query_string=query, headers=api_headers("admin")).get_json()
    assert body["totals"]["referred"] == 5


def test_defaults_are_the_last_twelve_months_by_month(client, api_headers, world):
    response = client.get(CASCADE, headers=api_headers("viewer"))
    assert response.status_code == 200
    assert response.get_json() == {
        "rows": [],
        "totals": {
            "referred": 0,
            "scheduled": 0,
            "attended": 0,
            "linked_to_care": 0,
            "follow_up_done": 0,
            "completion_rate": None,
            "median_days_to_visit": None,
        },
        "as_of": None,  # the summary has never been computed
    }


@pytest.mark.parametrize("role", ["peer_educator", "clinic_partner"])
def test_other_roles_get_403(client, api_headers, role):
    for path in (CASCADE, DHIS2 + "?period=202610"):
        response = client.get(path, headers=api_headers(role))
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"


def test_no_token_is_401(client):
    assert client.get(CASCADE).status_code == 401
    assert client.get(DHIS2 + "?period=202610").status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"from": "01/10/2026"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"to": "2026-02-30"}, "to"),
    ],
)
def test_malformed_input_is_400_naming_the_field(client, api_headers, query, field):
    response = client.get(CASCADE, query_string=query, headers=api_headers("viewer"))
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("group_by", ["member", "clinic; drop table referrals"])
def test_an_unknown_grouping_is_422_naming_it(client, api_headers, group_by):
    query = {"group_by": group_by}
    response = client.get(CASCADE, query_string=query, headers=api_headers("viewer"))
    assert response.status_code == 422
    assert "group_by" in response.get_json()["error"]["fields"]


def test_from_after_to_is_422(client, api_headers):
    query = {"from": "2026-11-01", "to": "2026-10-01"}
    response = client.get(CASCADE, query_string=query, headers=api_headers("viewer"))
    assert response.status_code == 422
    assert "from" in response.get_json()["error"]["fields"]


def test_dhis2_export(app, client, api_headers, world, refer):
    app.config["DHIS2_ORG_UNIT"] = "HARCorgUnit"  # every clinic's org unit
    refer(created=dhaka(2026, 10, 4), services=("hiv_testing", "prep"), count=5)
    refer(created=dhaka(2026, 10, 4), services=("sti",), count=2)
    summarise()
    response = client.get(DHIS2, query_string={"period": "202610"}, headers=api_headers("viewer"))
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["period"] == "202610" and doc["dataSet"]
    value = {"dataElement": "HARCref0001", "categoryOptionCombo": "HARCcoc0001", "value": "5"}
    assert {**value, "orgUnit": "HARCorgUnit"} in doc["dataValues"]
    assert all(isinstance(v["value"], str) and int(v["value"]) >= 0 for v in doc["dataValues"])
    small = {"dataElement": "HARCref0001", "categoryOptionCombo": "HARCcoc0007"}
    assert {**small, "orgUnit": "HARCorgUnit"} in doc["suppressed"]


@pytest.mark.parametrize("period", ["", "2026-10", "202600", "26010", "000001", "999912"])
def test_dhis2_bad_period_is_400(client, api_headers, period):
    response = client.get(DHIS2, query_string={"period": period}, headers=api_headers("admin"))
    assert response.status_code == 400
    assert "period" in response.get_json()["error"]["fields"]


def test_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/reports/cascade"]
    assert "get" in paths["/exports/dhis2"]


def test_dhis2_period_of_a_year_out_of_range_is_422(client, api_headers):
    # Year 1 parses, but its first local midnight is before any UTC date (was a 500).
    response = client.get(DHIS2, query_string={"period": "000101"}, headers=api_headers("admin"))
    assert response.status_code == 422
    assert "period" in response.get_json()["error"]["fields"]
