"""The clinic experience report: every figure on a known set of feedback and referrals, the
5-report rule (and the answer totals it protects, admins too), suppression for viewers and
admins, a range of whole months and edge days, the summary's as_of, the API, the page, CSV, roles
and audit."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from clinics.models import ClinicFeedback
from core.extensions import db
from tests.support import factories
from tests.support.clock import dhaka
from tests.support.reports import summarise

URL = "/api/v1/reports/clinic-experience"
PAGE = "/reports/clinic-experience"
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}
N = None  # not asked
# (respectful, refused, asked_for_id, charged, kept_private, waiting minutes) per report.
ALPHA = [
    (True, True, True, False, True, 10),
    (True, False, True, False, True, 20),
    (True, False, False, False, True, 30),
    (True, False, False, False, True, 40),
    (True, False, N, N, True, 50),
    (False, False, N, N, N, N),
]
BETA = [(True, False, True, True, N, 5), (True, False, N, True, N, 15), (False, False, N, N, N, N)]


def _feedback(clinic, answers, day: date) -> None:
    respectful, refused, asked, charged, private, waiting = answers
    db.session.add(
        ClinicFeedback(
            clinic_id=clinic.id, visited_on=day, respectful=respectful, refused_service=refused,
            asked_for_id=asked, charged=charged, kept_private=private, waiting_minutes=waiting,
        )
    )  # fmt: skip


@pytest.fixture
def known(world, refer):
    """Alpha: 6 reports in October, 7 referrals (6 attended); Beta: 3 reports, 3 referrals (2
    attended); outside the range: a report on 30 September and one on 2 November, and a
    referral made on 2 November."""
    for n, answers in enumerate(ALPHA):
        _feedback(world["a"], answers, date(2026, 10, 3 + n))
    for answers in BETA:
        _feedback(world["b"], answers, date(2026, 10, 31))
    _feedback(world["a"], (False, True, True, True, False, 90), date(2026, 9, 30))
    _feedback(world["a"], (True, False, N, N, N, N), date(2026, 11, 2))
    db.session.commit()
    attended = timedelta(days=1)
    refer(created=dhaka(2026, 10, 5), clinic="a", attend_after=attended, count=6)
    refer(created=dhaka(2026, 10, 1, 0, 5), clinic="a")  # just after local midnight
    refer(created=dhaka(2026, 10, 5), clinic="b", attend_after=attended, count=2)
    refer(created=dhaka(2026, 10, 31, 23, 50), clinic="b")
    refer(created=dhaka(2026, 11, 2), clinic="a", attend_after=attended)
    return world


def _cells(reports, respectful, refused, asked, charged, private, median, referred, attended):
    return {
        "reports": reports, "respectful": respectful, "refused_service": refused,
        "asked_for_id": asked, "charged": charged, "kept_private": private,
        "median_waiting_minutes": median, "referred": referred, "attended": attended,
    }  # fmt: skip


def _get(client, headers, *, fresh=True, **query):
    """The API's answer; `fresh`: the report summary rebuilt first, as the scheduler would."""
    if fresh:
        summarise()
    response = client.get(URL, query_string={**OCTOBER, **query}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_every_figure_for_an_admin_by_clinic(client, api_headers, known):
    report = _get(client, api_headers("admin"), group_by="clinic")
    assert report["rows"] == [
        {"group": "Alpha Clinic", **_cells(6, 5, 1, 2, 0, 5, 30.0, 7, 6)},
        # Three reports: below the directory's 5, the answers are held back even for admins.
        {"group": "Beta Clinic", **_cells(3, N, N, N, N, N, N, 3, 2)},
    ]
    # Beta alone is held back, so the answers' totals (minus Alpha's: Beta's) are withheld for
    # admins too (by month they are 7, 1, 3, 2, 5). Waits 5, 10, 15, 20, 30, 40, 50: the middle.
    assert report["totals"] == _cells(9, N, N, N, N, N, 20.0, 10, 8)


def test_a_clinic_is_shown_from_five_reports(client, api_headers, known):
    _feedback(known["b"], (True, False, N, N, True, 25), date(2026, 10, 30))
    db.session.commit()
    beta = _get(client, api_headers("admin"), group_by="clinic")["rows"][1]
    assert beta == {"group": "Beta Clinic", **_cells(4, N, N, N, N, N, N, 3, 2)}
    _feedback(known["b"], (True, True, N, N, True, 35), date(2026, 10, 30))
    db.session.commit()
    report = _get(client, api_headers("admin"), group_by="clinic")
    # Waits 5, 15, 25, 35: the mean of the middle two.
    assert report["rows"][1] == {"group": "Beta Clinic", **_cells(5, 4, 1, 1, 2, 2, 20.0, 3, 2)}
    # No clinic held back: every total shown (waits 5 to 50 with 25 in the middle).
    assert report["totals"] == _cells(11, 9, 2, 3, 2, 7, 25.0, 10, 8)


def test_an_admins_answer_totals_hide_a_single_held_back_clinic(client, api_headers, known, refer):
    headers = api_headers("admin")
    known["c"] = factories.make_clinic(name="Gamma Clinic", offering=("hiv_testing",))
    refer(created=dhaka(2026, 10, 6), clinic="c", count=2)
    report = _get(client, headers, group_by="clinic")
    # Gamma has no report: nothing of it is held back, so Beta is still the single one.
    assert report["rows"][2] == {"group": "Gamma Clinic", **_cells(0, N, N, N, N, N, N, 2, 0)}
    assert report["totals"] == _cells(9, N, N, N, N, N, 20.0, 12, 8)
    _feedback(known["c"], (True, False, N, N, True, 60), date(2026, 10, 7))
    db.session.commit()
    report = _get(client, headers, group_by="clinic")
    assert report["rows"][2] == {"group": "Gamma Clinic", **_cells(1, N, N, N, N, N, N, 2, 0)}
    # Two clinics held back: the totals give away only their sum, as "<5" totals do.
    assert report["totals"] == _cells(10, 8, 1, 3, 2, 6, 25.0, 12, 8)


def test_a_viewer_sees_small_counts_hidden_and_totals_protected(client, api_headers, known):
    report = _get(client, api_headers("viewer"), group_by="clinic")
    alpha, beta = report["rows"]
    assert alpha == {"group": "Alpha Clinic", **_cells(6, 5, "<5", "<5", 0, 5, 30.0, 7, 6)}
    assert beta == {"group": "Beta Clinic", **_cells("<5", N, N, N, N, N, N, "<5", "<5")}
    # Beta alone is hidden in reports, respectful, kept private, referred and attended: those
    # totals would give it away. Refused and asked for ID hide both clinics; charged (2) is
    # itself small.
    assert report["totals"] == _cells(N, N, "<5", "<5", "<5", N, 20.0, N, N)


def test_by_month_the_visit_day_and_the_range_decide(client, api_headers, known):
    headers = api_headers("admin")
    october = _get(client, headers, group_by="month")
    assert october["rows"] == [{"group": "2026-10", **_cells(9, 7, 1, 3, 2, 5, 20.0, 10, 8)}]
    both = _get(client, headers, group_by="month", to="2026-11-30")
    assert [row["group"] for row in both["rows"]] == ["2026-10", "2026-11"]
    # No 5-report rule by month: November's single report is counted as it is.
    assert both["rows"][1] == {"group": "2026-11", **_cells(1, 1, 0, 0, 0, 0, N, 1, 1)}
    assert both["totals"] == _cells(10, 8, 1, 3, 2, 5, 20.0, 11, 9)
    viewer = _get(client, api_headers("viewer"), group_by="month", to="2026-11-30")
    assert viewer["rows"][1] == {
        "group": "2026-11",
        **_cells("<5", "<5", 0, 0, 0, 0, N, "<5", "<5"),
    }
    assert viewer["totals"]["reports"] is None and viewer["totals"]["charged"] == "<5"


def test_an_empty_range_answers_zeros(client, api_headers, world):
    report = _get(client, api_headers("viewer"), group_by="clinic")
    assert report == {
        "rows": [],
        "totals": _cells(0, 0, 0, 0, 0, 0, N, 0, 0),
        "as_of": report["as_of"],
    }
    assert report["as_of"] is not None


def test_a_range_of_whole_months_and_edge_days(client, api_headers, known, refer):
    """15 September to 2 November: October from its month rows, the edges from day rows."""
    refer(created=dhaka(2026, 9, 14, 23, 50), clinic="a")  # the day before: out
    refer(created=dhaka(2026, 9, 15, 0, 5), clinic="a", attend_after=timedelta(days=1))
    refer(created=dhaka(2026, 11, 3, 0, 5), clinic="b")  # the day after: out
    edges = {"from": "2026-09-15", "to": "2026-11-02"}
    headers = api_headers("admin")
    by_month = _get(client, headers, group_by="month", **edges)
    assert by_month["rows"] == [
        {"group": "2026-09", **_cells(1, 0, 1, 1, 1, 0, 90.0, 1, 1)},
        {"group": "2026-10", **_cells(9, 7, 1, 3, 2, 5, 20.0, 10, 8)},
        {"group": "2026-11", **_cells(1, 1, 0, 0, 0, 0, N, 1, 1)},
    ]
    # Waits 5, 10, 15, 20, 30, 40, 50, 90: the mean of the middle two.
    assert by_month["totals"] == _cells(11, 8, 2, 4, 3, 5, 25.0, 12, 10)
    by_clinic = _get(client, headers, group_by="clinic", **edges)
    assert by_clinic["rows"] == [
        {"group": "Alpha Clinic", **_cells(8, 6, 2, 3, 1, 5, 35.0, 9, 8)},
        {"group": "Beta Clinic", **_cells(3, N, N, N, N, N, N, 3, 2)},
    ]
    assert by_clinic["totals"] == _cells(11, N, N, N, N, N, 25.0, 12, 10)


def test_referrals_are_counted_as_of_the_summary_and_feedback_live(
    client, api_headers, known, refer
):
    from core.api import iso_local
    from reports.summary.refresh import as_of, refresh

    headers = api_headers("admin")
    assert _get(client, headers, fresh=False, group_by="month")["as_of"] is None  # never built
    refresh(rebuild=True, now=datetime(2026, 11, 1, 6, 30, tzinfo=UTC))
    db.session.commit()
    refer(created=dhaka(2026, 10, 20), clinic="a")  # made after that refresh
    _feedback(known["a"], (True, False, N, N, True, 70), date(2026, 10, 20))
    db.session.commit()
    stale = _get(client, headers, fresh=False, group_by="month")
    assert stale["as_of"] == "2026-11-01T12:30:00+06:00"
    assert stale["rows"][0]["reports"] == 10 and stale["rows"][0]["referred"] == 10
    fresh = _get(client, headers, group_by="month")
    assert fresh["rows"][0]["reports"] == 10 and fresh["rows"][0]["referred"] == 11
    assert fresh["as_of"] == iso_local(as_of()) != stale["as_of"]


def test_reads_are_audited_with_the_filters(client, api_headers, world):
    from core.audit import AuditEvent

    _get(client, api_headers("viewer"), group_by="clinic")
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report.read")
    ).one()
    assert event.entity_type == "report" and event.entity_id == "clinic_experience"
    assert event.details == {
        "report": "clinic_experience", "from": "2026-10-01", "to": "2026-10-31",
        "group_by": "clinic",
    }  # fmt: skip


@pytest.mark.parametrize("role", ["peer_educator", "clinic_partner"])
def test_other_roles_get_403(client, api_headers, role):
    assert client.get(URL, headers=api_headers(role)).status_code == 403


def test_no_token_is_401(client):
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"group_by": "district"}, 422, "group_by"),
        ({"from": "2026-13-01"}, 400, "from"),
        ({"to": "soon"}, 400, "to"),
        ({"from": "2026-11-01", "to": "2026-10-01"}, 422, "from"),
    ],
)
def test_bad_queries(client, api_headers, query, status, field):
    response = client.get(URL, query_string=query, headers=api_headers("viewer"))
    assert response.status_code == status
    assert field in response.get_json()["error"]["fields"]


def test_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/reports/clinic-experience"]["get"]
    assert {"from", "to", "group_by"} <= {p["name"] for p in operation["parameters"]}
    schemas = document["components"]["schemas"]
    assert "kept_private" in schemas["ClinicExperienceCells"]["properties"]


# ---- the page and the CSV -------------------------------------------------------------------


def test_the_page_shows_the_chart_and_the_table(client, login_as, known):
    login_as("viewer")
    summarise()
    response = client.get(PAGE, query_string={**OCTOBER, "group_by": "clinic"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Alpha Clinic" in html and "Beta Clinic" in html
    assert 'class="bar-attended" x="0" y="1" width="83.3"' in html  # Alpha: 5 of 6 respectful
    assert 'class="bar-referred" x="0" y="11" width="85.7"' in html  # Alpha: 6 of 7 went
    assert "Fewer than 5 reports: the answers are not shown." in html  # Beta
    assert "&lt;5" in html and 'scope="row"' in html
    assert "<script" not in html and "style=" not in html


def test_the_page_in_bangla(client, login_as, known):
    login_as("viewer", language="bn")
    summarise()
    html = client.get(PAGE, query_string={**OCTOBER, "group_by": "clinic"}).get_data(as_text=True)
    assert "সম্মান" in html and "৮৩.৩%" in html and "83.3%" not in html
    assert "&lt;৫" in html and "৫টির কম রিপোর্ট" in html
    month = client.get(PAGE, query_string=OCTOBER).get_data(as_text=True)
    assert ">2026-10" not in month and "অক্টো" in month  # the month in words


def test_bad_filters_are_form_errors(client, login_as):
    login_as("viewer")
    response = client.get(PAGE, query_string={"group_by": "service"})
    assert response.status_code == 400
    assert "Choose a grouping from the list." in response.get_data(as_text=True)


def test_the_reports_index_links_to_it(client, login_as):
    login_as("viewer")
    assert f'href="{PAGE}"' in client.get("/reports").get_data(as_text=True)


@pytest.mark.parametrize("role", ["viewer", "admin"])
def test_csv_is_suppressed_for_every_role_and_audited(client, login_as, known, role):
    from core.audit import AuditEvent

    login_as(role)
    summarise()
    response = client.get(f"{PAGE}.csv", query_string={**OCTOBER, "group_by": "clinic"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["group"] for row in rows] == ["Alpha Clinic", "Beta Clinic", "Total"]
    assert rows[0]["reports"] == "6" and rows[0]["refused_service"] == "<5"
    assert rows[0]["median_waiting_minutes"] == "30.0" and rows[0]["attended"] == "6"
    assert rows[1]["reports"] == "<5" and rows[1]["respectful"] == ""
    assert rows[2]["reports"] == "" and rows[2]["median_waiting_minutes"] == "20.0"
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report.export")
    ).one()
    assert event.details["report"] == "clinic_experience" and event.details["group_by"] == "clinic"


def test_pages_refuse_other_roles(client, login_as):
    login_as("peer_educator")
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}.csv").status_code == 403
