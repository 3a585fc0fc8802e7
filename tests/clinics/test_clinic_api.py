"""GET/POST/PATCH /api/v1/clinics and /api/v1/services: filters, errors, roles."""

import pytest

from tests.support.factories import DHAKA_POINT

HOURS = {"fri": [["20:00", "02:00"]], "mon": [["09:00", "17:00"]]}


@pytest.fixture
def two(clinic):
    return (
        clinic(
            name="Alpha Centre",
            latitude=DHAKA_POINT[0],
            longitude=DHAKA_POINT[1],
            services=["prep", "sti"],
            attributes=["walk_in"],
            hours=HOURS,
        ),
        clinic(
            name="Beta Centre",
            district="Comilla",
            latitude=23.46,
            longitude=91.18,
            services=["sti"],
            hours={"mon": [["00:00", "24:00"]]},
        ),
    )


def test_services_catalogue(client, api_headers, catalogue):
    response = client.get("/api/v1/services", headers=api_headers("viewer"))
    assert response.status_code == 200
    assert response.json[0] == {
        "code": "hiv_testing",
        "name_en": "HIV testing",
        "name_bn": "এইচআইভি পরীক্ষা",
    }
    assert len(response.json) == 15


def test_add_service_is_for_admins(client, api_headers, catalogue):
    body = {"code": "hepatitis_b", "name_en": "Hepatitis B", "name_bn": "হেপাটাইটিস বি"}
    assert client.post("/api/v1/services", json=body, headers=api_headers()).status_code == 403
    response = client.post("/api/v1/services", json=body, headers=api_headers("admin"))
    assert response.status_code == 201
    again = client.post("/api/v1/services", json=body, headers=api_headers("admin"))
    assert again.status_code == 409


def test_search_needs_a_token(client):
    assert client.get("/api/v1/clinics").status_code == 401


@pytest.mark.parametrize("role", ["admin", "peer_educator", "clinic_partner", "viewer"])
def test_every_role_may_search(client, api_headers, two, role):
    response = client.get("/api/v1/clinics", headers=api_headers(role))
    assert response.status_code == 200
    assert response.json["total"] >= 2


def test_search_filters_and_envelope(client, api_headers, two):
    headers = api_headers()
    body = client.get(
        "/api/v1/clinics?service=prep&service=sti&district=Dhaka&attribute=walk_in"
        "&open_at=2026-12-05T01:00",  # a Saturday, 01:00 Dhaka: Friday's night
        headers=headers,
    ).json
    assert [c["name"] for c in body["items"]] == ["Alpha Centre"]
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 20
    item = body["items"][0]
    assert item["hours"]["fri"] == [["20:00", "02:00"]]
    assert item["services"] == ["prep", "sti"]
    assert item["attributes"] == ["walk_in"]
    assert item["status"] == "active"
    assert "distance_km" not in item
    # The same moment written in UTC.
    body = client.get(
        "/api/v1/clinics?open_at=2026-12-04T19:00:00Z&service=prep", headers=headers
    ).json
    assert body["total"] == 1
    body = client.get("/api/v1/clinics?district=Cumilla", headers=headers).json
    assert [c["name"] for c in body["items"]] == ["Beta Centre"]
    body = client.get("/api/v1/clinics?q=beta", headers=headers).json
    assert body["total"] == 1


def test_open_now(client, api_headers, clinic):
    clinic(name="Never Centre", hours={})
    clinic(
        name="Round The Clock",
        hours={d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )
    body = client.get("/api/v1/clinics?open_now=true", headers=api_headers()).json
    assert [c["name"] for c in body["items"]] == ["Round The Clock"]
    assert all(c["open_now"] for c in body["items"])


def test_near_sorts_and_adds_distance(client, api_headers, two):
    body = client.get("/api/v1/clinics?near=23.46,91.18", headers=api_headers()).json
    assert [c["name"] for c in body["items"]] == ["Beta Centre", "Alpha Centre"]
    assert body["items"][0]["distance_km"] == 0
    assert 70 < body["items"][1]["distance_km"] < 100


def test_pagination(client, api_headers, clinic, catalogue):
    for n in range(5):
        clinic(name=f"Page {n}")
    body = client.get("/api/v1/clinics?per_page=2&page=3", headers=api_headers()).json
    assert body["total"] == 5 and [c["name"] for c in body["items"]] == ["Page 4"]


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("service=astrology", 422, "service"),
        ("district=Atlantis", 422, "district"),
        ("attribute=cheap", 422, "attribute"),
        ("open_at=tomorrow", 400, "open_at"),
        ("open_at=2026-13-01T10:00", 400, "open_at"),
        ("open_now=perhaps", 400, "open_now"),
        ("near=23.8", 400, "near"),
        ("near=north,east", 400, "near"),
        ("near=95.0,90.4", 422, "near"),
        ("near=23.8,90.4&within_km=-1", 422, "within_km"),
        ("per_page=101", 422, "per_page"),
        ("page=abc", 400, "page"),
        ("page=99999999999999999999999", 422, "page"),
    ],
)
def test_bad_query_is_a_clear_error(client, api_headers, catalogue, query, status, field):
    response = client.get(f"/api/v1/clinics?{query}", headers=api_headers())
    assert response.status_code == status
    assert field in response.json["error"]["fields"]


def test_get_one(client, api_headers, two):
    response = client.get(f"/api/v1/clinics/{two[0].id}", headers=api_headers("viewer"))
    assert response.status_code == 200
    assert response.json["name"] == "Alpha Centre"
    assert response.json["feedback"] is None
    missing = client.get("/api/v1/clinics/99999", headers=api_headers())
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"


NEW = {
    "name": "Gamma Centre",
    "sms_alias": "Gamma Point",
    "district": "Barisal",
    "latitude": 22.70,
    "longitude": 90.37,
    "services": ["prep"],
    "attributes": ["no_id_required"],
    "hours": {"sat": [["10:00", "16:00"]]},
}


def test_create_is_for_admins(client, api_headers, catalogue):
    for role in ("peer_educator", "clinic_partner", "viewer"):
        assert (
            client.post("/api/v1/clinics", json=NEW, headers=api_headers(role)).status_code == 403
        )
    response = client.post("/api/v1/clinics", json=NEW, headers=api_headers("admin"))
    assert response.status_code == 201
    assert response.json["district"] == "Barishal"
    assert response.json["verified_at"].endswith("+06:00")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"latitude": 12.0}, "latitude"),
        ({"district": "Narnia"}, "district"),
        ({"services": ["astrology"]}, "services"),
        ({"hours": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "hours"),
        ({"hours": {"mon": [["nine", "12:00"]]}}, "hours"),
        ({"sms_alias": "Gamma Clinic"}, "sms_alias"),
        ({"verified_at": "2026-01-01"}, "verified_at"),
    ],
)
def test_create_invalid_is_422_with_field(client, api_headers, catalogue, change, field):
    response = client.post("/api/v1/clinics", json={**NEW, **change}, headers=api_headers("admin"))
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]


def test_create_with_a_bad_body_is_400(client, api_headers, catalogue):
    headers = api_headers("admin")
    assert client.post("/api/v1/clinics", data="nope", headers=headers).status_code == 400
    assert client.post("/api/v1/clinics", json=[1], headers=headers).status_code == 400


def test_patch_roles(client, api_headers, make_user, two):
    own, other = two
    partner = make_user("clinic_partner", clinic_id=own.id)
    headers = api_headers(user=partner)
    change = {"phone": "01711-123456", "hours": {"sun": [["08:00", "12:00"]]}}
    response = client.patch(f"/api/v1/clinics/{own.id}", json=change, headers=headers)
    assert response.status_code == 200
    assert response.json["phone"] == "+8801711123456"
    assert response.json["hours"]["sun"] == [["08:00", "12:00"]]
    assert response.json["hours"]["fri"] == []
    response = client.patch(f"/api/v1/clinics/{own.id}", json={"name": "X"}, headers=headers)
    assert response.status_code == 403 and "name" in response.json["error"]["fields"]
    response = client.patch(f"/api/v1/clinics/{other.id}", json={"phone": "01711"}, headers=headers)
    assert response.status_code == 404
    for role in ("peer_educator", "viewer"):
        response = client.patch(
            f"/api/v1/clinics/{own.id}", json={"phone": "01711123456"}, headers=api_headers(role)
        )
        assert response.status_code == 403
    admin = api_headers("admin")
    response = client.patch(
        f"/api/v1/clinics/{other.id}",
        json={"name": "Beta Renamed", "verified": True},
        headers=admin,
    )
    assert response.status_code == 200 and response.json["name"] == "Beta Renamed"
    response = client.patch(
        f"/api/v1/clinics/{other.id}", json={"hours": {"xyz": []}}, headers=admin
    )
    assert response.status_code == 422 and "hours" in response.json["error"]["fields"]
    assert client.patch("/api/v1/clinics/99999", json={}, headers=admin).status_code == 404


@pytest.mark.parametrize("phone", ["2026-02-30", "0001-01-01", "9999-12-31", "0171"])
def test_a_clinic_phone_must_be_a_real_number_not_a_date(client, api_headers, two, phone):
    own, _ = two
    headers = api_headers("admin")
    response = client.patch(f"/api/v1/clinics/{own.id}", json={"phone": phone}, headers=headers)
    assert response.status_code == 422
    assert "phone" in response.json["error"]["fields"]
    assert client.get(f"/api/v1/clinics/{own.id}", headers=headers).json["phone"] != phone


def test_feedback_endpoint(client, api_headers, two):
    clinic_id = two[0].id
    body = {"visited_on": "2026-11-20", "respectful": True, "waiting_minutes": 30}
    assert (
        client.post(
            f"/api/v1/clinics/{clinic_id}/feedback", json=body, headers=api_headers("viewer")
        )
    ).status_code == 403
    headers = api_headers()
    for _ in range(5):
        response = client.post(f"/api/v1/clinics/{clinic_id}/feedback", json=body, headers=headers)
        assert response.status_code == 201
    got = client.get(f"/api/v1/clinics/{clinic_id}", headers=headers).json
    assert got["feedback"] == {
        "count": 5,
        "respectful_share": 1.0,
        "asked_for_id_share": None,  # the optional questions were not asked
        "charged_share": None,
        "kept_private_share": None,
    }
    bad = client.post(
        f"/api/v1/clinics/{clinic_id}/feedback", json={"respectful": True}, headers=headers
    )
    # A missing field is an invalid field (422, CONTRACT.md); a malformed date is a 400.
    assert bad.status_code == 422 and bad.json["error"]["fields"]["visited_on"] == "Required."
    malformed = {"visited_on": "20 Nov", "respectful": True}
    bad = client.post(f"/api/v1/clinics/{clinic_id}/feedback", json=malformed, headers=headers)
    assert bad.status_code == 400 and "visited_on" in bad.json["error"]["fields"]


def test_openapi_documents_the_endpoints(client, app):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"get", "post"} <= set(paths["/clinics"])
    assert {"get", "patch"} <= set(paths["/clinics/{clinic_id}"])
    assert "get" in paths["/services"]
    names = {p["name"] for p in paths["/clinics"]["get"]["parameters"]}
    assert {"service", "district", "attribute", "open_at", "open_now", "near", "q"} <= names
