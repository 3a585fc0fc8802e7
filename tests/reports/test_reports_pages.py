"""The reports pages: the viewer's home, the CSV and DHIS2 downloads, roles and bad input."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest

from tests.support.clock import dhaka
from tests.support.reports import summarise

OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


def test_viewer_lands_on_the_reports_page(client, login_as):
    login_as("viewer")
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Referral cascade" in html
    assert 'name="group_by"' in html and 'method="get"' in html
    assert "No referrals were made in this period." in html


def test_table_chart_and_suppression_for_the_viewer(client, login_as, world, refer):
    login_as("viewer")
    refer(created=dhaka(2026, 10, 4), clinic="a", count=3)
    refer(created=dhaka(2026, 10, 4), clinic="b", attend_after=timedelta(days=1), count=6)
    summarise()
    html = client.get("/reports", query_string={**OCTOBER, "group_by": "clinic"}).get_data(
        as_text=True
    )
    assert "Alpha Clinic" in html and "Beta Clinic" in html
    assert "&lt;5" in html  # Alpha's 3 referrals
    assert ">3<" not in html
    assert "100.0%" in html  # Beta: 6 of 6 attended
    bars = re.findall(r'class="bar-referred" x="0" y="0" width="([\d.]+)"', html)
    assert bars == ["100.0"]  # Alpha's suppressed count draws no bar
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert 'class="table-wrap"' in html
    assert re.search(r"css/reports\.[0-9a-f]+\.css", html)  # its own stylesheet, hashed


def test_admin_sees_exact_small_counts(client, login_as, world, refer):
    login_as("admin")
    refer(created=dhaka(2026, 10, 4), count=3)
    summarise()
    html = client.get("/reports", query_string={**OCTOBER, "group_by": "month"}).get_data(
        as_text=True
    )
    assert "<td>3</td>" in html and "&lt;5" not in html


def test_service_groups_show_service_names(client, login_as, world, refer):
    from clinics.models import Service
    from core.extensions import db

    db.session.get(Service, "prep").name_en = "PrEP pills"
    db.session.commit()
    login_as("viewer")
    refer(created=dhaka(2026, 10, 4), services=("prep",), count=5)
    summarise()
    html = client.get("/reports", query_string={**OCTOBER, "group_by": "service"}).get_data(
        as_text=True
    )
    assert "PrEP pills" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-99-01"}, "Enter a date as YYYY-MM-DD."),
        ({"to": "soon"}, "Enter a date as YYYY-MM-DD."),
        ({"from": "2026-11-01", "to": "2026-10-01"}, "The start date is after the end date."),
        ({"from": "1990-01-01"}, "Choose a range of at most ten years."),
        ({"group_by": "member"}, "Choose a grouping from the list."),
    ],
)
def test_bad_filters_are_form_errors(client, login_as, query, message):
    login_as("viewer")
    response = client.get("/reports", query_string=query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'class="field-error"' in html


def test_csv_download_is_the_same_table_suppressed(client, login_as, world, refer):
    login_as("viewer")
    refer(created=dhaka(2026, 10, 4), clinic="a", count=2)
    refer(created=dhaka(2026, 10, 4), clinic="b", attend_after=timedelta(days=3), count=5)
    refer(created=dhaka(2026, 10, 4), clinic="b", count=5)
    summarise()
    response = client.get("/reports/cascade.csv", query_string={**OCTOBER, "group_by": "clinic"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".csv" in disposition
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
        "group",
        "referred",
        "scheduled",
        "attended",
        "linked_to_care",
        "follow_up_done",
        "completion_rate",
        "median_days_to_visit",
    ]
    assert rows[1] == ["Alpha Clinic", "<5", "0", "0", "0", "0", "", ""]
    assert rows[2] == ["Beta Clinic", "10", "0", "5", "0", "0", "0.5", "3.0"]
    assert rows[3][:2] == ["Total", ""]  # withheld: 12 - 10 would give Alpha away


def test_csv_quotes_what_a_spreadsheet_would_run(client, login_as, world, refer):
    world["a"].name = "=HYPERLINK(1)"
    login_as("admin")
    refer(created=dhaka(2026, 10, 4))
    summarise()
    response = client.get("/reports/cascade.csv", query_string={**OCTOBER, "group_by": "clinic"})
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_csv_bad_input_is_400(client, login_as):
    login_as("viewer")
    assert client.get("/reports/cascade.csv?group_by=nope").status_code == 400
    assert client.get("/reports/cascade.csv?from=2026-11-02&to=2026-11-01").status_code == 422


def test_dhis2_download_from_the_month_field(app, client, login_as, world, refer):
    app.config["DHIS2_ORG_UNIT"] = "HARCorgUnit"  # every clinic's org unit
    login_as("viewer")
    refer(created=dhaka(2026, 10, 4), count=5)
    summarise()
    response = client.get("/reports/dhis2.json?period=2026-10")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="dhis2-202610.json"'
    doc = json.loads(response.get_data(as_text=True))
    assert doc["period"] == "202610"
    value = {"dataElement": "HARCref0001", "categoryOptionCombo": "HARCcoc0001", "value": "5"}
    assert {**value, "orgUnit": "HARCorgUnit"} in doc["dataValues"]
    assert client.get("/reports/dhis2.json?period=october").status_code == 400


@pytest.mark.parametrize("role", ["peer_educator", "clinic_partner"])
def test_other_roles_are_refused(client, login_as, role):
    login_as(role)
    for path in ("/reports", "/reports/cascade.csv", "/reports/dhis2.json?period=202610"):
        assert client.get(path).status_code == 403


def test_signed_out_goes_to_login(client):
    response = client.get("/reports/cascade.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_page_renders_in_bangla(client, login_as, world, refer):
    login_as("viewer", language="bn")
    refer(created=dhaka(2026, 10, 4), count=5)
    summarise()
    response = client.get("/reports", query_string=OCTOBER)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'lang="bn"' in html
    assert "<td>৫</td>" in html  # the counts in Bangla digits
    assert 'value="2026-10-01"' in html  # the date field keeps its ISO value
