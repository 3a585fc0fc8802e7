"""The SMS delivery report: messages with their attempts and statuses by month, kind and gateway,
read from the report summary (refreshed with `summarise()` before each read); cost at each
gateway's price in its currency, never added across currencies; messages by status per month;
failures by code, opt-outs/opt-ins/holds, suppression, the API, the page, CSV, roles and audit."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from tests.support import factories
from tests.support.clock import dhaka
from tests.support.reports import summarise

URL = "/api/v1/reports/sms-delivery"
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}
SENT_AT = dhaka(2026, 10, 10)
_refs = itertools.count(1)


@pytest.fixture
def app_config(app_config):
    """Twilio at 0.05 a segment (USD by default), the local SIM at 0.5 (BDT by default)."""
    app_config.update(SMS_PRICE_PER_SEGMENT="0.05", SMSGATE_PRICE_PER_SEGMENT="0.5")
    return app_config


def _message(kind, status, gateways=(), *, segments=1, code=None, sent=True, at=SENT_AT):
    """An outbox row in `status` with one attempt per gateway (the last one carried it)."""
    from notifications.models import MessageAttempt

    contact = factories.make_contact()
    fields = {"segments": segments, "error_code": code, "send_at": at}
    if status in ("sent", "delivered", "undelivered", "failed"):
        fields["sent_at"] = at if sent else None
    message = factories.make_message(contact, kind, status=status, **fields)
    for number, gateway in enumerate(gateways, start=1):
        last = number == len(gateways)
        db.session.add(
            MessageAttempt(
                message_id=message.id,
                number=number,
                gateway=gateway,
                reference=f"ref-{next(_refs)}",
                status=status if last else "failed",
            )
        )
    db.session.commit()
    return message


@pytest.fixture
def messages(app):
    """Twilio: 8 delivered (6 one-segment day-before reminders, 2 two-segment 2-hour ones), one
    undelivered (30003), a welcome failed after sending (30007) and one failed at once (21211),
    and a 2-hour reminder that failed over from the SIM; the SIM: 5 delivered, 1 sent (3
    segments). Not counted: pending, cancelled, skipped, November. The summary is then rebuilt."""
    for _ in range(6):
        _message("reminder_24h", "delivered", ["twilio"])
    for _ in range(2):
        _message("reminder_2h", "delivered", ["twilio"], segments=2)
    _message("reminder_2h", "undelivered", ["twilio"], code="30003")
    _message("referral_created", "failed", ["twilio"], code="30007")
    _message("referral_created", "failed", ["twilio"], code="21211", sent=False)
    _message("reminder_2h", "delivered", ["smsgate", "twilio"])
    for _ in range(5):
        _message("reminder_24h", "delivered", ["smsgate"])
    _message("reminder_24h", "sent", ["smsgate"], segments=3)
    for status in ("pending", "cancelled", "skipped"):
        _message("reminder_24h", status)
    _message("reminder_24h", "delivered", ["twilio"], at=dhaka(2026, 11, 3))
    summarise()


def _cells(sent, delivered, failed, rate, segments, cost, costs=None):
    """A row's cells; `costs` ({currency: amount}) defaults to `cost` in US dollars."""
    if costs is None:
        costs = {"USD": cost}
    return {
        "sent": sent,
        "delivered": delivered,
        "failed": failed,
        "delivery_rate": rate,
        "segments": segments,
        "costs": costs,
        "cost": cost,
    }


def _get(client, headers, **query):
    response = client.get(URL, query_string={**OCTOBER, **query}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# October: the SIM's 8 segments at 0.5 taka, Twilio's 13 at 0.05 dollars: two currencies, no sum.
STATUSES = ("sent", "delivered", "undelivered", "failed")
TOTALS = _cells(17, 14, 3, round(14 / 17, 4), 21, None, {"BDT": 4.0, "USD": 0.65})


def test_by_gateway_with_cost_at_each_price(client, api_headers, messages):
    report = _get(client, api_headers("admin"), group_by="gateway")
    assert report["rows"] == [
        {"group": "smsgate", **_cells(6, 5, 0, round(5 / 6, 4), 8, 4.0, {"BDT": 4.0})},
        {"group": "twilio", **_cells(11, 9, 3, round(9 / 11, 4), 13, 0.65)},
    ]
    assert report["totals"] == TOTALS


def test_by_kind_in_the_kinds_order(client, api_headers, messages):
    report = _get(client, api_headers("admin"), group_by="kind")
    assert report["rows"] == [
        {"group": "referral_created", **_cells(1, 0, 2, 0.0, 1, 0.05)},
        # 6 Twilio segments (0.30 dollars) and 8 of the SIM (4 taka): no single cost.
        {
            "group": "reminder_24h",
            **_cells(12, 11, 0, round(11 / 12, 4), 14, None, {"BDT": 4.0, "USD": 0.3}),
        },
        {"group": "reminder_2h", **_cells(4, 3, 1, 0.75, 6, 0.3)},
    ]
    assert report["totals"] == TOTALS


def test_one_currency_for_both_gateways_gives_one_cost(app, client, api_headers, messages):
    app.config["SMSGATE_PRICE_CURRENCY"] = "usd"
    report = _get(client, api_headers("admin"), group_by="kind")
    assert report["rows"][1]["costs"] == {"USD": 4.3} and report["rows"][1]["cost"] == 4.3
    assert report["totals"] == _cells(17, 14, 3, round(14 / 17, 4), 21, 4.65)


def test_a_twilio_and_a_sim_message_cost_apart(client, api_headers, app):
    _message("reminder_24h", "delivered", ["twilio"], segments=2)
    _message("reminder_24h", "delivered", ["smsgate"])
    summarise()
    report = _get(client, api_headers("admin"), group_by="kind")
    cells = _cells(2, 2, 0, 1.0, 3, None, {"BDT": 0.5, "USD": 0.1})
    assert report["rows"] == [{"group": "reminder_24h", **cells}]
    assert report["totals"] == cells
    # A viewer: each amount rests on fewer than 5 segments, so it is hidden like them.
    hidden = _get(client, api_headers("viewer"), group_by="kind")["totals"]
    assert hidden["costs"] == {"BDT": None, "USD": None} and hidden["cost"] is None


def test_a_range_from_mid_month_to_mid_month(client, api_headers, messages):
    """20 September to 10 November: September's and November's days, October whole."""
    _message("reminder_24h", "delivered", ["twilio"], at=dhaka(2026, 9, 25))
    _message("reminder_24h", "delivered", ["twilio"], at=dhaka(2026, 9, 19, 23, 59))  # before
    _message("reminder_2h", "failed", ["twilio"], code="30003", at=dhaka(2026, 11, 11, 0, 0))
    summarise()
    report = _get(
        client, api_headers("admin"), group_by="month", **{"from": "2026-09-20", "to": "2026-11-10"}
    )
    assert report["rows"] == [
        {"group": "2026-09", **_cells(1, 1, 0, 1.0, 1, 0.05)},
        {"group": "2026-10", **TOTALS},
        {"group": "2026-11", **_cells(1, 1, 0, 1.0, 1, 0.05)},
    ]
    assert report["totals"] == _cells(
        19, 16, 3, round(16 / 19, 4), 23, None, {"BDT": 4.0, "USD": 0.75}
    )
    assert [row["group"] for row in report["statuses"]["rows"]] == ["2026-09", "2026-10", "2026-11"]
    assert report["statuses"]["totals"] == {
        "sent": 1,
        "delivered": 16,
        "undelivered": 1,
        "failed": 2,
    }


def test_by_month(client, api_headers, messages):
    report = _get(client, api_headers("admin"), group_by="month", to="2026-11-30")
    assert [row["group"] for row in report["rows"]] == ["2026-10", "2026-11"]
    assert {k: v for k, v in report["rows"][0].items() if k != "group"} == TOTALS
    assert report["rows"][1] == {"group": "2026-11", **_cells(1, 1, 0, 1.0, 1, 0.05)}


def test_messages_by_status_per_month(client, api_headers, messages):
    """October: the SIM's message still `sent`, 14 delivered, 1 undelivered, 2 failed;
    November: 1 delivered. The same table whatever the grouping."""
    query = {"group_by": "kind", "to": "2026-11-30"}
    statuses = _get(client, api_headers("admin"), **query)["statuses"]
    assert statuses == {
        "rows": [
            {"group": "2026-10", "sent": 1, "delivered": 14, "undelivered": 1, "failed": 2},
            {"group": "2026-11", "sent": 0, "delivered": 1, "undelivered": 0, "failed": 0},
        ],
        "totals": {"sent": 1, "delivered": 15, "undelivered": 1, "failed": 2},
    }
    hidden = _get(client, api_headers("viewer"), **query)["statuses"]
    assert hidden["rows"] == [
        {"group": "2026-10", "sent": "<5", "delivered": 14, "undelivered": "<5", "failed": "<5"},
        {"group": "2026-11", "sent": 0, "delivered": "<5", "undelivered": 0, "failed": 0},
    ]
    # Delivered: November alone hidden → the total (15) would give it away: withheld.
    assert hidden["totals"] == {
        "sent": "<5",
        "delivered": None,
        "undelivered": "<5",
        "failed": "<5",
    }


def test_the_answer_says_when_its_figures_were_computed(client, api_headers, messages):
    from datetime import datetime

    from reports.summary.refresh import as_of_iso

    report = _get(client, api_headers("viewer"))
    assert report["as_of"] == as_of_iso() and report["as_of"] is not None
    assert datetime.fromisoformat(report["as_of"]).utcoffset() is not None


def test_figures_wait_for_the_summary(client, api_headers, messages):
    _message("reminder_24h", "delivered", ["twilio"])
    assert _get(client, api_headers("admin"))["totals"] == TOTALS
    summarise()
    assert _get(client, api_headers("admin"))["totals"]["sent"] == 18


def test_a_viewer_sees_small_counts_hidden(client, api_headers, messages):
    report = _get(client, api_headers("viewer"), group_by="kind")
    created, day_before, two_hours = report["rows"]
    assert created == {"group": "referral_created", **_cells("<5", 0, "<5", None, "<5", None)}
    assert two_hours == {"group": "reminder_2h", **_cells("<5", "<5", "<5", None, 6, 0.3)}
    assert day_before["sent"] == 12 and day_before["costs"] == {"BDT": 4.0, "USD": 0.3}
    # Delivered: one group alone hidden → withheld (and the rate built on it); segments too, and
    # with them every amount (an amount ÷ the price gives the segments).
    assert report["totals"] == _cells(17, None, "<5", None, None, None, {"BDT": None, "USD": None})


def test_an_empty_range(client, api_headers, app):
    summarise()
    report = _get(client, api_headers("viewer"))
    assert report["rows"] == [] and report["totals"] == _cells(0, 0, 0, None, 0, 0.0, {})
    assert report["statuses"] == {"rows": [], "totals": dict.fromkeys(STATUSES, 0)}


def test_reads_are_audited(client, api_headers, app):
    from core.audit import AuditEvent

    _get(client, api_headers("viewer"), group_by="gateway")
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report.read")
    ).one()
    assert (event.entity_type, event.entity_id) == ("report", "sms_delivery")
    assert event.details == {
        "report": "sms_delivery", "from": "2026-10-01", "to": "2026-10-31", "group_by": "gateway"
    }  # fmt: skip


@pytest.mark.parametrize("role", ["peer_educator", "clinic_partner"])
def test_other_roles_get_403(client, api_headers, role):
    assert client.get(URL, headers=api_headers(role)).status_code == 403


def test_no_token_is_401(client):
    assert client.get(URL).status_code == 401


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
    response = client.get(URL, query_string=query, headers=api_headers("viewer"))
    assert response.status_code == status
    assert field in response.get_json()["error"]["fields"]


def test_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {p["name"] for p in paths["/reports/sms-delivery"]["get"]["parameters"]} >= {
        "from", "to", "group_by"
    }  # fmt: skip


# ---- failures, contact changes ----------------------------------------------------------------


def _audit(action, at):
    from core.audit import record

    event = record(None, action, "member", 1)
    event.at = at


@pytest.fixture
def changes(app):
    """October: 2 opt-outs on the member's page and 1 by SMS, 1 opt-in, 5 safety holds (and a
    release, not counted); November: 1 opt-out."""
    october = dhaka(2026, 10, 12)
    for action in ["member.opt_out"] * 2 + ["contact.opt_out", "member.opt_in"]:
        _audit(action, october)
    for _ in range(5):
        _audit("member.safety_hold", october + timedelta(days=3))
    _audit("member.safety_release", october)
    _audit("member.opt_out", dhaka(2026, 11, 2))
    db.session.commit()


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
