"""The API's error answers at the edge: the methods a path allows, bodies parsed by the models."""

from __future__ import annotations


def test_a_method_the_path_does_not_have_is_a_json_405_with_allow(client, api_headers):
    response = client.delete("/api/v1/clinics", headers=api_headers("admin"))
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_a_wrong_json_type_is_422_naming_the_field(client, api_headers):
    headers = api_headers("admin")
    response = client.post("/api/v1/services", json={"code": 7, "name_en": "x"}, headers=headers)
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert set(fields) == {"code", "name_bn"} and fields["name_bn"] == "Required."


def test_a_query_value_that_does_not_parse_is_400_naming_it(client, api_headers):
    headers = api_headers("admin")
    response = client.get("/api/v1/referrals?clinic_id=²", headers=headers)
    assert response.status_code == 400 and "clinic_id" in response.json["error"]["fields"]

    response = client.get("/api/v1/referrals?clinic_id=abc", headers=headers)
    assert response.status_code == 400 and "clinic_id" in response.json["error"]["fields"]


def test_a_query_value_that_parses_but_is_out_of_range_or_unknown_is_422(client, api_headers):
    headers = api_headers("admin")
    for query in ("clinic_id=2147483648", "clinic_id=0", "status=bogus", "page=0"):
        response = client.get(f"/api/v1/referrals?{query}", headers=headers)
        field = query.partition("=")[0]
        assert response.status_code == 422, query
        assert field in response.json["error"]["fields"], query


def test_a_year_out_of_range_is_422_naming_the_parameter_as_sent(client, api_headers):
    headers = api_headers("admin")
    response = client.get("/api/v1/referrals?from=1793-11-01T14:04:50Z", headers=headers)
    assert response.status_code == 422 and set(response.json["error"]["fields"]) == {"from"}
    response = client.get("/api/v1/reports/cascade?from=0999-01-01", headers=headers)
    assert response.status_code == 422 and set(response.json["error"]["fields"]) == {"from"}
