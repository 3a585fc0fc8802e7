"""The SMS delivery report's access, its other tables and its page: reads audited, the API's
refusals (roles, no token, bad queries) and its OpenAPI entry; failures by code with their
meaning; opt-outs, opt-ins and safety holds per month (the `changes` fixture, conftest.py); the
page in words (English and Bangla) and every table as CSV, suppressed for every role and audited.
The figures are in test_sms_delivery.py."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from core.extensions import db
from tests.support.sms_reports import DELIVERY_URL, OCTOBER, get_delivery

# ---- the API: audit, refusals, bad queries --------------------------------------------------


def test_reads_are_audited(client, api_headers, app):
    from core.audit import AuditEvent

    get_delivery(client, api_headers("viewer"), group_by="gateway")
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report.read")
    ).one()
    assert (event.entity_type, event.entity_id) == ("report", "sms_delivery")
    assert event.details == {
        "report": "sms_delivery", "from": "2026-10-01", "to": "2026-10-31", "group_by": "gateway"
    }  # fmt: skip


@pytest.mark.parametrize("role", ["peer_educator", "clinic_partner"])
def test_other_roles_get_403(client, api_headers, role):
    assert client.get(DELIVERY_URL, headers=api_headers(role)).status_code == 403


def test_no_token_is_401(client):
    assert client.get(DELIVERY_URL).status_code == 401


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"group_by": "clinic"}, 422, "group_by"),
        ({"group_by": "status"}, 422, "group_by"),
        ({"from": "2026-02-30"}, 400, "from"),
        ({"from": "2026-11-01", "to": "2026-10-01"}, 422, "from"),
    ],
)
def test_bad_queries(client, api_headers, query, status, field):
    response = client.get(DELIVERY_URL, query_string=query, headers=api_headers("viewer"))
    assert response.status_code == status
    assert field in response.get_json()["error"]["fields"]


def test_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {p["name"] for p in paths["/reports/sms-delivery"]["get"]["parameters"]} >= {
        "from", "to", "group_by"
    }  # fmt: skip


# ---- failures, contact changes --------------------------------------------------------------


def test_failures_by_code_with_their_meaning(app, messages):
    from reports.sms_delivery import failures_by_code

    start, end = date(2026, 10, 1), date(2026, 11, 1)
    rows = failures_by_code(start, end, admin=True)
    assert [(r["code"], r["count"]) for r in rows] == [("21211", 1), ("30003", 1), ("30007", 1)]
    assert str(rows[1]["meaning"]).startswith("Phone unreachable")
    assert {r["count"] for r in failures_by_code(start, end, admin=False)} == {"<5"}


def test_opt_outs_opt_ins_and_holds_per_month(app, changes):
    from reports.sms_delivery import contact_changes

    report = contact_changes(date(2026, 10, 1), date(2026, 12, 1), admin=True)
    assert report["rows"] == [
        {"group": "2026-10", "opt_outs": 3, "opt_ins": 1, "safety_holds": 5},
        {"group": "2026-11", "opt_outs": 1, "opt_ins": 0, "safety_holds": 0},
    ]
    hidden = contact_changes(date(2026, 10, 1), date(2026, 12, 1), admin=False)
    assert hidden["rows"][0] == {"group": "2026-10", "opt_outs": "<5", "opt_ins": "<5",
                                 "safety_holds": 5}  # fmt: skip
    # Opt-outs: both months hidden, and the total (4) is small too; safety holds: none hidden.
    assert hidden["totals"] == {"opt_outs": "<5", "opt_ins": "<5", "safety_holds": 5}


# ---- the page and the CSV -------------------------------------------------------------------


def test_the_page_shows_every_table_in_words(client, login_as, messages, changes):
    login_as("admin")
    response = client.get("/reports/sms-delivery", query_string={**OCTOBER, "group_by": "kind"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Reminder the day before" in html and "reminder_24h" not in html.split("<table")[1]
    assert "Phone unreachable" in html and "Invalid phone number" in html  # error meanings
    assert "Filtered by the carrier" in html
    assert "<td>3</td><td>1</td><td>5</td>" in html  # October: 3 opt-outs, 1 opt-in, 5 holds
    # The day-before reminders cost in taka (the SIM) and dollars (Twilio), each with its code.
    assert "<td>4.00 BDT<br>0.30 USD</td>" in html and "<td>0.30 USD</td>" in html
    statuses = html.split("Messages by status per month</h2>")[1].split("</table>")[0]
    assert '<th scope="col">Not delivered</th>' in statuses
    assert '<th scope="row">Oct 2026</th><td>1</td><td>14</td><td>1</td><td>2</td>' in statuses
    assert "<script" not in html and "style=" not in html


def test_gateways_are_named_in_words(client, login_as, messages):
    login_as("viewer")
    html = client.get(
        "/reports/sms-delivery", query_string={**OCTOBER, "group_by": "gateway"}
    ).get_data(as_text=True)
    assert "Phone with a local SIM" in html and "Twilio" in html
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "<td>6</td><td>5</td><td>0</td>" in body  # the SIM: sent, delivered, failed
    assert "<td>11</td><td>9</td><td>&lt;5</td>" in body  # Twilio: 3 failed, hidden


def test_the_page_in_bangla(client, login_as, messages, changes):
    login_as("viewer", language="bn")
    html = client.get(
        "/reports/sms-delivery", query_string={**OCTOBER, "group_by": "kind"}
    ).get_data(as_text=True)
    assert "১২" in html and "&lt;৫" in html
    assert "SMS delivery and cost" not in html and "Messages by status per month" not in html
    assert "পৌঁছায়নি" in html  # "not delivered", a column of the status table
    assert "gateway's currency" not in html and "BDT" in html


@pytest.mark.parametrize("role", ["viewer", "admin"])
def test_every_table_as_csv_suppressed_for_every_role(client, login_as, messages, changes, role):
    from core.audit import AuditEvent

    login_as(role)
    query = {**OCTOBER, "group_by": "kind"}

    def table(name):
        response = client.get("/reports/sms-delivery.csv", query_string={**query, "table": name})
        assert response.status_code == 200 and response.mimetype == "text/csv"
        return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))

    rows = table("messages")
    assert [r["group"] for r in rows] == [
        "referral_created",
        "reminder_24h",
        "reminder_2h",
        "Total",
    ]
    assert rows[0]["sent"] == "<5" and rows[1]["sent"] == "12" and rows[3]["delivered"] == ""
    # A column per currency; `cost` only where one currency is involved.
    assert (rows[1]["cost"], rows[1]["cost_BDT"], rows[1]["cost_USD"]) == ("", "4.0", "0.3")
    assert (rows[2]["cost"], rows[2]["cost_BDT"], rows[2]["cost_USD"]) == ("0.3", "", "0.3")
    statuses = table("statuses")
    assert statuses == [
        {"month": "2026-10", "sent": "<5", "delivered": "14", "undelivered": "<5", "failed": "<5"},
        {"month": "Total", "sent": "<5", "delivered": "14", "undelivered": "<5", "failed": "<5"},
    ]
    failures = table("failures")
    assert {r["error_code"] for r in failures} == {"30003", "30007", "21211"}
    assert {r["count"] for r in failures} == {"<5"}
    assert failures[0]["meaning"]
    changes_rows = table("changes")
    assert changes_rows[0] == {
        "month": "2026-10", "opt_outs": "<5", "opt_ins": "<5", "safety_holds": "5"
    }  # fmt: skip
    exports = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report.export")
    ).all()
    assert len(exports) == 4 and {e.details["report"] for e in exports} == {"sms_delivery"}


def test_pages_refuse_other_roles(client, login_as):
    login_as("clinic_partner")
    assert client.get("/reports/sms-delivery").status_code == 403
    assert client.get("/reports/sms-delivery.csv").status_code == 403
