"""The evidence report (GET /api/v1/reports/incidents, /reports/incidents and its CSV): every
figure of a known set of incidents for each grouping, advocacy consent, the small-number rule
for the viewer and the admin, complementary suppression, the CSV for everyone, roles, audit."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.extensions import db
from tests.support.visible_text import problems, raw_codes, typed_data

API = "/api/v1/reports/incidents"
PAGE = "/reports/incidents"
CSV = "/reports/incidents.csv"
RANGE = {"from": "2026-10-01", "to": "2026-11-30"}


def add_incidents(pe, *, on, district="Dhaka", who=("police",), what=("physical",), **fields):
    """`count` incidents recorded by `pe` (rows of the real model, committed)."""
    from safety.models import Incident, IncidentPerpetrator, IncidentViolation

    count = fields.pop("count", 1)
    fields.setdefault("consent_advocacy", True)
    for _ in range(count):
        db.session.add(
            Incident(
                peer_educator_id=pe.id,
                recorded_by_id=pe.id,
                occurred_on=on,
                district=district,
                place_type="hotel",
                perpetrator_rows=[IncidentPerpetrator(code=code) for code in who],
                violation_rows=[IncidentViolation(code=code) for code in what],
                **fields,
            )
        )
    db.session.commit()


@pytest.fixture
def known(world):
    """14 incidents counted in RANGE; 3 without advocacy consent and 5 outside it are not."""
    pe = world["amina"]
    add_incidents(pe, on=date(2026, 10, 1), count=2)
    add_incidents(pe, on=date(2026, 10, 31), count=4)  # Oct, Dhaka, police, physical: 6
    add_incidents(
        pe,
        on=date(2026, 10, 15),
        district="Khulna",
        who=("police", "client"),
        what=("extortion", "threat"),
        count=2,
    )
    add_incidents(pe, on=date(2026, 11, 1), who=("client",), what=("sexual",), count=3)
    add_incidents(pe, on=date(2026, 11, 30), who=("client",), what=("sexual",), count=2)
    add_incidents(
        pe,
        on=date(2026, 11, 20),
        district="Chattogram",
        who=("hotel_staff",),
        what=("raid", "eviction"),
        status="closed",
    )
    add_incidents(pe, on=date(2026, 10, 10), consent_advocacy=False, count=3)
    add_incidents(pe, on=date(2026, 9, 30), count=4)
    add_incidents(pe, on=date(2026, 12, 1))
    return world


ADMIN_FIGURES = {
    "month": [("2026-10", 8), ("2026-11", 6)],
    "district": [("Chattogram", 1), ("Dhaka", 11), ("Khulna", 2)],
    "perpetrator": [("police", 8), ("client", 7), ("hotel_staff", 1)],
    "violation": [
        ("physical", 6),
        ("sexual", 5),
        ("extortion", 2),
        ("raid", 1),
        ("eviction", 1),
        ("threat", 2),
    ],
}
# The viewer: 1-4 hidden; a total withheld (None) when exactly one group is hidden.
VIEWER_FIGURES = {
    "month": ([("2026-10", 8), ("2026-11", 6)], 14),
    "district": ([("Chattogram", "<5"), ("Dhaka", 11), ("Khulna", "<5")], 14),
    "perpetrator": ([("police", 8), ("client", 7), ("hotel_staff", "<5")], None),
    "violation": (
        [
            ("physical", 6),
            ("sexual", 5),
            ("extortion", "<5"),
            ("raid", "<5"),
            ("eviction", "<5"),
            ("threat", "<5"),
        ],
        14,
    ),
}


def _figures(body):
    return [(row["group"], row["incidents"]) for row in body["rows"]], body["totals"]["incidents"]


@pytest.mark.parametrize("group_by", list(ADMIN_FIGURES))
def test_every_figure_for_the_admin(client, api_headers, known, group_by):
    headers = api_headers(user=known["admin"])
    response = client.get(API, query_string={**RANGE, "group_by": group_by}, headers=headers)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert _figures(response.get_json()) == (ADMIN_FIGURES[group_by], 14)


@pytest.mark.parametrize("group_by", list(VIEWER_FIGURES))
def test_every_figure_for_the_viewer_small_ones_hidden(client, api_headers, known, group_by):
    query = {**RANGE, "group_by": group_by}
    response = client.get(API, query_string=query, headers=api_headers("viewer"))
    assert response.status_code == 200
    assert _figures(response.get_json()) == VIEWER_FIGURES[group_by]


def test_a_small_total_is_hidden_too_and_not_withheld(client, api_headers, known):
    query = {"from": "2026-09-01", "to": "2026-09-30"}
    body = client.get(API, query_string=query, headers=api_headers("viewer")).get_json()
    assert body["rows"] == [{"group": "2026-09", "incidents": "<5"}]
    assert body["totals"] == {"incidents": "<5"}
    admin = client.get(API, query_string=query, headers=api_headers(user=known["admin"]))
    assert admin.get_json()["totals"] == {"incidents": 4}


def test_without_advocacy_consent_nothing_is_counted(client, api_headers, world):
    add_incidents(world["amina"], on=date(2026, 10, 5), consent_advocacy=False, count=6)
    response = client.get(API, query_string=RANGE, headers=api_headers(user=world["admin"]))
    assert response.get_json() == {"rows": [], "totals": {"incidents": 0}}


def test_giving_consent_puts_it_in_the_count(client, api_headers, world):
    add_incidents(world["amina"], on=date(2026, 10, 5), consent_advocacy=False, count=6)
    from safety.models import Incident

    for incident in db.session.scalars(sa.select(Incident)):
        incident.consent_advocacy = True
    db.session.commit()
    body = client.get(API, query_string=RANGE, headers=api_headers("viewer")).get_json()
    assert body == {"rows": [{"group": "2026-10", "incidents": 6}], "totals": {"incidents": 6}}


@pytest.mark.parametrize("role", ["peer_educator", "clinic_partner"])
def test_other_roles_get_403(client, api_headers, login_as, known, role):
    response = client.get(API, headers=api_headers(role))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    login_as(role)
    assert client.get(PAGE).status_code == 403
    assert client.get(CSV).status_code == 403


def test_no_token_is_401(client):
    assert client.get(API).status_code == 401


@pytest.mark.parametrize("group_by", ["clinic", "service", "nope; drop table incidents"])
def test_an_unknown_grouping_is_422(client, api_headers, group_by):
    response = client.get(API, query_string={"group_by": group_by}, headers=api_headers("viewer"))
    assert response.status_code == 422
    assert "group_by" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"from": "2026-13-01"}, 400, "from"),
        ({"to": "yesterday"}, 400, "to"),
        ({"from": "2026-11-02", "to": "2026-11-01"}, 422, "from"),
    ],
)
def test_bad_dates(client, api_headers, query, status, field):
    response = client.get(API, query_string=query, headers=api_headers("viewer"))
    assert response.status_code == status
    assert field in response.get_json()["error"]["fields"]


def _audit(action):
    query = sa.select(AuditEvent).where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def test_reads_and_downloads_are_audited_with_the_filters(client, api_headers, login_as, known):
    viewer_headers = api_headers("viewer")
    client.get(API, query_string={**RANGE, "group_by": "district"}, headers=viewer_headers)
    viewer = login_as("viewer")
    client.get(PAGE, query_string={**RANGE, "group_by": "violation"})
    client.get(CSV, query_string={**RANGE, "group_by": "perpetrator"})
    reads = _audit("report.read")
    assert [(e.entity_type, e.entity_id, e.channel) for e in reads] == [
        ("report", "incidents", "api"),
        ("report", "incidents", "web"),
    ]
    assert reads[0].details == {"report": "incidents", **RANGE, "group_by": "district"}
    assert reads[1].details["group_by"] == "violation" and reads[1].actor_id == viewer.id
    (export,) = _audit("report.export")
    assert export.details == {"report": "incidents", **RANGE, "group_by": "perpetrator"}
    assert export.actor_id == viewer.id


def _csv(client, group_by):
    response = client.get(CSV, query_string={**RANGE, "group_by": group_by})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_csv_is_suppressed_for_every_role(client, login_as, known, role):
    login_as(role)
    assert _csv(client, "perpetrator") == [
        ["group", "incidents"],
        ["police", "8"],
        ["client", "7"],
        ["hotel_staff", "<5"],
        ["Total", ""],  # withheld: police and client would give hotel_staff away
    ]
    assert _csv(client, "district")[1:] == [
        ["Chattogram", "<5"],
        ["Dhaka", "11"],
        ["Khulna", "<5"],
        ["Total", "14"],
    ]


def test_csv_bad_input(client, login_as):
    login_as("viewer")
    assert client.get(CSV, query_string={"group_by": "clinic"}).status_code == 400
    backwards = {"from": "2026-11-02", "to": "2026-11-01"}
    assert client.get(CSV, query_string=backwards).status_code == 422


def test_the_page_chart_and_table_for_the_viewer(client, login_as, known):
    login_as("viewer")
    response = client.get(PAGE, query_string={**RANGE, "group_by": "perpetrator"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Police" in html and "Client" in html and "Hotel staff" in html
    assert "hotel_staff" not in html.replace('value="hotel_staff"', "")
    assert "<td>8</td>" in html and "<td>7</td>" in html and "<td>&lt;5</td>" in html
    assert "<td>–</td>" in html  # the withheld total
    assert html.count('class="bar-attended"') == 2  # the hidden group draws no bar
    assert 'width="100.0"' in html and 'width="87.5"' in html  # 8 and 7 of 8
    assert "<script" not in html and "style=" not in html and "data:" not in html
    assert 'method="get"' in html and 'name="group_by"' in html
    assert "/reports/incidents.csv?" in html


def test_the_admin_sees_exact_counts_on_the_page(client, login_as, known):
    login_as("admin")
    html = client.get(PAGE, query_string={**RANGE, "group_by": "district"}).get_data(as_text=True)
    assert "<td>1</td>" in html and "<td>2</td>" in html and "<td>&lt;5</td>" not in html


def test_bad_filters_on_the_page_say_so_and_show_the_defaults(client, login_as):
    login_as("viewer")
    response = client.get(PAGE, query_string={"group_by": "clinic"})
    assert response.status_code == 400
    assert "Choose a grouping from the list." in response.get_data(as_text=True)
    response = client.get(PAGE, query_string={"from": "soon"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter a date as YYYY-MM-DD." in html and 'value="soon"' in html


def test_the_page_in_bangla_words_and_digits(app, client, login_as, known):
    login_as("viewer", language="bn")
    for group_by in ADMIN_FIGURES:
        response = client.get(PAGE, query_string={**RANGE, "group_by": group_by})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert problems(html, bangla=True, codes=raw_codes(app), data=typed_data()) == []
    assert "<td>১১</td>" in html or "<td>৬</td>" in html


def test_the_reports_index_links_to_it(client, login_as):
    login_as("viewer")
    assert 'href="/reports/incidents"' in client.get("/reports").get_data(as_text=True)


def test_it_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    parameters = paths["/reports/incidents"]["get"]["parameters"]
    assert {p["name"] for p in parameters} == {"from", "to", "group_by"}
