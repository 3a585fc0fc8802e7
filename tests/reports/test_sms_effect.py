"""The SMS effect report: the cohort and its arms, every figure, Newcombe's interval against the
published hand computation, suppression for viewers, the API, the page, CSV, roles and audit."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from reports.sms_effect import newcombe, wilson
from reports.summary.refresh import as_of_iso
from tests.support.clock import dhaka
from tests.support.reports import summarise

URL = "/api/v1/reports/sms-effect"
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}
CREATED = dhaka(2026, 10, 5)  # the appointment is two days later, 10:00
APPOINTMENT = CREATED + timedelta(days=2)
LAST_REMINDER = APPOINTMENT - timedelta(hours=2)  # when the 2-hour reminder is delivered
H = timedelta(hours=1)


# ---- the statistics -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"),
    [  # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10
        ((56, 70, 48, 80), (0.2000, 0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.6000, 0.1705, 0.8090)),
        ((6, 7, 2, 7), (0.5714, 0.0582, 0.8062)),
        ((5, 56, 0, 29), (0.0893, -0.0381, 0.1926)),
        ((0, 10, 0, 20), (0.0000, -0.1611, 0.2775)),
        ((10, 10, 0, 20), (1.0000, 0.6791, 1.0000)),
    ],
)
def test_newcombe_matches_the_published_examples(counts, expected):
    assert tuple(round(v, 4) for v in newcombe(*counts)) == expected


def test_wilson_matches_the_published_example():
    # Newcombe (1998), "Two-sided confidence intervals for the single proportion", Statistics
    # in Medicine 17:857-872: 81/263 → 0.2553 to 0.3662 (the score method, no correction).
    assert tuple(round(v, 4) for v in wilson(81, 263)) == (0.2553, 0.3662)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == pytest.approx(1.0)


# ---- a known cohort -------------------------------------------------------------------------


def _mark(referral, statuses: dict[str, str], *, sent_after_failure: bool = False) -> None:
    """Put each of the referral's messages of a kind into a status, with the times it implies."""
    from notifications.models import OutboxMessage

    for kind, status in statuses.items():
        row = db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.subject == f"referral:{referral.code}", OutboxMessage.kind == kind)
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert row is not None, (referral.code, kind)
        row.status = status
        row.sent_at = row.delivered_at = None
        # Its own appointment's reminder times (APPOINTMENT for those made at CREATED).
        at = referral.appointment_at - timedelta(hours=2 if kind == "reminder_2h" else 24)
        if status in ("sent", "delivered", "undelivered") or sent_after_failure:
            row.sent_at = at - timedelta(minutes=1)
        if status == "delivered":
            row.delivered_at = at
    db.session.commit()


@pytest.fixture
def cohort(world, refer):
    """Clinic A: delivered 9/10, unconfirmed 3/5, none sent 3/10; clinic B: delivered 3/3,
    none sent 3/6; plus referrals the cohort leaves out. Visits 1 h (six), 3 h (three) after
    A's last reminder, 8 h after B's."""
    from referrals.services import lifecycle, sweep

    def made(count, clinic="a", attend=None, created=CREATED):
        return refer(
            created=created, clinic=clinic, appointment=True, attend_after=attend, count=count
        )

    delivered = {"reminder_24h": "delivered", "reminder_2h": "delivered"}
    to_last = APPOINTMENT - CREATED - 2 * H  # from creation to the last reminder
    groups = [  # (referrals, the statuses of their messages)
        (made(6, attend=to_last + 1 * H), delivered),
        (made(3, attend=to_last + 3 * H), delivered),
        (made(1), delivered),  # missed
        (made(3, clinic="b", attend=to_last + 8 * H), delivered),
        (made(2, attend=to_last + 5 * H), {"reminder_24h": "sent"}),
        (made(1), {"reminder_24h": "sent", "reminder_2h": "undelivered"}),
        (made(1), {"reminder_24h": "sent", "reminder_2h": "cancelled"}),
        (made(3, attend=to_last + 1 * H), {"reminder_24h": "skipped", "reminder_2h": "cancelled"}),
        (made(7), {"reminder_24h": "failed", "reminder_2h": "skipped"}),  # failed at once
        (made(3, clinic="b", attend=to_last), {"reminder_24h": "cancelled"}),
        (made(3, clinic="b"), {"reminder_24h": "cancelled", "referral_created": "delivered"}),
    ]
    # Unconfirmed too: its reminder failed after it was sent.
    failed_after_sending = made(1, attend=to_last + 2 * H)
    # Left out: cancelled, no appointment, still open, made in November.
    cancelled = made(1)
    lifecycle.cancel(cancelled[0].code, "moved away", actor=world["admin"], now=CREATED + H)
    refer(created=CREATED, attend_after=timedelta(days=1))  # no appointment
    open_one = made(1, created=dhaka(2026, 10, 25))
    november = made(1, created=dhaka(2026, 11, 2), attend=to_last + 1 * H)
    sweep.sweep(now=dhaka(2026, 10, 20))  # the unvisited ones are missed
    db.session.commit()
    for referrals, statuses in groups:
        for referral in referrals:
            _mark(referral, statuses)
    _mark(failed_after_sending[0], {"reminder_24h": "failed"}, sent_after_failure=True)
    for referral in (*cancelled, *open_one, *november):
        _mark(referral, delivered)
    summarise()


def _arm(referred, attended, rate):
    return {"referred": referred, "attended": attended, "rate": rate}


def _get(client, headers, **query):
    response = client.get(URL, query_string={**OCTOBER, **query}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_every_figure_for_an_admin_by_clinic(client, api_headers, cohort):
    report = _get(client, api_headers("admin"), group_by="clinic")
    assert report["as_of"] == as_of_iso() and report["as_of"] is not None  # the last refresh
    alpha, beta = report["rows"]
    a, b, c = newcombe(3, 3, 3, 6)
    assert beta == {
        "group": "Beta Clinic",
        "with_reminders": _arm(3, 3, 1.0),
        "unconfirmed": _arm(0, 0, None),
        "without_reminders": _arm(6, 3, 0.5),
        "difference": round(a, 4),
        "ci_low": round(b, 4),
        "ci_high": round(c, 4),
        "median_hours_last_reminder_to_visit": 8.0,
    }
    # Alpha is Newcombe's example (b): 9/10 against 3/10 → 0.6000, 0.1705 to 0.8090.
    assert alpha == {
        "group": "Alpha Clinic",
        "with_reminders": _arm(10, 9, 0.9),
        "unconfirmed": _arm(5, 3, 0.6),
        "without_reminders": _arm(10, 3, 0.3),
        "difference": 0.6,
        "ci_low": 0.1705,
        "ci_high": 0.809,
        "median_hours_last_reminder_to_visit": 1.0,
    }
    low, high = newcombe(12, 13, 6, 16)[1:]
    assert report["totals"] == {
        "with_reminders": _arm(13, 12, round(12 / 13, 4)),
        "unconfirmed": _arm(5, 3, 0.6),
        "without_reminders": _arm(16, 6, 0.375),
        "difference": round(12 / 13 - 6 / 16, 4),
        "ci_low": round(low, 4),
        "ci_high": round(high, 4),
        # 1 h six times, 3 h three times, 8 h three times: the middle pair is (1, 3).
        "median_hours_last_reminder_to_visit": 2.0,
    }


def test_a_reminder_delivered_after_the_visit_is_not_the_last_before_it(client, api_headers, refer):
    from notifications.models import OutboxMessage

    (referral,) = refer(created=CREATED, appointment=True, attend_after=APPOINTMENT - CREATED - H)
    _mark(referral, {"reminder_24h": "delivered", "reminder_2h": "delivered"})
    late = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "reminder_2h")
    ).one()
    late.delivered_at = APPOINTMENT  # an hour after she came
    db.session.commit()
    summarise()
    report = _get(client, api_headers("admin"), group_by="clinic")
    # From the day-before reminder (24 h before the appointment) to the visit (1 h before it).
    assert report["totals"]["median_hours_last_reminder_to_visit"] == 23.0
    assert report["totals"]["with_reminders"] == _arm(1, 1, 1.0)


def test_by_month_the_range_decides(client, api_headers, cohort):
    headers = api_headers("admin")
    october = _get(client, headers, group_by="month")
    assert [row["group"] for row in october["rows"]] == ["2026-10"]
    assert october["rows"][0]["with_reminders"] == _arm(13, 12, round(12 / 13, 4))
    both = _get(client, headers, group_by="month", to="2026-11-30")
    assert [row["group"] for row in both["rows"]] == ["2026-10", "2026-11"]
    assert both["rows"][1]["with_reminders"] == _arm(1, 1, 1.0)
    assert both["totals"]["with_reminders"] == _arm(14, 13, round(13 / 14, 4))


def test_a_range_of_part_months_counts_their_days_and_whole_months_once(
    client, api_headers, refer, cohort
):
    delivered = {"reminder_24h": "delivered", "reminder_2h": "delivered"}
    to_last = APPOINTMENT - CREATED - 2 * H

    def made(created, statuses, after=H):
        for referral in refer(created=created, appointment=True, attend_after=to_last + after):
            _mark(referral, statuses)

    made(dhaka(2026, 9, 14), delivered)  # before the range
    for _ in range(2):
        made(dhaka(2026, 9, 20), delivered, 5 * H + 40 * timedelta(minutes=1))  # 5 whole hours
    made(dhaka(2026, 9, 30, 23, 50), {"reminder_24h": "cancelled"})  # 17:50 UTC: still September
    made(dhaka(2026, 11, 10, 0, 5), delivered)  # 9 Nov 18:05 UTC, but 10 Nov here: after `to`
    summarise()
    # 15 Sep to 9 Nov: September's and November's days from day rows, October's month row.
    report = _get(
        client, api_headers("admin"), group_by="month", **{"from": "2026-09-15"}, to="2026-11-09"
    )
    rows = {row["group"]: row for row in report["rows"]}
    assert list(rows) == ["2026-09", "2026-10", "2026-11"]
    september, october, november = rows.values()
    assert september["with_reminders"] == _arm(2, 2, 1.0)
    assert september["without_reminders"] == _arm(1, 1, 1.0)
    assert september["median_hours_last_reminder_to_visit"] == 5.0  # 5 h 40 min twice
    assert october["with_reminders"] == _arm(13, 12, round(12 / 13, 4))  # the fixture's October
    assert october["unconfirmed"] == _arm(5, 3, 0.6)
    assert october["without_reminders"] == _arm(16, 6, 0.375)
    assert october["median_hours_last_reminder_to_visit"] == 2.0
    assert november["with_reminders"] == _arm(1, 1, 1.0)  # 2 Nov only
    assert november["median_hours_last_reminder_to_visit"] == 1.0
    totals = report["totals"]
    assert totals["with_reminders"] == _arm(16, 15, round(15 / 16, 4))
    assert totals["unconfirmed"] == _arm(5, 3, 0.6)
    assert totals["without_reminders"] == _arm(17, 7, round(7 / 17, 4))
    # 1 h seven times (six in October, 2 Nov), 3 h three times, 5 h twice, 8 h three times:
    # fifteen visits, the eighth is 3 h.
    assert totals["median_hours_last_reminder_to_visit"] == 3.0
    by_clinic = _get(
        client, api_headers("admin"), group_by="clinic", **{"from": "2026-09-15"}, to="2026-11-09"
    )
    assert by_clinic["totals"] == totals


def test_the_figures_are_those_of_the_last_refresh(client, api_headers, refer, cohort):
    headers = api_headers("admin")
    before = _get(client, headers, group_by="clinic")
    to_last = APPOINTMENT - CREATED - 2 * H
    more = refer(created=CREATED, appointment=True, attend_after=to_last + 8 * H, count=2)
    for referral in more:
        _mark(referral, {"reminder_24h": "delivered", "reminder_2h": "delivered"})
    stale = _get(client, headers, group_by="clinic")
    assert stale["rows"] == before["rows"] and stale["totals"] == before["totals"]
    summarise()
    fresh = _get(client, headers, group_by="clinic")
    assert fresh["rows"][0]["with_reminders"] == _arm(12, 11, round(11 / 12, 4))
    # 1 h six times, 3 h three times, 8 h five times: the 7th and 8th of fourteen are 3 h.
    assert fresh["totals"]["median_hours_last_reminder_to_visit"] == 3.0


def test_the_median_of_an_even_count_of_whole_hours(client, api_headers, refer):
    to_last = APPOINTMENT - CREATED - 2 * H
    minute = timedelta(minutes=1)
    for after in (H + 30 * minute, 2 * H + 10 * minute, 5 * H + 50 * minute, 9 * H):
        (referral,) = refer(created=CREATED, appointment=True, attend_after=to_last + after)
        _mark(referral, {"reminder_24h": "delivered", "reminder_2h": "delivered"})
    summarise()
    report = _get(client, api_headers("admin"), group_by="clinic")
    # Whole hours 1, 2, 5, 9 → (2 + 5) / 2 = 3.5 (the exact times' median would be 4.0).
    assert report["rows"][0]["median_hours_last_reminder_to_visit"] == 3.5
    assert report["totals"]["median_hours_last_reminder_to_visit"] == 3.5


def test_a_viewer_sees_small_counts_hidden(client, api_headers, cohort):
    report = _get(client, api_headers("viewer"), group_by="clinic")
    alpha, beta = report["rows"]
    assert alpha["unconfirmed"] == _arm(5, "<5", None)
    assert alpha["without_reminders"] == _arm(10, "<5", None)
    assert alpha["difference"] is alpha["ci_low"] is alpha["ci_high"] is None
    assert alpha["median_hours_last_reminder_to_visit"] == 1.0  # nine visits
    assert beta["with_reminders"] == _arm("<5", "<5", None)
    assert beta["without_reminders"] == _arm(6, "<5", None)
    assert beta["median_hours_last_reminder_to_visit"] is None  # three visits
    totals = report["totals"]
    # Beta alone is hidden among "with": its totals would give Beta's counts away.
    assert totals["with_reminders"] == _arm(None, None, None)
    assert totals["without_reminders"] == _arm(16, 6, 0.375)  # both groups hidden: kept
    assert totals["unconfirmed"] == _arm(5, "<5", None)
    assert totals["difference"] is None
    assert totals["median_hours_last_reminder_to_visit"] == 2.0


def test_an_empty_range_answers_zeros(client, api_headers, world):
    summarise()
    report = _get(client, api_headers("viewer"), group_by="clinic")
    assert report["rows"] == []
    assert report["totals"]["with_reminders"] == _arm(0, 0, None)
    assert report["totals"]["difference"] is None


def test_reads_are_audited_with_the_filters(client, api_headers, world):
    from core.audit import AuditEvent

    _get(client, api_headers("viewer"), group_by="clinic")
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
    response = client.get(URL, headers=api_headers(role))
    assert response.status_code == 403


def test_no_token_is_401(client):
    assert client.get(URL).status_code == 401


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
    response = client.get(URL, query_string=query, headers=api_headers("viewer"))
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
