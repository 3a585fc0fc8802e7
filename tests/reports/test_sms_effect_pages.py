"""The SMS effect report's access and its page: reads audited with their filters, the API's
refusals (roles, no token, bad queries) and its OpenAPI entry; the page (in English and Bangla,
saying it is not a trial), its form errors, the cascade's links to it, and the CSV, suppressed for
every role and audited. The figures are in test_sms_effect.py."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from core.extensions import db
from tests.support.sms_reports import EFFECT_URL, OCTOBER, get_effect

# ---- the API: audit, refusals, bad queries --------------------------------------------------


def test_reads_are_audited_with_the_filters(client, api_headers, world):
    from core.audit import AuditEvent

    get_effect(client, api_headers("viewer"), group_by="clinic")
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report.read")
    ).one()
    assert event.entity_type == "report" and event.entity_id == "sms_effect"
    assert event.details == {
        "report": "sms_effect", "from": "2026-10-01", "to": "2026-10-31", "group_by": "clinic"
    }  # fmt: skip
    assert event.channel == "api"


@pytest.mark.parametrize("role", ["peer_educator", "clinic_partner"])
def test_other_roles_get_403(client, api_headers, role):
    response = client.get(EFFECT_URL, headers=api_headers(role))
    assert response.status_code == 403


def test_no_token_is_401(client):
    assert client.get(EFFECT_URL).status_code == 401


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"group_by": "district"}, 422, "group_by"),
        ({"group_by": "kind"}, 422, "group_by"),
        ({"from": "2026-13-01"}, 400, "from"),
        ({"to": "soon"}, 400, "to"),
        ({"from": "2026-11-01", "to": "2026-10-01"}, 422, "from"),
    ],
)
def test_bad_queries(client, api_headers, query, status, field):
    response = client.get(EFFECT_URL, query_string=query, headers=api_headers("viewer"))
    assert response.status_code == status
    assert field in response.get_json()["error"]["fields"]


def test_in_the_openapi_document(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/reports/sms-effect"]
    names = {p["name"] for p in operation["get"]["parameters"]}
    assert {"from", "to", "group_by"} <= names


# ---- the page and the CSV -------------------------------------------------------------------


def test_the_page_says_it_is_not_a_trial_and_shows_the_table(client, login_as, cohort):
    login_as("viewer")
    response = client.get("/reports/sms-effect", query_string={**OCTOBER, "group_by": "clinic"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "This is an observational comparison, not a trial." in html
    assert "Alpha Clinic" in html and "Beta Clinic" in html
    assert "&lt;5" in html and "90.0%" in html
    assert 'class="bar-attended" x="0" y="1" width="90.0"' in html  # Alpha's 9 of 10
    assert "<script" not in html and "style=" not in html
    assert 'scope="colgroup"' in html


def test_the_page_in_bangla(client, login_as, cohort):
    login_as("viewer", language="bn")
    html = client.get(
        "/reports/sms-effect", query_string={**OCTOBER, "group_by": "clinic"}
    ).get_data(as_text=True)
    assert "পর্যবেক্ষণ" in html  # observational, said in Bangla
    assert "৯০.০%" in html and "90.0%" not in html
    assert "&lt;৫" in html


def test_bad_filters_are_form_errors(client, login_as):
    login_as("viewer")
    response = client.get("/reports/sms-effect", query_string={"group_by": "service"})
    assert response.status_code == 400
    assert "Choose a grouping from the list." in response.get_data(as_text=True)


def test_the_cascade_links_to_the_sms_reports(client, login_as):
    login_as("viewer")
    html = client.get("/reports").get_data(as_text=True)
    assert 'href="/reports/sms-effect"' in html and 'href="/reports/sms-delivery"' in html


@pytest.mark.parametrize("role", ["viewer", "admin"])
def test_csv_is_suppressed_for_every_role_and_audited(client, login_as, cohort, role):
    from core.audit import AuditEvent

    login_as(role)
    response = client.get("/reports/sms-effect.csv", query_string={**OCTOBER, "group_by": "clinic"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["group"] for row in rows] == ["Alpha Clinic", "Beta Clinic", "Total"]
    assert rows[0]["with_reminders_referred"] == "10" and rows[0]["with_reminders_rate"] == "0.9"
    assert rows[1]["with_reminders_attended"] == "<5"
    assert rows[0]["difference"] == ""  # built on Alpha's hidden 3
    assert rows[2]["median_hours_last_reminder_to_visit"] == "2.0"
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report.export")
    ).one()
    assert event.details["report"] == "sms_effect" and event.details["group_by"] == "clinic"


def test_pages_refuse_other_roles(client, login_as):
    login_as("peer_educator")
    assert client.get("/reports/sms-effect").status_code == 403
    assert client.get("/reports/sms-effect.csv").status_code == 403
