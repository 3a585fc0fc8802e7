"""The report summary the reports read: what a refresh recomputes and when, how a range is made
of month and day rows, the medians from histograms of whole values, the job and the command."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from reports import services
from reports.summary import read
from reports.summary.models import (
    MessageCounts,
    ReferralCounts,
    ReminderArmCounts,
    SummaryState,
    ValueCounts,
)
from reports.summary.periods import split_range
from reports.summary.refresh import as_of, refresh, refresh_job
from reports.summary.sources import TABLES
from tests.support.clock import dhaka
from tests.support.reports import summarise

OCT, DEC = date(2026, 10, 1), date(2026, 12, 1)


def referred(world, start=OCT, end=DEC, group_by="month"):
    result = services.cascade(start=start, end=end, group_by=group_by, actor=world["admin"])
    return {row["group"]: row["referred"] for row in result["rows"]}, result["totals"]


def test_the_reports_show_the_figures_of_the_last_refresh_until_the_next(world, refer):
    refer(created=dhaka(2026, 10, 4), count=2)
    summarise()
    first = as_of()
    assert referred(world)[0] == {"2026-10": 2}
    refer(created=dhaka(2026, 10, 5), count=3)
    assert referred(world)[0] == {"2026-10": 2}  # made after the refresh: not yet counted
    assert as_of() == first
    summarise()
    assert referred(world)[0] == {"2026-10": 5}
    assert as_of() is not None and as_of() >= first


def test_a_range_is_its_whole_months_and_the_days_around_them():
    assert split_range(date(2026, 10, 1), date(2026, 12, 1)) == (
        (date(2026, 10, 1), date(2026, 12, 1)),
        [],
    )
    assert split_range(date(2026, 10, 15), date(2026, 12, 10)) == (
        (date(2026, 11, 1), date(2026, 12, 1)),
        [(date(2026, 10, 15), date(2026, 11, 1)), (date(2026, 12, 1), date(2026, 12, 10))],
    )
    # No whole month inside: days only.
    assert split_range(date(2026, 10, 15), date(2026, 11, 10)) == (
        None,
        [(date(2026, 10, 15), date(2026, 11, 10))],
    )


def test_a_range_from_mid_month_to_mid_month_counts_each_day_once(world, refer):
    refer(created=dhaka(2026, 9, 30, 23, 30))  # before
    refer(created=dhaka(2026, 10, 15, 0, 5), count=2)  # the first day (local), at 18:05 UTC before
    refer(created=dhaka(2026, 10, 20))
    refer(created=dhaka(2026, 11, 3), count=4)  # a whole month inside the range
    refer(created=dhaka(2026, 12, 9, 23, 55))  # the last day
    refer(created=dhaka(2026, 12, 10, 0, 1))  # the day after: out
    summarise()
    groups, totals = referred(world, date(2026, 10, 15), date(2026, 12, 10))
    assert groups == {"2026-10": 3, "2026-11": 4, "2026-12": 1}
    assert totals["referred"] == 8
    groups, totals = referred(world, date(2026, 10, 16), date(2026, 10, 21))
    assert groups == {"2026-10": 1}


def test_each_month_row_is_the_sum_of_its_day_rows(world, refer):
    for day in (3, 3, 17, 30):
        refer(created=dhaka(2026, 10, day), appointment=True, attend_after=timedelta(days=day % 5))
    refer(created=dhaka(2026, 11, 2), services=("prep", "sti"), count=2)
    summarise()
    for model, group, sums in TABLES:
        table = model.__table__
        for grain in ("day", "month"):
            month = sa.func.substr(sa.cast(table.c.period, sa.String), 1, 7)
            query = (
                sa.select(
                    month, *(table.c[c] for c in group), *(sa.func.sum(table.c[c]) for c in sums)
                )
                .where(table.c.grain == grain)
                .group_by(month, *(table.c[c] for c in group))
            )
            found = {
                tuple(row[: -len(sums)]): tuple(row[-len(sums) :])
                for row in db.session.execute(query)
            }
            if grain == "day":
                days = found
            else:
                assert found == days, model.__tablename__
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReferralCounts)) > 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MessageCounts)) >= 0


@pytest.mark.parametrize(
    ("values", "median"),
    [([4], 4.0), ([2, 5], 3.5), ([0, 1, 1, 3], 1.0), ([1, 1, 2, 9, 9], 2.0), ([0, 0, 7, 8], 3.5)],
)
def test_the_median_of_whole_values_is_the_middle_one_or_the_mean_of_the_two(app, values, median):
    for day, value in enumerate(values, start=1):  # spread over days and a month row
        grain, period = ("month", date(2026, 9, 1)) if day == 1 else ("day", date(2026, 10, day))
        db.session.merge(
            ValueCounts(
                measure="visit_days",
                dimension="clinic",
                grain=grain,
                period=period,
                gkey="7",
                value=value,
                n=1,
            )
        )
    db.session.flush()
    # September whole (its month row), October's first 30 days (day rows).
    found = read.medians(
        "visit_days", "clinic", date(2026, 9, 1), date(2026, 10, 31), ValueCounts.__table__.c.gkey
    )
    assert found == {"7": (median, len(values))}


def test_a_recent_refresh_leaves_older_months_to_the_nightly_rebuild(app, world, refer):
    made = refer(created=dhaka(2026, 10, 4), clinic="a")
    summarise()
    made[0].clinic_id = world["b"].id  # an old referral changes (as a correction would)
    db.session.commit()
    app.config["REPORT_SUMMARY_RECENT_DAYS"] = 3  # October is not recent
    refresh()
    db.session.commit()
    by_clinic = referred(world, group_by="clinic")[0]
    assert by_clinic == {"Alpha Clinic": 1}  # only the recent days were recomputed
    refresh(rebuild=True)
    db.session.commit()
    assert referred(world, group_by="clinic")[0] == {"Beta Clinic": 1}


def test_the_job_rebuilds_once_a_local_day_and_refreshes_otherwise(app, world, refer):
    refer(created=dhaka(2026, 10, 4))
    assert as_of() is None
    assert refresh_job()["rebuild"] is True  # never built
    assert refresh_job()["rebuild"] is False  # built today
    state = db.session.get(SummaryState, "reports")
    assert state.rebuilt_at is not None and state.refreshed_at >= state.rebuilt_at
    state.rebuilt_at -= timedelta(days=1)  # last night's rebuild
    db.session.commit()
    assert refresh_job()["rebuild"] is True
    assert refresh_job()["rebuild"] is False


def test_the_job_is_registered_at_the_configured_interval(app):
    from core.registry import registry

    job = registry(app).jobs["reports.summary"]
    assert (job.seconds, job.exclusive) == (app.config["REPORT_SUMMARY_SECONDS"], True)


def test_flask_reports_refresh_all_rebuilds_every_month_with_data(app, runner, world, refer):
    refer(created=dhaka(2026, 8, 20))
    result = runner.invoke(args=["reports", "refresh", "--all"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["rebuild"] is True and answer["months"] >= 4  # August to this month
    assert (
        db.session.scalar(
            sa.select(sa.func.sum(ReferralCounts.referred)).where(
                ReferralCounts.dimension == "clinic", ReferralCounts.grain == "month"
            )
        )
        == 1
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderArmCounts)) == 0


def test_a_refresh_by_hand_waits_for_the_schedulers_instead_of_colliding(app, world, refer):
    """Two refreshes of the same months at once (PostgreSQL): the second waits on the state
    row's lock until the first commits, then recomputes; neither fails on the other's rows."""
    import threading

    from tests.support.pg import wait_for_lock_waiter

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    refer(created=dhaka(2026, 11, 4), count=2)
    summarise()
    holding, release, errors = threading.Event(), threading.Event(), []

    def refresh_in(hold: bool) -> None:
        with app.app_context():
            try:
                refresh()
                if hold:
                    holding.set()
                    release.wait(10)
                db.session.commit()
            except Exception as exc:  # the test reports it below
                errors.append(exc)
            finally:
                db.session.remove()

    first = threading.Thread(target=refresh_in, args=(True,))
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=refresh_in, args=(False,))
    second.start()
    assert wait_for_lock_waiter()  # the second refresh waits for the first
    release.set()
    first.join(10)
    second.join(10)
    assert errors == []
    assert referred(world)[1]["referred"] == 2


def test_healthz_says_when_the_summary_was_computed_and_whether_it_is_late(app, client):
    assert client.get("/healthz").get_json()["reports_summary"]["status"] == "never"
    summarise()
    body = client.get("/healthz").get_json()
    assert body["reports_summary"]["status"] == "ok"
    assert body["reports_summary"]["refreshed_at"] is not None
    state = db.session.get(SummaryState, "reports")
    state.refreshed_at -= timedelta(seconds=5 * app.config["REPORT_SUMMARY_SECONDS"])
    db.session.commit()
    response = client.get("/healthz")
    assert response.get_json()["reports_summary"]["status"] == "stale"
    assert response.status_code == 200  # informational: reports are on no member's path


def test_report_pages_say_when_their_figures_were_computed_in_her_language(
    client, login_as, world, refer
):
    login_as("viewer", language="bn")
    pages = (
        "/reports",
        "/reports/sms-effect",
        "/reports/sms-delivery",
        "/reports/clinic-experience",
    )
    for path in pages:
        assert "এই হিসাব এখনও করা হয়নি" in client.get(path).get_data(as_text=True), path
    refer(created=dhaka(2026, 10, 4))
    summarise()
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        note = html.split('id="as-of">', 1)[1].split("</p>", 1)[0]
        assert "পর্যন্ত হিসাব" in note, path
        assert not any(ch.isdigit() and ch.isascii() for ch in note), note  # Bangla digits
