"""The cascade and the DHIS2 export, computed over referrals made through the real services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.errors import BadInput, Forbidden, ValidationFailed
from reports import services
from tests.support.clock import dhaka
from tests.support.reports import summarise

OCT, DEC = date(2026, 10, 1), date(2026, 12, 1)


def report(world, group_by, actor="admin", start=OCT, end=DEC):
    summarise()
    return services.cascade(start=start, end=end, group_by=group_by, actor=world[actor])


def by_group(result):
    return {row["group"]: row for row in result["rows"]}


def test_month_uses_local_dates_and_the_half_open_range(world, refer):
    refer(created=dhaka(2026, 10, 1, 0, 10))  # 30 Sep 18:10 UTC: October in Dhaka
    refer(created=dhaka(2026, 10, 31, 23, 50), count=2)  # 31 Oct 17:50 UTC
    refer(created=dhaka(2026, 11, 1, 0, 5), count=3)
    refer(created=dhaka(2026, 9, 30, 23, 50))  # before the range
    refer(created=dhaka(2026, 12, 1, 0, 0))  # the end is exclusive
    result = report(world, "month")
    assert [(r["group"], r["referred"]) for r in result["rows"]] == [
        ("2026-10", 3),
        ("2026-11", 3),
    ]
    assert result["totals"]["referred"] == 6
    assert "group" not in result["totals"]


def test_every_column_counts_what_contract_says(world, refer):
    day = dhaka(2026, 10, 5)
    refer(created=day, count=2)  # referred only
    refer(created=day, appointment=True, count=2)  # scheduled, not attended
    refer(created=day, appointment=True, attend_after=timedelta(days=3), linked=True)
    refer(
        created=day,
        appointment=True,
        attend_after=timedelta(days=5),
        linked=False,
        follow_up_done=True,
    )
    refer(created=day, attend_after=timedelta(days=10))  # attended without an appointment
    row = report(world, "clinic")["rows"][0]
    assert row == {
        "group": "Alpha Clinic",
        "referred": 7,
        "scheduled": 4,
        "attended": 3,
        "linked_to_care": 1,
        "follow_up_done": 1,
        "completion_rate": round(3 / 7, 3),
        "median_days_to_visit": 5.0,
    }


def test_median_days_to_visit_of_an_even_group_and_fractional_days(world, refer):
    day = dhaka(2026, 10, 5)
    for days in (1, 2, 4, 7):
        refer(created=day, attend_after=timedelta(days=days))
    refer(created=day, attend_after=timedelta(hours=36))
    refer(created=day, attend_after=timedelta(days=30))
    # Whole days: 1, 1 (36 hours), 2, 4, 7, 30 → (2 + 4) / 2
    assert report(world, "month")["totals"]["median_days_to_visit"] == 3.0


def test_days_to_visit_count_whole_days_elapsed(world, refer):
    day = dhaka(2026, 10, 5)
    refer(created=day, attend_after=timedelta(hours=23))  # 0: within a day
    refer(created=day, attend_after=timedelta(hours=47, minutes=59))  # 1
    refer(created=day, attend_after=timedelta(days=3))  # 3 exactly, not 2.99999 (SQLite)
    # Whole days 0, 1, 3 → 1 (the exact days 0.96, 1.999, 3 would give 1.999).
    assert report(world, "month")["totals"]["median_days_to_visit"] == 1.0


def test_clinic_district_and_peer_educator_groups(world, refer):
    day = dhaka(2026, 11, 2)
    refer(created=day, clinic="a", pe="amina", count=5)
    refer(created=day, clinic="b", pe="beauty", count=6)
    refer(created=day, clinic="b", pe="amina", count=1)
    clinics = by_group(report(world, "clinic"))
    assert (clinics["Alpha Clinic"]["referred"], clinics["Beta Clinic"]["referred"]) == (5, 7)
    districts = by_group(report(world, "district"))
    assert (districts["Dhaka"]["referred"], districts["Khulna"]["referred"]) == (5, 7)
    people = by_group(report(world, "peer_educator"))
    assert (people["Amina"]["referred"], people["Beauty"]["referred"]) == (6, 6)
    assert [r["group"] for r in report(world, "peer_educator")["rows"]] == ["Amina", "Beauty"]


def test_a_referral_for_two_services_counts_in_both_groups_and_once_in_the_totals(world, refer):
    day = dhaka(2026, 10, 20)
    refer(
        created=day,
        services=("hiv_testing", "prep"),
        attend_after=timedelta(days=2),
        follow_up_done=True,
        count=5,
    )
    refer(created=day, services=("sti",), count=5)
    result = report(world, "service")
    groups = by_group(result)
    assert set(groups) == {"hiv_testing", "prep", "sti"}
    assert groups["hiv_testing"]["referred"] == groups["prep"]["referred"] == 5
    assert groups["hiv_testing"]["follow_up_done"] == groups["prep"]["follow_up_done"] == 5
    assert groups["sti"]["attended"] == 0
    assert result["totals"]["referred"] == 10
    assert result["totals"]["attended"] == 5
    assert result["totals"]["completion_rate"] == 0.5


def test_small_counts_are_suppressed_for_the_viewer_but_not_for_the_admin(world, make_user, refer):
    world["viewer"] = make_user("viewer")
    day = dhaka(2026, 10, 9)
    refer(created=day, clinic="a", attend_after=timedelta(days=1), count=3)
    refer(created=day, clinic="b", attend_after=timedelta(days=2), count=5)
    refer(created=day, clinic="b", count=5)
    admin = by_group(report(world, "clinic"))
    assert admin["Alpha Clinic"]["referred"] == 3
    assert admin["Alpha Clinic"]["completion_rate"] == 1.0
    assert admin["Alpha Clinic"]["median_days_to_visit"] == 1.0
    viewer = by_group(report(world, "clinic", actor="viewer"))
    alpha = viewer["Alpha Clinic"]
    assert alpha["referred"] == alpha["attended"] == "<5"
    assert alpha["completion_rate"] is None
    assert alpha["median_days_to_visit"] is None
    assert alpha["scheduled"] == alpha["linked_to_care"] == 0  # zero is not suppressed
    beta = viewer["Beta Clinic"]
    assert (beta["referred"], beta["attended"], beta["completion_rate"]) == (10, 5, 0.5)
    assert beta["median_days_to_visit"] == 2.0
    # Alpha alone is hidden: 13 - 10 would give its 3 away, so those totals are withheld.
    totals = report(world, "clinic", actor="viewer")["totals"]
    assert (totals["referred"], totals["attended"]) == (None, None)
    assert report(world, "clinic")["totals"]["referred"] == 13  # the admin sees everything


def test_suppression_reaches_the_totals(world, make_user, refer):
    world["viewer"] = make_user("viewer")
    refer(created=dhaka(2026, 10, 9), attend_after=timedelta(days=1), count=2)
    totals = report(world, "month", actor="viewer")["totals"]
    assert totals["referred"] == "<5"
    assert totals["completion_rate"] is None
    assert report(world, "month")["totals"]["referred"] == 2


def test_an_empty_period_has_no_rows_and_zero_totals(world):
    result = report(world, "service")
    assert result["rows"] == []
    assert result["totals"]["referred"] == 0
    assert result["totals"]["completion_rate"] is None


@pytest.mark.parametrize("role", ["peer_educator", "clinic_partner"])
def test_only_viewers_and_admins_read_reports(world, make_user, role):
    with pytest.raises(Forbidden):
        services.cascade(start=OCT, end=DEC, group_by="month", actor=make_user(role))
    with pytest.raises(Forbidden):
        services.dhis2_data_values("202610", make_user(role))


def test_bad_grouping_and_ranges(world):
    with pytest.raises(BadInput) as bad:
        report(world, "member")
    assert "group_by" in bad.value.fields
    with pytest.raises(ValidationFailed) as reversed_range:
        report(world, "month", start=DEC, end=OCT)
    assert "from" in reversed_range.value.fields
    with pytest.raises(ValidationFailed):
        report(world, "month", start=date(2000, 1, 1), end=DEC)


def test_dhis2_document_per_service_with_suppressed_values_listed(app, world, make_user, refer):
    """The document leaves the service, so 1-4 are left out for every role, admins too
    (DESIGN.md), and named without their value in `suppressed`."""
    app.config["DHIS2_ORG_UNIT"] = "HARCorgUnit"  # every clinic's org unit
    day = dhaka(2026, 11, 3)
    refer(created=day, services=("hiv_testing",), attend_after=timedelta(days=1), count=6)
    refer(created=day, services=("prep",), attend_after=timedelta(days=1), linked=True, count=2)
    refer(created=dhaka(2026, 12, 1, 0, 1), count=5)  # next month: not in 202611
    hiv, prep = "HARCcoc0001", "HARCcoc0003"
    for reader in (world["admin"], make_user("viewer")):
        summarise()
        doc = services.dhis2_data_values("202611", reader)
        assert (doc["dataSet"], doc["period"]) == ("HARCcasc001", "202611")
        assert {v["orgUnit"] for v in doc["dataValues"]} == {"HARCorgUnit"}
        values = {
            (v["dataElement"], v["categoryOptionCombo"]): v["value"] for v in doc["dataValues"]
        }
        assert values[("HARCref0001", hiv)] == "6"
        assert values[("HARCatt0001", hiv)] == "6"
        assert values[("HARClnk0001", hiv)] == "0"
        assert not any(v["categoryOptionCombo"] == prep for v in doc["dataValues"])
        small = {"dataElement": "HARCref0001", "categoryOptionCombo": prep}
        assert {**small, "orgUnit": "HARCorgUnit"} in doc["suppressed"]
        assert all(
            set(s) == {"dataElement", "categoryOptionCombo", "orgUnit"} for s in doc["suppressed"]
        )
        assert doc["unmapped"] == []


def test_dhis2_mapping_and_org_unit_come_from_config(app, world, refer):
    app.config["DHIS2_ORG_UNIT"] = "OrgUnit0001"
    app.config["DHIS2_MAPPING"] = {
        "dataSet": "DataSet0001",
        "dataElements": {"referred": "Element0001"},
        "categoryOptionCombos": {"sti": None},
    }
    refer(created=dhaka(2026, 11, 3), services=("sti", "prep"), count=5)
    summarise()
    doc = services.dhis2_data_values("202611", world["admin"])
    assert doc["dataSet"] == "DataSet0001"
    assert doc["unmapped"] == ["sti"]
    value = {"dataElement": "Element0001", "categoryOptionCombo": "HARCcoc0003", "value": "5"}
    assert {**value, "orgUnit": "OrgUnit0001"} in doc["dataValues"]


@pytest.mark.parametrize("period", ["2026-11", "202613", "20261", "", None, "abcdef"])
def test_dhis2_bad_period(world, period):
    with pytest.raises(BadInput) as bad:
        services.dhis2_data_values(period, world["admin"])
    assert "period" in bad.value.fields


def test_dhis2_document_reads_the_summarys_clinic_service_counts(app, world, refer):
    """Per clinic and service of the local month, from the summary: a referral made after the
    last refresh is in the document from the next one."""
    import sqlalchemy as sa

    from core.extensions import db
    from reports.dhis2_mapping import DEFAULT_MAPPING
    from reports.summary.models import ReferralCounts

    app.config["DHIS2_ORG_UNIT"] = "HARCorgUnit"
    a, b = world["a"].id, world["b"].id
    # 31 October 18:05 UTC: November in Dhaka.
    refer(created=dhaka(2026, 11, 1, 0, 5), clinic="a", services=("hiv_testing", "prep"),
          attend_after=timedelta(days=1), linked=True, count=5)  # fmt: skip
    refer(created=dhaka(2026, 10, 31, 23, 50), clinic="a", count=5)  # October
    refer(created=dhaka(2026, 11, 30, 23, 50), clinic="b", services=("prep",), count=5)
    summarise()
    table = ReferralCounts.__table__
    stored = db.session.execute(
        sa.select(table.c.gkey, table.c.referred, table.c.attended, table.c.linked_to_care).where(
            table.c.dimension == "clinic_service",
            table.c.grain == "month",
            table.c.period == date(2026, 11, 1),
        )
    ).all()
    assert {row.gkey: tuple(row[1:]) for row in stored} == {
        f"{a}:hiv_testing": (5, 5, 5),
        f"{a}:prep": (5, 5, 5),
        f"{b}:prep": (5, 0, 0),
    }

    def values():
        doc = services.dhis2_data_values("202611", world["admin"])
        return {(v["dataElement"], v["categoryOptionCombo"]): v["value"] for v in doc["dataValues"]}

    combos = DEFAULT_MAPPING["categoryOptionCombos"]
    hiv, prep, sti = combos["hiv_testing"], combos["prep"], combos["sti"]
    expected = {
        ("HARCref0001", hiv): "5",
        ("HARCatt0001", hiv): "5",
        ("HARClnk0001", hiv): "5",
        ("HARCref0001", prep): "10",  # two clinics, one org unit
        ("HARCatt0001", prep): "5",
        ("HARClnk0001", prep): "5",
    }
    assert values() == expected
    refer(created=dhaka(2026, 11, 10), clinic="b", services=("sti",), count=5)
    assert values() == expected  # as of the last refresh
    summarise()
    more = {("HARCref0001", sti): "5", ("HARCatt0001", sti): "0", ("HARClnk0001", sti): "0"}
    assert values() == {**expected, **more}
