"""Opening hours: validation, past-midnight intervals, the CSV form, "open at"."""

import pytest

from clinics import hours
from clinics.services import is_open_at
from core.errors import ValidationFailed
from tests.support.clock import DHAKA, local


def test_valid_hours_are_normalised():
    result = hours.validate_hours({"mon": [["14:00", "17:00"], ["09:00", "13:00"]]})
    assert result["mon"] == [["09:00", "13:00"], ["14:00", "17:00"]]
    assert result["sun"] == []
    assert set(result) == set(hours.DAYS)


def test_24_00_may_end_an_interval_but_not_start_one():
    assert hours.validate_hours({"tue": [["00:00", "24:00"]]})["tue"] == [["00:00", "24:00"]]
    with pytest.raises(ValidationFailed) as exc:
        hours.validate_hours({"tue": [["24:00", "02:00"]]})
    assert "hours" in exc.value.fields


@pytest.mark.parametrize(
    "value",
    [
        {"mon": [["09:00", "09:00"]]},  # empty
        {"mon": [["9am", "17:00"]]},  # malformed
        {"mon": [["09:00", "25:00"]]},
        {"mon": [["09:00"]]},
        {"mon": "09:00-17:00"},
        {"funday": [["09:00", "17:00"]]},
        ["mon"],
        {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]},  # overlap, same day
        {"fri": [["20:00", "02:00"]], "sat": [["01:00", "05:00"]]},  # overlap past midnight
        {"sun": [["22:00", "03:00"]], "mon": [["02:00", "04:00"]]},  # overlap over the week's end
        {"mon": [["09:00", "10:00"], ["09:00", "10:00"]]},  # the same interval twice
    ],
)
def test_bad_hours_are_refused_with_the_field_named(value):
    with pytest.raises(ValidationFailed) as exc:
        hours.validate_hours(value)
    assert "hours" in exc.value.fields


def test_touching_intervals_are_not_overlapping():
    hours.validate_hours({"mon": [["09:00", "13:00"], ["13:00", "17:00"]]})
    hours.validate_hours({"fri": [["20:00", "02:00"]], "sat": [["02:00", "05:00"]]})


def test_past_midnight_interval_is_split_in_two_ranges():
    ranges = hours.week_ranges(hours.validate_hours({"fri": [["20:00", "02:00"]]}))
    fri, sat = 4 * 1440, 5 * 1440
    assert ranges == [(fri + 20 * 60, sat), (sat, sat + 120)]


def test_sunday_past_midnight_wraps_to_monday():
    ranges = hours.week_ranges(hours.validate_hours({"sun": [["22:00", "03:00"]]}))
    assert ranges == [(0, 180), (6 * 1440 + 22 * 60, 7 * 1440)]


def test_end_00_00_runs_to_midnight():
    ranges = hours.week_ranges(hours.validate_hours({"mon": [["20:00", "00:00"]]}))
    assert ranges == [(20 * 60, 1440)]


def test_open_at_past_midnight():
    week = hours.validate_hours({"fri": [["20:00", "02:00"]], "sun": [["22:00", "03:00"]]})
    assert hours.open_at(week, local("fri", "23:59"), DHAKA)
    assert hours.open_at(week, local("sat", "01:00"), DHAKA)
    assert not hours.open_at(week, local("sat", "02:00"), DHAKA)
    assert not hours.open_at(week, local("fri", "19:59"), DHAKA)
    assert hours.open_at(week, local("mon", "01:00"), DHAKA)
    assert hours.open_at(week, local("sun", "23:00"), DHAKA)
    assert not hours.open_at(week, local("mon", "03:00"), DHAKA)


def test_open_at_reads_other_offsets_in_local_time(app, clinic):
    from datetime import UTC

    c = clinic(hours={"mon": [["09:00", "17:00"]]})
    # 03:30 UTC is 09:30 in Dhaka.
    assert is_open_at(c, local("mon", "09:30").astimezone(UTC))
    assert not is_open_at(c, local("mon", "08:59").astimezone(UTC))


def test_csv_form_round_trip():
    text = "mon=09:00-13:00,14:00-17:00;fri=20:00-02:00;sun=00:00-24:00"
    parsed = hours.from_csv(text)
    assert parsed["mon"] == [["09:00", "13:00"], ["14:00", "17:00"]]
    assert parsed["tue"] == []
    assert hours.to_csv(parsed) == text


@pytest.mark.parametrize(
    "text", ["mon 09:00-17:00", "xyz=09:00-17:00", "mon=09:00", "mon=09:00-10:00;mon=11:00-12:00"]
)
def test_csv_form_errors(text):
    with pytest.raises(ValidationFailed) as exc:
        hours.from_csv(text)
    assert "hours" in exc.value.fields
