"""The SMS effect report's figures: Newcombe's interval and Wilson's against the published hand
computations, then the API's figures of a known cohort (the `cohort` fixture, in conftest.py):
its arms by clinic and by month, part-month ranges, medians of whole hours, the summary's
freshness, suppression for viewers and an empty range. Refusals, audit, the page and the CSV are
in test_sms_effect_pages.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from reports.sms_effect import newcombe, wilson
from reports.summary.refresh import as_of_iso
from tests.support.clock import dhaka
from tests.support.reports import summarise
from tests.support.sms_reports import (
    APPOINTMENT,
    CREATED,
    H,
    arm,
    get_effect,
    mark_messages,
)

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


# ---- the figures of a known cohort ----------------------------------------------------------


def test_every_figure_for_an_admin_by_clinic(client, api_headers, cohort):
    report = get_effect(client, api_headers("admin"), group_by="clinic")
    assert report["as_of"] == as_of_iso() and report["as_of"] is not None  # the last refresh
    alpha, beta = report["rows"]
    a, b, c = newcombe(3, 3, 3, 6)
    assert beta == {
        "group": "Beta Clinic",
        "with_reminders": arm(3, 3, 1.0),
        "unconfirmed": arm(0, 0, None),
        "without_reminders": arm(6, 3, 0.5),
        "difference": round(a, 4),
        "ci_low": round(b, 4),
        "ci_high": round(c, 4),
        "median_hours_last_reminder_to_visit": 8.0,
    }
    # Alpha is Newcombe's example (b): 9/10 against 3/10 → 0.6000, 0.1705 to 0.8090.
    assert alpha == {
        "group": "Alpha Clinic",
        "with_reminders": arm(10, 9, 0.9),
        "unconfirmed": arm(5, 3, 0.6),
        "without_reminders": arm(10, 3, 0.3),
        "difference": 0.6,
        "ci_low": 0.1705,
        "ci_high": 0.809,
        "median_hours_last_reminder_to_visit": 1.0,
    }
    low, high = newcombe(12, 13, 6, 16)[1:]
    assert report["totals"] == {
        "with_reminders": arm(13, 12, round(12 / 13, 4)),
        "unconfirmed": arm(5, 3, 0.6),
        "without_reminders": arm(16, 6, 0.375),
        "difference": round(12 / 13 - 6 / 16, 4),
        "ci_low": round(low, 4),
        "ci_high": round(high, 4),
        # 1 h six times, 3 h three times, 8 h three times: the middle pair is (1, 3).
        "median_hours_last_reminder_to_visit": 2.0,
    }


def test_a_reminder_delivered_after_the_visit_is_not_the_last_before_it(client, api_headers, refer):
    from notifications.models import OutboxMessage

    (referral,) = refer(created=CREATED, appointment=True, attend_after=APPOINTMENT - CREATED - H)
    mark_messages(referral, {"reminder_24h": "delivered", "reminder_2h": "delivered"})
    late = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "reminder_2h")
    ).one()
    late.delivered_at = APPOINTMENT  # an hour after she came
    db.session.commit()
    summarise()
    report = get_effect(client, api_headers("admin"), group_by="clinic")
    # From the day-before reminder (24 h before the appointment) to the visit (1 h before it).
    assert report["totals"]["median_hours_last_reminder_to_visit"] == 23.0
    assert report["totals"]["with_reminders"] == arm(1, 1, 1.0)


def test_by_month_the_range_decides(client, api_headers, cohort):
    headers = api_headers("admin")
    october = get_effect(client, headers, group_by="month")
    assert [row["group"] for row in october["rows"]] == ["2026-10"]
    assert october["rows"][0]["with_reminders"] == arm(13, 12, round(12 / 13, 4))
    both = get_effect(client, headers, group_by="month", to="2026-11-30")
    assert [row["group"] for row in both["rows"]] == ["2026-10", "2026-11"]
    assert both["rows"][1]["with_reminders"] == arm(1, 1, 1.0)
    assert both["totals"]["with_reminders"] == arm(14, 13, round(13 / 14, 4))


def test_a_range_of_part_months_counts_their_days_and_whole_months_once(
    client, api_headers, refer, cohort
):
    delivered = {"reminder_24h": "delivered", "reminder_2h": "delivered"}
    to_last = APPOINTMENT - CREATED - 2 * H

    def made(created, statuses, after=H):
        for referral in refer(created=created, appointment=True, attend_after=to_last + after):
            mark_messages(referral, statuses)

    made(dhaka(2026, 9, 14), delivered)  # before the range
    for _ in range(2):
        made(dhaka(2026, 9, 20), delivered, 5 * H + 40 * timedelta(minutes=1))  # 5 whole hours
    made(dhaka(2026, 9, 30, 23, 50), {"reminder_24h": "cancelled"})  # 17:50 UTC: still September
    made(dhaka(2026, 11, 10, 0, 5), delivered)  # 9 Nov 18:05 UTC, but 10 Nov here: after `to`
    summarise()
    # 15 Sep to 9 Nov: September's and November's days from day rows, October's month row.
    report = get_effect(
        client, api_headers("admin"), group_by="month", **{"from": "2026-09-15"}, to="2026-11-09"
    )
    rows = {row["group"]: row for row in report["rows"]}
    assert list(rows) == ["2026-09", "2026-10", "2026-11"]
    september, october, november = rows.values()
    assert september["with_reminders"] == arm(2, 2, 1.0)
    assert september["without_reminders"] == arm(1, 1, 1.0)
    assert september["median_hours_last_reminder_to_visit"] == 5.0  # 5 h 40 min twice
    assert october["with_reminders"] == arm(13, 12, round(12 / 13, 4))  # the fixture's October
    assert october["unconfirmed"] == arm(5, 3, 0.6)
    assert october["without_reminders"] == arm(16, 6, 0.375)
    assert october["median_hours_last_reminder_to_visit"] == 2.0
    assert november["with_reminders"] == arm(1, 1, 1.0)  # 2 Nov only
    assert november["median_hours_last_reminder_to_visit"] == 1.0
    totals = report["totals"]
    assert totals["with_reminders"] == arm(16, 15, round(15 / 16, 4))
    assert totals["unconfirmed"] == arm(5, 3, 0.6)
    assert totals["without_reminders"] == arm(17, 7, round(7 / 17, 4))
    # 1 h seven times (six in October, 2 Nov), 3 h three times, 5 h twice, 8 h three times:
    # fifteen visits, the eighth is 3 h.
    assert totals["median_hours_last_reminder_to_visit"] == 3.0
    by_clinic = get_effect(
        client, api_headers("admin"), group_by="clinic", **{"from": "2026-09-15"}, to="2026-11-09"
    )
    assert by_clinic["totals"] == totals


def test_the_figures_are_those_of_the_last_refresh(client, api_headers, refer, cohort):
    headers = api_headers("admin")
    before = get_effect(client, headers, group_by="clinic")
    to_last = APPOINTMENT - CREATED - 2 * H
    more = refer(created=CREATED, appointment=True, attend_after=to_last + 8 * H, count=2)
    for referral in more:
        mark_messages(referral, {"reminder_24h": "delivered", "reminder_2h": "delivered"})
    stale = get_effect(client, headers, group_by="clinic")
    assert stale["rows"] == before["rows"] and stale["totals"] == before["totals"]
    summarise()
    fresh = get_effect(client, headers, group_by="clinic")
    assert fresh["rows"][0]["with_reminders"] == arm(12, 11, round(11 / 12, 4))
    # 1 h six times, 3 h three times, 8 h five times: the 7th and 8th of fourteen are 3 h.
    assert fresh["totals"]["median_hours_last_reminder_to_visit"] == 3.0


def test_the_median_of_an_even_count_of_whole_hours(client, api_headers, refer):
    to_last = APPOINTMENT - CREATED - 2 * H
    minute = timedelta(minutes=1)
    for after in (H + 30 * minute, 2 * H + 10 * minute, 5 * H + 50 * minute, 9 * H):
        (referral,) = refer(created=CREATED, appointment=True, attend_after=to_last + after)
        mark_messages(referral, {"reminder_24h": "delivered", "reminder_2h": "delivered"})
    summarise()
    report = get_effect(client, api_headers("admin"), group_by="clinic")
    # Whole hours 1, 2, 5, 9 → (2 + 5) / 2 = 3.5 (the exact times' median would be 4.0).
    assert report["rows"][0]["median_hours_last_reminder_to_visit"] == 3.5
    assert report["totals"]["median_hours_last_reminder_to_visit"] == 3.5


def test_a_viewer_sees_small_counts_hidden(client, api_headers, cohort):
    report = get_effect(client, api_headers("viewer"), group_by="clinic")
    alpha, beta = report["rows"]
    assert alpha["unconfirmed"] == arm(5, "<5", None)
    assert alpha["without_reminders"] == arm(10, "<5", None)
    assert alpha["difference"] is alpha["ci_low"] is alpha["ci_high"] is None
    assert alpha["median_hours_last_reminder_to_visit"] == 1.0  # nine visits
    assert beta["with_reminders"] == arm("<5", "<5", None)
    assert beta["without_reminders"] == arm(6, "<5", None)
    assert beta["median_hours_last_reminder_to_visit"] is None  # three visits
    totals = report["totals"]
    # Beta alone is hidden among "with": its totals would give Beta's counts away.
    assert totals["with_reminders"] == arm(None, None, None)
    assert totals["without_reminders"] == arm(16, 6, 0.375)  # both groups hidden: kept
    assert totals["unconfirmed"] == arm(5, "<5", None)
    assert totals["difference"] is None
    assert totals["median_hours_last_reminder_to_visit"] == 2.0


def test_an_empty_range_answers_zeros(client, api_headers, world):
    summarise()
    report = get_effect(client, api_headers("viewer"), group_by="clinic")
    assert report["rows"] == []
    assert report["totals"]["with_reminders"] == arm(0, 0, None)
    assert report["totals"]["difference"] is None
