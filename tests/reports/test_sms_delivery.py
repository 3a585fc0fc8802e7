"""The SMS delivery report's figures: messages with their attempts and statuses by month, kind
and gateway, read from the report summary (refreshed with `summarise()` before each read); cost
at each gateway's price in its currency, never added across currencies; messages by status per
month; when the figures were computed; suppression for viewers; an empty range. The data are the
`messages` fixture (conftest.py). Audit, refusals, failures by code, contact changes, the page
and the CSV are in test_sms_delivery_pages.py."""

from __future__ import annotations

from tests.support.clock import dhaka
from tests.support.reports import summarise
from tests.support.sms_reports import STATUSES, TOTALS, get_delivery, outbox_message, row_cells


def test_by_gateway_with_cost_at_each_price(client, api_headers, messages):
    report = get_delivery(client, api_headers("admin"), group_by="gateway")
    assert report["rows"] == [
        {"group": "smsgate", **row_cells(6, 5, 0, round(5 / 6, 4), 8, 4.0, {"BDT": 4.0})},
        {"group": "twilio", **row_cells(11, 9, 3, round(9 / 11, 4), 13, 0.65)},
    ]
    assert report["totals"] == TOTALS


def test_by_kind_in_the_kinds_order(client, api_headers, messages):
    report = get_delivery(client, api_headers("admin"), group_by="kind")
    assert report["rows"] == [
        {"group": "referral_created", **row_cells(1, 0, 2, 0.0, 1, 0.05)},
        # 6 Twilio segments (0.30 dollars) and 8 of the SIM (4 taka): no single cost.
        {
            "group": "reminder_24h",
            **row_cells(12, 11, 0, round(11 / 12, 4), 14, None, {"BDT": 4.0, "USD": 0.3}),
        },
        {"group": "reminder_2h", **row_cells(4, 3, 1, 0.75, 6, 0.3)},
    ]
    assert report["totals"] == TOTALS


def test_one_currency_for_both_gateways_gives_one_cost(app, client, api_headers, messages):
    app.config["SMSGATE_PRICE_CURRENCY"] = "usd"
    report = get_delivery(client, api_headers("admin"), group_by="kind")
    assert report["rows"][1]["costs"] == {"USD": 4.3} and report["rows"][1]["cost"] == 4.3
    assert report["totals"] == row_cells(17, 14, 3, round(14 / 17, 4), 21, 4.65)


def test_a_twilio_and_a_sim_message_cost_apart(client, api_headers, app):
    outbox_message("reminder_24h", "delivered", ["twilio"], segments=2)
    outbox_message("reminder_24h", "delivered", ["smsgate"])
    summarise()
    report = get_delivery(client, api_headers("admin"), group_by="kind")
    cells = row_cells(2, 2, 0, 1.0, 3, None, {"BDT": 0.5, "USD": 0.1})
    assert report["rows"] == [{"group": "reminder_24h", **cells}]
    assert report["totals"] == cells
    # A viewer: each amount rests on fewer than 5 segments, so it is hidden like them.
    hidden = get_delivery(client, api_headers("viewer"), group_by="kind")["totals"]
    assert hidden["costs"] == {"BDT": None, "USD": None} and hidden["cost"] is None


def test_a_range_from_mid_month_to_mid_month(client, api_headers, messages):
    """20 September to 10 November: September's and November's days, October whole."""
    outbox_message("reminder_24h", "delivered", ["twilio"], at=dhaka(2026, 9, 25))
    outbox_message("reminder_24h", "delivered", ["twilio"], at=dhaka(2026, 9, 19, 23, 59))  # before
    outbox_message("reminder_2h", "failed", ["twilio"], code="30003", at=dhaka(2026, 11, 11, 0, 0))
    summarise()
    report = get_delivery(
        client, api_headers("admin"), group_by="month", **{"from": "2026-09-20", "to": "2026-11-10"}
    )
    assert report["rows"] == [
        {"group": "2026-09", **row_cells(1, 1, 0, 1.0, 1, 0.05)},
        {"group": "2026-10", **TOTALS},
        {"group": "2026-11", **row_cells(1, 1, 0, 1.0, 1, 0.05)},
    ]
    assert report["totals"] == row_cells(
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
    report = get_delivery(client, api_headers("admin"), group_by="month", to="2026-11-30")
    assert [row["group"] for row in report["rows"]] == ["2026-10", "2026-11"]
    assert {k: v for k, v in report["rows"][0].items() if k != "group"} == TOTALS
    assert report["rows"][1] == {"group": "2026-11", **row_cells(1, 1, 0, 1.0, 1, 0.05)}


def test_messages_by_status_per_month(client, api_headers, messages):
    """October: the SIM's message still `sent`, 14 delivered, 1 undelivered, 2 failed;
    November: 1 delivered. The same table whatever the grouping."""
    query = {"group_by": "kind", "to": "2026-11-30"}
    statuses = get_delivery(client, api_headers("admin"), **query)["statuses"]
    assert statuses == {
        "rows": [
            {"group": "2026-10", "sent": 1, "delivered": 14, "undelivered": 1, "failed": 2},
            {"group": "2026-11", "sent": 0, "delivered": 1, "undelivered": 0, "failed": 0},
        ],
        "totals": {"sent": 1, "delivered": 15, "undelivered": 1, "failed": 2},
    }
    hidden = get_delivery(client, api_headers("viewer"), **query)["statuses"]
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

    report = get_delivery(client, api_headers("viewer"))
    assert report["as_of"] == as_of_iso() and report["as_of"] is not None
    assert datetime.fromisoformat(report["as_of"]).utcoffset() is not None


def test_figures_wait_for_the_summary(client, api_headers, messages):
    outbox_message("reminder_24h", "delivered", ["twilio"])
    assert get_delivery(client, api_headers("admin"))["totals"] == TOTALS
    summarise()
    assert get_delivery(client, api_headers("admin"))["totals"]["sent"] == 18


def test_a_viewer_sees_small_counts_hidden(client, api_headers, messages):
    report = get_delivery(client, api_headers("viewer"), group_by="kind")
    created, day_before, two_hours = report["rows"]
    assert created == {"group": "referral_created", **row_cells("<5", 0, "<5", None, "<5", None)}
    assert two_hours == {"group": "reminder_2h", **row_cells("<5", "<5", "<5", None, 6, 0.3)}
    assert day_before["sent"] == 12 and day_before["costs"] == {"BDT": 4.0, "USD": 0.3}
    # Delivered: one group alone hidden → withheld (and the rate built on it); segments too, and
    # with them every amount (an amount ÷ the price gives the segments).
    assert report["totals"] == row_cells(
        17, None, "<5", None, None, None, {"BDT": None, "USD": None}
    )


def test_an_empty_range(client, api_headers, app):
    summarise()
    report = get_delivery(client, api_headers("viewer"))
    assert report["rows"] == [] and report["totals"] == row_cells(0, 0, 0, None, 0, 0.0, {})
    assert report["statuses"] == {"rows": [], "totals": dict.fromkeys(STATUSES, 0)}
